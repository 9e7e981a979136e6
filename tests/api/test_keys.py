"""Listing and revoking API keys: the CLI, the admin endpoints, and how soon a revoked key stops working."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from comments.store import repo
from tests.api.conftest import auth, make_settings
from tests.api.fakes import FakePipeline

SCORE = {"id": "k1", "text": "lovely weather", "enqueue": False}


def _app(url: str, cache_seconds: float) -> TestClient:
    from comments.api.main import create_app

    return TestClient(create_app(make_settings(url, key_cache_seconds=cache_seconds), pipeline=FakePipeline()))


@pytest.fixture()
def cli(sqlite_url, monkeypatch):
    """`comments apikey ...` in process, on `sqlite_url`."""
    import typer

    from comments.api.cli import register
    from comments.settings import get_settings

    monkeypatch.setenv("COMMENTS_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    app = typer.Typer()
    register(app)
    yield lambda *args: CliRunner().invoke(app, ["apikey", *args])
    get_settings.cache_clear()


def test_when_keys_are_listed_then_ids_names_scopes_and_dates_show_and_no_secret(cli, sqlite_url):
    kept_id, kept = repo.create_api_key(sqlite_url, "ingest", ["score"])
    gone_id, gone = repo.create_api_key(sqlite_url, "old reviewer", ["review", "admin"])
    repo.revoke_api_key(sqlite_url, gone_id)
    out = cli("list")
    assert out.exit_code == 0, out.output
    header, *rows = out.stdout.strip().splitlines()
    assert header.split("\t") == ["id", "name", "scopes", "created", "revoked"]
    by_id = {r.split("\t")[0]: r.split("\t") for r in rows}
    assert by_id[kept_id][1:3] == ["ingest", "score"] and by_id[kept_id][4] == "-"
    assert by_id[gone_id][1:3] == ["old reviewer", "admin,review"] and by_id[gone_id][4] != "-"
    for token in (kept, gone):
        assert token.split("_", 2)[2] not in out.output


def test_when_a_key_is_revoked_twice_then_both_succeed_and_the_first_time_stands(cli, sqlite_url):
    key_id, token = repo.create_api_key(sqlite_url, "x", ["score"])
    first = cli("revoke", key_id)
    assert first.exit_code == 0 and f"revoked key {key_id}" in first.stdout
    when = repo.list_api_keys(sqlite_url)[0].revoked_at
    assert cli("revoke", key_id).exit_code == 0
    assert repo.list_api_keys(sqlite_url)[0].revoked_at == when
    assert repo.verify_token(sqlite_url, token) is None


def test_when_an_unknown_key_is_revoked_then_it_exits_3_with_a_one_line_error(cli):
    out = cli("revoke", "nosuchkey")
    assert out.exit_code == 3 and "no API key with id nosuchkey" in out.output and "Traceback" not in out.output


def test_when_a_key_is_revoked_through_the_api_then_it_is_refused_at_once_with_a_reason(db_url, keys):
    with _app(db_url, cache_seconds=60) as c:
        assert c.post("/v1/score", json=SCORE, headers=auth(keys["score"])).status_code == 200  # now cached
        score_id = keys["score"].split("_")[1]
        r = c.delete(f"/v1/keys/{score_id}", headers=auth(keys["admin"]))
        assert r.status_code == 200 and r.json()["revoked_at"] is not None
        r = c.post("/v1/score", json=SCORE, headers=auth(keys["score"]))
        assert r.status_code == 401 and r.json()["code"] == "unauthorized"
        assert f"API key {score_id} was revoked at" in r.json()["message"]
        assert c.delete(f"/v1/keys/{score_id}", headers=auth(keys["admin"])).status_code == 200
        assert c.delete("/v1/keys/nosuchkey", headers=auth(keys["admin"])).status_code == 404
    assert [e.action for e in repo.audit_entries(db_url)].count("apikey:revoke") == 2


def test_when_a_key_is_revoked_elsewhere_then_a_running_replica_refuses_it_within_the_cache_bound(db_url, keys):
    with _app(db_url, cache_seconds=0.5) as c:
        assert c.post("/v1/score", json=SCORE, headers=auth(keys["score"])).status_code == 200
        repo.revoke_api_key(db_url, keys["score"].split("_")[1])  # what `comments apikey revoke` does
        time.sleep(0.6)
        r = c.post("/v1/score", json=SCORE, headers=auth(keys["score"]))
        assert r.status_code == 401 and "was revoked at" in r.json()["message"]


def test_when_keys_are_listed_over_the_api_then_only_admins_see_them_and_no_secret_shows(lite_client):
    keys = lite_client.keys
    assert lite_client.get("/v1/keys", headers=auth(keys["review"])).status_code == 403
    r = lite_client.get("/v1/keys", headers=auth(keys["admin"]))
    assert r.status_code == 200 and r.json()["count"] == 4
    assert {k["name"] for k in r.json()["data"]} == {"score", "review", "admin", "all"}
    for token in keys.values():
        assert token.split("_", 2)[2] not in r.text
    assert "secret" not in r.text

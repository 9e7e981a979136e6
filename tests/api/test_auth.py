"""API keys: hashed storage, 401 and 403 with a reason, the CLI that prints the token once."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from comments.store.db import get_engine
from tests.api.conftest import auth

# The sub-app as the main CLI will mount it (`comments apikey create ...`).
MAIN = "import typer; from comments.api.cli import register; a = typer.Typer(); register(a); a()"
COMMENTS_PY = [sys.executable, "-c", MAIN, "apikey"]


def test_when_no_key_is_sent_then_it_is_401_with_a_reason(lite_client):
    r = lite_client.post("/v1/score", json={"id": "a", "text": "hi"})
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert "Authorization" in r.json()["message"] and r.headers["www-authenticate"] == "Bearer"


def test_when_the_key_is_wrong_then_it_is_401(lite_client):
    token = lite_client.keys["score"]
    for bad in (token[:-2] + "xx", "cmt_nope_nope", "garbage", token.replace("cmt_", "abc_")):
        assert lite_client.post("/v1/score", json={"id": "a", "text": "hi"}, headers=auth(bad)).status_code == 401
    r = lite_client.post("/v1/score", json={"id": "a", "text": "hi"}, headers={"Authorization": "Basic abc"})
    assert r.status_code == 401 and "Bearer" in r.json()["message"]


def test_when_key_lacks_score_scope_then_scoring_is_403(lite_client):
    r = lite_client.post("/v1/score", json={"id": "a", "text": "hi"}, headers=auth(lite_client.keys["review"]))
    assert r.status_code == 403 and r.json() == {"code": "forbidden", "message": "this API key lacks the `score` scope"}


def test_when_key_lacks_admin_scope_then_export_and_protected_are_403(lite_client):
    h = auth(lite_client.keys["review"])
    assert lite_client.post("/v1/export/labels", json={"reason": "retrain"}, headers=h).status_code == 403
    assert lite_client.get("/v1/protected", headers=h).status_code == 403


def test_when_a_key_is_stored_then_only_a_hash_of_its_secret_is_kept(lite_client):
    token = lite_client.keys["admin"]
    with get_engine(lite_client.url).connect() as conn:
        rows = conn.execute(text("SELECT id, secret_sha256, name FROM api_keys")).all()
    secret = token.split("_", 2)[2]
    assert all(secret not in str(row) for row in rows)


def test_when_cookie_auth_writes_without_the_csrf_header_then_it_is_401(lite_client):
    lite_client.cookies.set("comments_key", lite_client.keys["score"])
    r = lite_client.post("/v1/score", json={"id": "a", "text": "hi"})
    assert r.status_code == 401 and "x-comments-csrf" in r.json()["message"]
    r = lite_client.post("/v1/score", json={"id": "a", "text": "hi"}, headers={"x-comments-csrf": "1"})
    assert r.status_code == 200


def test_when_apikey_create_runs_then_the_token_is_the_last_line_and_works(tmp_path, lite_client):
    db = tmp_path / "cli.db"
    env = {**os.environ, "COMMENTS_DATABASE_URL": f"sqlite:///{db}"}
    cmd = [*COMMENTS_PY, "create", "--name", "ops", "--scope", "review", "--scope", "admin"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=Path(__file__).parents[2], check=True)
    token = out.stdout.strip().splitlines()[-1]
    assert token.startswith("cmt_")
    from comments.store import repo

    key = repo.verify_token(f"sqlite:///{db}", token)
    assert key.name == "ops" and key.scopes == {"review", "admin"}


def test_when_apikey_create_gets_an_unknown_scope_then_it_exits_with_a_one_line_error(tmp_path):
    env = {**os.environ, "COMMENTS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    out = subprocess.run(
        [*COMMENTS_PY, "create", "--name", "x", "--scope", "root"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 2 and "unknown or missing scope" in out.stderr and "Traceback" not in out.stderr

"""The protected list reaches the running pipeline: at once after an API change, within the poll bound otherwise."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from comments.store import protected as store
from tests.api.conftest import auth, make_settings
from tests.api.fakes import RulesPipeline

HMAC_KEY = "test-hmac-key"
NAME = "Kayla Dorsey"  # fictional
COMMENT = {"id": "p1", "text": "isn't that kayla dorsey from the video", "enqueue": False}


@pytest.fixture(scope="module")
def rules_pipeline():
    """A pipeline with the real rules engine and protected signal, built once for this module."""
    return RulesPipeline(HMAC_KEY.encode())


def _client(url: str, pipeline, poll_seconds: float) -> TestClient:
    from comments.api.main import create_app

    app = create_app(make_settings(url, hmac_key=HMAC_KEY), pipeline=pipeline)
    app.state.runtime.protected.poll_seconds = poll_seconds
    return TestClient(app)


def _protected_hit(c: TestClient, token: str) -> bool:
    r = c.post("/v1/score", json=COMMENT, headers=auth(token))
    assert r.status_code == 200, r.text
    return any(x["signal"] == "protected" and x["label"] == "victim_identification" for x in r.json()["reasons"])


def _within(seconds: float, check) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_when_an_identity_is_added_and_removed_through_the_api_then_scoring_follows_at_once(sqlite_url, rules_pipeline):
    from tests.api.conftest import _keys

    keys = _keys(sqlite_url)
    with _client(sqlite_url, rules_pipeline, poll_seconds=3600) as c:  # no poll can help: only the API's refresh
        assert not _protected_hit(c, keys["score"])
        r = c.post("/v1/protected", json={"name": NAME}, headers=auth(keys["admin"]))
        assert r.status_code == 201
        assert _protected_hit(c, keys["score"])
        assert c.delete(f"/v1/protected/{r.json()['id']}", headers=auth(keys["admin"])).status_code == 204
        assert not _protected_hit(c, keys["score"])


def test_when_another_process_changes_the_list_then_a_running_app_follows_within_the_poll(db_url, keys, rules_pipeline):
    with _client(db_url, rules_pipeline, poll_seconds=0.2) as c:
        assert not _protected_hit(c, keys["score"])
        ident = store.add(db_url, HMAC_KEY.encode(), NAME)  # what `comments protected add` does
        assert _within(5, lambda: _protected_hit(c, keys["score"]))
        store.remove(db_url, ident)
        assert _within(5, lambda: not _protected_hit(c, keys["score"]))


def test_when_the_shipped_pipeline_class_is_given_an_engine_then_the_sync_finds_its_protected_signal(
    rules_pipeline,
):
    import json
    from types import SimpleNamespace

    from comments.api.protected_sync import protected_signal
    from comments.fusion import Combiner
    from comments.pipeline import Pipeline
    from tests.conftest import ROOT

    fusion = json.loads((ROOT / "models/default/fusion.json").read_text(encoding="utf-8"))
    combiner = Combiner.from_json(fusion, set(rules_pipeline.engine.concepts()))
    real = Pipeline(SimpleNamespace(version="v"), rules_pipeline.engine, combiner, fusion)
    assert protected_signal(real) is rules_pipeline.engine.protected

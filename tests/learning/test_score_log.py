"""The API logs one score row per scored comment (scores and decision, never text); purge removes old rows."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

from comments.store import repo
from comments.store.db import get_engine, session_scope
from comments.store.scores import ScoreLog, log_scores
from comments.store.tables import utcnow
from tests.api.conftest import auth, make_settings
from tests.api.fakes import FakePipeline

BAD = "who wants to trade that video"


def _rows(url):
    with session_scope(url) as s:
        return list(s.scalars(select(ScoreLog).order_by(ScoreLog.seq)))


def test_when_comments_are_scored_then_each_gets_one_score_row_without_text(db_url):
    from comments.api.main import create_app

    token = repo.create_api_key(db_url, "s", ["score"])[1]
    with TestClient(create_app(make_settings(db_url), pipeline=FakePipeline())) as c:
        assert c.post("/v1/score", json={"id": "a", "text": BAD}, headers=auth(token)).status_code == 200
        batch = {"items": [{"id": f"b{i}", "text": "can someone find her" if i else "nice day"} for i in range(3)]}
        assert c.post("/v1/score/batch", json=batch, headers=auth(token)).status_code == 200
    rows = _rows(db_url)
    assert [r.decision for r in rows] == ["remove", "allow", "review", "review"]
    assert rows[0].promotion == 0.9 and rows[2].safety_concern == 0.6 and rows[1].safety_concern == 0.01
    assert {r.model_version for r in rows} == {"fake-1"}
    columns = {c["name"] for c in inspect(get_engine(db_url)).get_columns("score_log")}
    assert columns == {"seq", "created_at", "model_version", "decision", *FakePipeline().score_batch(["x"])[0].scores}


def test_when_purge_runs_then_old_score_rows_go_and_recent_ones_stay(sqlite_url):
    old = FakePipeline().score_batch(["old one"])
    log_scores(sqlite_url, old, at=utcnow() - timedelta(days=100))
    log_scores(sqlite_url, FakePipeline().score_batch(["new one"]))
    repo.purge(sqlite_url, 90)
    assert len(_rows(sqlite_url)) == 1


def test_when_a_flush_fails_then_its_rows_wait_for_the_next_one(sqlite_url):
    import pytest
    from sqlalchemy import text

    from comments.store.scores import ScoreLogWriter

    writer = ScoreLogWriter(sqlite_url, interval=3600)  # flushed by hand below
    writer.add(FakePipeline().score_batch([BAD, "nice day"]))
    with get_engine(sqlite_url).begin() as conn:  # the table is away for a moment
        conn.execute(text("ALTER TABLE score_log RENAME TO score_log_away"))
    with pytest.raises(Exception, match="score_log"):
        writer.flush()
    writer.add(FakePipeline().score_batch(["can someone find her"]))
    with get_engine(sqlite_url).begin() as conn:
        conn.execute(text("ALTER TABLE score_log_away RENAME TO score_log"))
    writer.close()
    assert [r.decision for r in _rows(sqlite_url)] == ["remove", "allow", "review"]

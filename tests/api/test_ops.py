"""Health, readiness, metrics, the protected list, and that comment text stays out of logs."""

import logging

from tests.api.conftest import auth


def test_when_healthz_and_readyz_are_asked_then_both_are_ok(lite_client):
    assert lite_client.get("/healthz").json() == {"status": "ok"}
    ready = lite_client.get("/readyz").json()
    assert ready == {"ready": True, "checks": {"model": True, "database": True}, "model_version": "fake-1"}


def test_when_metrics_are_scraped_then_requests_decisions_queue_and_model_show(lite_client):
    h = auth(lite_client.keys["score"])
    lite_client.post("/v1/score", json={"id": "m1", "text": "who wants to trade"}, headers=h)
    text = lite_client.get("/metrics").text
    assert 'comments_http_requests_total{method="POST",route="/v1/score",status="200"} 1.0' in text
    assert 'comments_http_request_duration_seconds_bucket{le="0.05",route="/v1/score"}' in text
    assert 'comments_decisions_total{decision="remove",label="promotion"} 1.0' in text
    assert "comments_queue_depth 1.0" in text
    assert 'comments_model_info{version="fake-1"} 1.0' in text


def test_when_an_admin_protects_an_identity_then_only_its_id_is_listed_and_it_can_be_removed(client, keys):
    h = auth(keys["admin"])
    made = client.post("/v1/protected", json={"name": "Kayla Dorsey", "handles": ["@kayla.d04"]}, headers=h)
    assert made.status_code == 201
    listed = client.get("/v1/protected", headers=h).json()
    assert listed["count"] == 1 and set(listed["data"][0]) == {"id", "created_at"}
    assert client.delete(f"/v1/protected/{made.json()['id']}", headers=h).status_code == 204
    assert client.delete(f"/v1/protected/{made.json()['id']}", headers=h).status_code == 404
    assert client.post("/v1/protected", json={"name": "!!"}, headers=h).status_code == 422


def test_when_requests_fail_or_succeed_then_comment_text_never_reaches_the_logs(lite_client, caplog):
    secret = "Kayla Dorsey zzqq-unique-marker"
    h = auth(lite_client.keys["score"])
    with caplog.at_level(logging.DEBUG):
        lite_client.post("/v1/score", json={"id": "l1", "text": secret}, headers=h)
        lite_client.post("/v1/score", json={"id": "l1", "text": secret, "extra": 1}, headers=h)
        r = lite_client.post("/v1/score", json={"id": "l1", "text": secret + "\x00"}, headers=h)
    assert r.status_code == 422 and "zzqq" not in r.text
    assert "zzqq" not in caplog.text


def test_when_the_openapi_document_is_fetched_then_it_lists_the_v1_endpoints(lite_client):
    paths = lite_client.get("/openapi.json").json()["paths"]
    for p in (
        "/v1/score",
        "/v1/score/batch",
        "/v1/queue",
        "/v1/items/{item_id}",
        "/v1/items/{item_id}/claim",
        "/v1/items/{item_id}/decision",
        "/v1/export/labels",
        "/v1/protected",
        "/v1/audit",
        "/healthz",
        "/readyz",
    ):
        assert p in paths


def test_when_the_api_limit_is_compared_then_it_matches_the_pipeline_limit():
    from comments.api.schemas import MAX_TEXT
    from comments.pipeline import MAX_TEXT as PIPELINE_MAX

    assert MAX_TEXT == PIPELINE_MAX == 10_000


def test_when_the_database_is_unreachable_then_queue_is_503_and_readyz_says_so(tmp_path):
    from fastapi.testclient import TestClient

    from comments.api.main import create_app
    from tests.api.conftest import make_settings
    from tests.api.fakes import FakePipeline

    url = f"sqlite:///{tmp_path}/gone.db"
    app = create_app(make_settings(url), pipeline=FakePipeline())
    with TestClient(app) as c:
        (tmp_path / "gone.db").unlink()
        (tmp_path / "gone.db").mkdir()  # the path is now a directory: every query fails
        from comments.store.db import get_engine

        get_engine(url).dispose()
        r = c.get("/v1/queue", headers={"Authorization": "Bearer cmt_a_b"})
        assert r.status_code == 503 and r.json()["code"] == "database_unavailable"
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["database"] is False


def test_when_scoring_raises_then_the_answer_is_a_json_500_and_the_log_has_the_place_not_the_text(sqlite_url, caplog):
    from fastapi.testclient import TestClient

    from comments.api.main import create_app
    from tests.api.conftest import _keys, make_settings
    from tests.api.fakes import FakePipeline

    class Broken(FakePipeline):
        def score_batch(self, texts, run_all=False):
            raise RuntimeError(f"cannot score {texts[0]}")

    token = _keys(sqlite_url)["score"]
    secret = "Kayla Dorsey lives on Elm Street"
    # The test client re-raises whatever reaches Starlette's last resort: an answer means nothing did.
    with TestClient(create_app(make_settings(sqlite_url), pipeline=Broken())) as c, caplog.at_level(logging.INFO):
        r = c.post("/v1/score", json={"id": "b1", "text": secret}, headers=auth(token))
        metrics = c.get("/metrics").text
    assert r.status_code == 500 and r.json() == {
        "code": "internal",
        "message": "internal error; the server log has the error type",
    }
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "unhandled RuntimeError on POST '/v1/score' at test_ops.py:" in logged and "score_batch" in logged
    assert "Kayla" not in logged and not any(rec.exc_info for rec in caplog.records)
    assert 'comments_http_requests_total{method="POST",route="/v1/score",status="500"} 1.0' in metrics


def test_when_a_library_raises_deep_down_then_the_500_log_still_names_the_projects_innermost_frame():
    from comments.api.middleware import _frames

    def library(depth):  # stands in for frames outside the `comments` package
        if depth:
            return library(depth - 1)
        raise ValueError("secret text")

    try:
        exec(compile("library(5)", "/site-packages/lib.py", "exec"), {"library": library})
    except ValueError as exc:
        names = [f.name for f in _frames(exc)]
    assert names == ["library", "library", "library"]  # the test file is not part of the project either
    from comments.api import handlers

    try:
        handlers._error(200, "x", "y", headers={"bad": object()})
    except Exception as exc:  # noqa: BLE001 - a real error raised inside Starlette, called from our code
        where = _frames(exc)
    assert where[-1].name == "_error" and where[-1].filename.endswith("comments/api/handlers.py")

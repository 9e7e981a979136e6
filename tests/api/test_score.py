"""Scoring endpoints: shape, order, queueing, limits."""

import pytest

from comments.store import repo
from tests.api.conftest import auth
from tests.api.fakes import review_item

BAD = "who wants to trade that video"


def test_when_a_comment_is_scored_then_the_response_has_the_contract_fields(client, keys):
    r = client.post("/v1/score", json={"id": "c1", "text": BAD}, headers=auth(keys["score"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {
        "id",
        "decision",
        "priority",
        "scores",
        "decisions",
        "reasons",
        "model_version",
        "schema_version",
    }
    assert body["decision"] == "remove" and body["queued"] is True
    assert set(body["scores"]) == {"victim_identification", "promotion", "safety_concern"}
    assert body["reasons"][0]["rule_id"].startswith("fake.")


def test_when_a_comment_is_allowed_then_it_is_not_queued(client, keys):
    r = client.post("/v1/score", json={"id": "ok", "text": "lovely weather"}, headers=auth(keys["score"]))
    assert r.json()["decision"] == "allow" and r.json()["queued"] is False
    q = client.get("/v1/queue", headers=auth(keys["review"])).json()
    assert q["count"] == 0


def test_when_enqueue_is_false_then_a_flagged_comment_is_not_queued(client, keys):
    r = client.post("/v1/score", json={"id": "x", "text": BAD, "enqueue": False}, headers=auth(keys["score"]))
    assert r.json()["decision"] == "remove" and r.json()["queued"] is False
    assert client.get("/v1/queue", headers=auth(keys["review"])).json()["count"] == 0


def test_when_a_batch_is_scored_then_results_come_back_in_request_order(client, keys):
    items = [{"id": f"b{i}", "text": BAD if i % 3 == 0 else f"fine {i}"} for i in range(40)]
    r = client.post("/v1/score/batch", json={"items": items}, headers=auth(keys["score"]))
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["id"] for x in results] == [i["id"] for i in items]
    assert [x["decision"] for x in results] == ["remove" if i % 3 == 0 else "allow" for i in range(40)]


def test_when_the_same_id_is_scored_twice_with_the_same_text_then_it_is_queued_once_and_left_alone(client, keys):
    first = client.post("/v1/score", json={"id": "dup", "text": BAD}, headers=auth(keys["score"])).json()
    assert client.post("/v1/items/dup/claim", headers=auth(keys["review"])).status_code == 200
    again = client.post("/v1/score", json={"id": "dup", "text": BAD}, headers=auth(keys["score"])).json()
    assert first["queued"] is True and again["queued"] is True
    queue = client.get("/v1/queue", headers=auth(keys["review"])).json()
    assert queue["count"] == 1 and queue["data"][0]["status"] == "claimed"  # the retry did not undo the claim
    assert repo.audit_entries(client.app.state.runtime.url, "dup") == []


def test_when_a_queued_id_is_scored_with_edited_text_then_the_item_takes_it_and_review_starts_over(client, keys):
    url, h = client.app.state.runtime.url, auth(keys["review"])
    client.post("/v1/score", json={"id": "e1", "text": "who wants to trade"}, headers=auth(keys["score"]))
    client.post("/v1/items/e1/claim", headers=h)
    assert client.post("/v1/items/e1/decision", json={"action": "remove"}, headers=h).status_code == 201
    edited = client.post("/v1/score", json={"id": "e1", "text": "let's find her"}, headers=auth(keys["score"]))
    assert edited.json()["queued"] is True and edited.json()["decision"] == "review"
    item = client.post("/v1/items/e1/reveal", json={"reason": "checking"}, headers=h).json()
    assert item["text"] == "let's find her" and item["decision"] == "review"
    assert item["decisions"]["safety_concern"] == "review" and item["decisions"]["promotion"] == "allow"
    assert (item["status"], item["claimed_by"], item["review_action"], item["reviewed_at"]) == (
        "queued",
        None,
        None,
        None,
    )
    assert [d.action for d in repo.decisions_for(url, "e1")] == ["remove"]  # the history stays
    assert [e.action for e in repo.audit_entries(url, "e1")] == ["decision:remove", "requeue", "reveal"]
    assert client.get("/v1/queue?label=safety_concern", headers=h).json()["count"] == 1
    assert client.post("/v1/items/e1/decision", json={"action": "allow"}, headers=h).status_code == 201


def test_when_edited_text_would_not_be_queued_then_the_stored_item_stays_and_queued_says_so(client, keys):
    h = auth(keys["score"])
    client.post("/v1/score", json={"id": "n1", "text": BAD}, headers=h)
    assert client.post("/v1/score", json={"id": "n1", "text": "lovely weather"}, headers=h).json()["queued"] is False
    edited = {"id": "n1", "text": "let's find her", "enqueue": False}
    assert client.post("/v1/score", json=edited, headers=h).json()["queued"] is False
    same = client.post("/v1/score", json={"id": "n1", "text": BAD, "enqueue": False}, headers=h).json()
    assert same["queued"] is False  # not asked to queue: the queue is not even looked up
    item = client.post("/v1/items/n1/reveal", json={"reason": "checking"}, headers=auth(keys["review"])).json()
    assert item["text"] == BAD and item["decision"] == "remove"


def test_when_a_reviewed_id_is_scored_again_with_the_same_text_then_it_is_not_reported_as_queued(client, keys):
    client.post("/v1/score", json={"id": "r1", "text": BAD}, headers=auth(keys["score"]))
    client.post("/v1/items/r1/decision", json={"action": "remove"}, headers=auth(keys["review"]))
    again = client.post("/v1/score", json={"id": "r1", "text": BAD}, headers=auth(keys["score"])).json()
    assert again["queued"] is False
    assert client.get("/v1/items/r1", headers=auth(keys["review"])).json()["status"] == "reviewed"


def test_when_text_is_encrypted_then_a_retry_is_still_recognised_and_an_edit_still_requeues(sqlite_url):
    from cryptography.fernet import Fernet
    from fastapi.testclient import TestClient

    from comments.api.main import create_app
    from tests.api.conftest import _keys, make_settings
    from tests.api.fakes import FakePipeline

    keys = _keys(sqlite_url)
    settings = make_settings(sqlite_url, encryption_key=Fernet.generate_key().decode())
    with TestClient(create_app(settings, pipeline=FakePipeline())) as c:
        for text in (BAD, BAD, "let's find her"):
            assert c.post("/v1/score", json={"id": "s1", "text": text}, headers=auth(keys["score"])).json()["queued"]
        assert (
            c.post("/v1/items/s1/reveal", json={"reason": "checking"}, headers=auth(keys["review"])).json()["text"]
            == "let's find her"
        )
    assert [e.action for e in repo.audit_entries(sqlite_url, "s1")] == ["requeue", "reveal"]


def test_when_a_batch_repeats_an_id_then_it_is_422_naming_the_id(client, keys):
    batch = {"items": [{"id": "a", "text": BAD}, {"id": "dup2", "text": BAD}, {"id": "dup2", "text": "other"}]}
    r = client.post("/v1/score/batch", json=batch, headers=auth(keys["score"]))
    assert r.status_code == 422 and "'dup2' appears more than once" in r.json()["message"]
    assert client.get("/v1/queue", headers=auth(keys["review"])).json()["count"] == 0


def test_when_one_call_holds_an_id_twice_then_the_later_text_wins(sqlite_url):
    # Concurrent single requests are coalesced into one call, so a repeated id can reach the store together.
    first, later = review_item(id="c", text="first"), review_item(id="c", text="later", priority=0.9)
    assert repo.enqueue(sqlite_url, [first, later]) == [True, True]
    (row,), _ = repo.list_queue(sqlite_url)
    assert (row.text, row.priority) == ("later", 0.9)


def test_when_another_replica_inserts_the_same_id_meanwhile_then_the_edit_still_lands_on_postgres(pg_database):
    import threading
    import time

    from sqlalchemy.orm import Session

    from comments.store.db import get_engine
    from tests.api.conftest import _truncate

    _truncate(pg_database)
    other = Session(get_engine(pg_database))
    other.add(review_item(id="race", text="first"))
    other.flush()  # inserted, not committed: our insert of the same id waits on it, then fails
    out = []
    writer = threading.Thread(
        target=lambda: out.append(repo.enqueue(pg_database, [review_item(id="race", text="new")]))
    )
    writer.start()
    time.sleep(0.5)
    assert writer.is_alive()
    other.commit()
    other.close()
    writer.join(10)
    assert out == [[True]]
    (row,), _ = repo.list_queue(pg_database)
    assert row.text == "new" and [e.action for e in repo.audit_entries(pg_database, "race")] == ["requeue"]


def test_when_two_replicas_insert_the_same_ids_in_other_orders_then_neither_deadlocks_on_postgres(pg_database):
    import threading
    import time

    from sqlalchemy.orm import Session

    from comments.store.db import get_engine
    from tests.api.conftest import _truncate

    _truncate(pg_database)
    other = Session(get_engine(pg_database))
    other.add(review_item(id="a", text="theirs a"))
    other.flush()  # holds "a"; our batch names "b" first, and must still insert "a" before "b"
    out = []
    items = [review_item(id="b", text="ours b"), review_item(id="a", text="ours a")]
    writer = threading.Thread(target=lambda: out.append(repo.enqueue(pg_database, items)))
    writer.start()
    time.sleep(0.5)
    other.add(review_item(id="b", text="theirs b"))
    other.flush()  # had we inserted "b" first, each would now wait on the other
    other.commit()
    other.close()
    writer.join(10)
    assert out == [[True, True]]
    assert sorted(r.text for r in repo.list_queue(pg_database)[0]) == ["ours a", "ours b"]


@pytest.mark.parametrize("path", ["/v1/score", "/v1/score/batch"])
@pytest.mark.parametrize("field, value", [("text", ""), ("text", " \n\t "), ("id", ""), ("id", "   ")])
def test_when_text_or_id_is_blank_then_it_is_422_with_a_reason(lite_client, path, field, value):
    one = {"id": "b1", "text": "hello", field: value}
    body = one if path == "/v1/score" else {"items": [{"id": "ok", "text": "hi"}, one]}
    r = lite_client.post(path, json=body, headers=auth(lite_client.keys["score"]))
    assert r.status_code == 422 and field in r.json()["message"], r.text
    assert "empty" in r.json()["message"] or "at least 1" in r.json()["message"]


def test_when_text_exceeds_ten_thousand_characters_then_it_is_422(lite_client):
    h = auth(lite_client.keys["score"])
    assert lite_client.post("/v1/score", json={"id": "a", "text": "x" * 10_000}, headers=h).status_code == 200
    r = lite_client.post("/v1/score", json={"id": "a", "text": "x" * 10_001}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "validation" and "text" in r.json()["message"]


def test_when_a_batch_has_257_items_then_it_is_422(lite_client):
    items = [{"id": str(i), "text": "hi"} for i in range(257)]
    r = lite_client.post("/v1/score/batch", json={"items": items}, headers=auth(lite_client.keys["score"]))
    assert r.status_code == 422
    assert r.json()["fields"][0]["loc"] == ["body", "items"]


def test_when_the_body_is_larger_than_the_cap_then_it_is_413(lite_client):
    r = lite_client.post(
        "/v1/score", content=b'{"id":"a","text":"' + b"x" * 2_000_000 + b'"}', headers=auth(lite_client.keys["score"])
    )
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"


def test_when_the_model_is_not_loaded_then_scoring_is_503_and_readyz_says_so(sqlite_url):
    from fastapi.testclient import TestClient

    from comments.api.main import create_app
    from comments.store import repo
    from tests.api.conftest import make_settings

    token = repo.create_api_key(sqlite_url, "s", ["score"])[1]
    with TestClient(create_app(make_settings(sqlite_url))) as c:
        r = c.post("/v1/score", json={"id": "a", "text": "hi"}, headers=auth(token))
        assert r.status_code == 503 and r.json()["code"] == "model_load"
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"] == {"model": False, "database": True}


def test_when_many_single_requests_arrive_together_then_each_gets_its_own_result(lite_client):
    import concurrent.futures

    h = auth(lite_client.keys["score"])
    texts = {f"c{i}": ("who wants to trade" if i % 2 else f"fine {i}") for i in range(40)}

    def one(item):
        return lite_client.post("/v1/score", json={"id": item[0], "text": item[1]}, headers=h).json()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, texts.items()))
    assert [r["id"] for r in results] == list(texts)
    assert [r["decision"] for r in results] == ["remove" if i % 2 else "allow" for i in range(40)]


def test_when_one_request_in_a_coalesced_batch_fails_then_the_others_still_succeed():
    import asyncio

    from comments.api.batcher import ScoreBatcher

    def score(reqs):
        if "bad" in reqs:
            raise ValueError("bad")
        return [r.upper() for r in reqs]

    async def main():
        b = ScoreBatcher(score, workers=1)
        try:
            return await asyncio.gather(*(b.submit(x) for x in ["a", "bad", "c"]), return_exceptions=True)
        finally:
            b.close()

    out = asyncio.run(main())
    assert out[0] == "A" and isinstance(out[1], ValueError) and out[2] == "C"


def _coalesced(url: str, calls: list) -> tuple[list, int]:
    """`calls` ((key, request) pairs) sent together through the API's batcher and `service.score`, while
    its one worker is busy with a first request, so they go as one batch: (answers or errors, texts scored)."""
    import asyncio

    from comments.api import service
    from comments.api.batcher import ScoreBatcher
    from comments.api.crypto import TextCipher
    from comments.api.schemas import ScoreRequest
    from comments.store.scores import ScoreLogWriter
    from tests.api.fakes import FakePipeline

    scored = []

    class Counting(FakePipeline):
        def score_batch(self, texts, run_all=False):
            scored.extend(texts)
            return super().score_batch(texts, run_all)

    log, pipeline = ScoreLogWriter(url, interval=3600), Counting()

    async def run():
        batcher = ScoreBatcher(lambda c: service.score(pipeline, url, TextCipher(None), log, c), workers=1)
        busy = asyncio.create_task(batcher.submit((calls[0][0], ScoreRequest(id="warm", text="hello"))))
        await asyncio.sleep(0)
        out = await asyncio.gather(*(batcher.submit(c) for c in calls), return_exceptions=True)
        await busy
        batcher.close()
        return out

    out = asyncio.run(run())
    log.close()
    return out, len(scored)


def test_when_the_queue_is_unavailable_then_only_coalesced_requests_that_need_it_fail_and_nothing_is_rescored(
    sqlite_url,
):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from comments.api.schemas import ScoreRequest
    from comments.store.db import get_engine

    with get_engine(sqlite_url).begin() as conn:  # the queue's table is away
        conn.execute(text("ALTER TABLE review_items RENAME TO review_items_away"))
    key = repo.KeyRecord("k", "forum", frozenset({"score"}))
    texts = ["lovely weather", BAD, "nice day", "fine"]
    out, scored = _coalesced(sqlite_url, [(key, ScoreRequest(id=f"q{i}", text=t)) for i, t in enumerate(texts)])
    allowed = [out[0], out[2], out[3]]
    assert isinstance(out[1], OperationalError)
    assert [o.decision for o in allowed] == ["allow"] * 3 and not any(o.queued for o in allowed)
    assert scored == 5  # "warm", then the four once: nobody was scored again alone
    with get_engine(sqlite_url).connect() as conn:  # the score log keeps what was answered: not the 503
        assert conn.execute(text("SELECT count(*) FROM score_log")).scalar() == 4


def test_when_another_client_sends_a_queued_id_then_it_is_409_and_the_item_is_untouched(client, keys):
    url = client.app.state.runtime.url
    client.post("/v1/score", json={"id": "p1", "text": BAD}, headers=auth(keys["score"]))
    other = repo.create_api_key(url, "other-platform", ["score"])[1]
    for text in (BAD, "let's find her"):
        r = client.post("/v1/score", json={"id": "p1", "text": text}, headers=auth(other))
        assert r.status_code == 409 and "another client queued" in r.json()["message"] and "'p1'" in r.json()["message"]
    batch = {"items": [{"id": "fresh", "text": BAD}, {"id": "p1", "text": "let's find her"}]}
    assert client.post("/v1/score/batch", json=batch, headers=auth(other)).status_code == 409
    item = repo.get_item(url, "p1")
    assert (item.text, item.revision, item.client) == (BAD, 1, "score") and repo.audit_entries(url, "p1") == []
    assert client.get("/v1/queue", headers=auth(keys["review"])).json()["count"] == 1  # "fresh" went with its batch
    # A rotated key keeps its name, and with it the client's ids; an allowed comment never touches the queue.
    rotated = repo.create_api_key(url, "score", ["score"])[1]
    assert client.post("/v1/score", json={"id": "p1", "text": "let's find her"}, headers=auth(rotated)).json()["queued"]
    assert client.post("/v1/score", json={"id": "p1", "text": "lovely weather"}, headers=auth(other)).status_code == 200


def test_when_an_escalated_item_is_edited_then_it_stays_escalated_with_the_next_revision(client, keys):
    url, h = client.app.state.runtime.url, auth(keys["review"])
    client.post("/v1/score", json={"id": "x1", "text": BAD}, headers=auth(keys["score"]))
    client.post("/v1/items/x1/decision", json={"action": "escalate"}, headers=h)
    client.post("/v1/score", json={"id": "x1", "text": "let's find her"}, headers=auth(keys["score"]))
    item = client.get("/v1/items/x1", headers=h).json()
    assert (item["status"], item["review_action"], item["revision"], item["decision"]) == (
        "escalated",
        "escalate",
        2,
        "review",
    )
    assert [e.action for e in repo.audit_entries(url, "x1")] == ["decision:escalate", "requeue"]


@pytest.mark.parametrize("bad", [".", "..", "a/../b", "post/./1", "x/..", "a//b", "/post/1", "post/1/"])
def test_when_an_id_has_dot_segments_then_it_is_422(client, keys, bad):
    r = client.post("/v1/score", json={"id": bad, "text": BAD}, headers=auth(keys["score"]))
    assert r.status_code == 422 and "segments" in r.json()["message"]


def test_when_an_id_only_contains_dots_inside_segments_then_it_is_accepted(client, keys):
    r = client.post("/v1/score", json={"id": "v1.2/...x/a..b", "text": BAD}, headers=auth(keys["score"]))
    assert r.status_code == 200 and r.json()["queued"] is True


def test_when_two_edits_of_one_id_overlap_then_neither_is_lost_and_each_raises_the_revision(db_url):
    import threading

    repo.enqueue(db_url, [review_item(id="o1", text="v1")], key_id="forum")
    later = threading.Thread(target=lambda: repo.enqueue(db_url, [review_item(id="o1", text="v3")], key_id="forum"))

    def read_text(row):  # the first edit has read the row; the second starts now and must wait for it
        if not later.is_alive() and later.ident is None:
            later.start()
            later.join(0.5)
        return row.text

    first = repo.ScoredComment("o1", "v2", review_item(id="o1", text="v2"), "k", "forum")
    assert repo.update_queue(db_url, [first], read_text) == [True]
    later.join(10)
    row = repo.get_item(db_url, "o1")
    assert (row.text, row.revision) == ("v3", 3)
    assert [e.action for e in repo.audit_entries(db_url, "o1")] == ["requeue", "requeue"]


def test_when_coalesced_requests_include_another_clients_id_then_only_that_one_fails_and_nothing_is_rescored(
    sqlite_url,
):
    from comments.api.schemas import ScoreRequest
    from comments.errors import ConflictError

    repo.enqueue(sqlite_url, [review_item(id="owned", text="x")], key_id="forum")
    shop = repo.KeyRecord("k-shop", "shop", frozenset({"score"}))
    calls = [(shop, ScoreRequest(id=f"c{i}", text=BAD)) for i in range(5)] + [
        (shop, ScoreRequest(id="owned", text=BAD))
    ]
    out, scored = _coalesced(sqlite_url, calls)
    assert [o.queued for o in out[:5]] == [True] * 5 and isinstance(out[5], ConflictError)
    assert scored == 7  # "warm", then the six once: no request was scored again alone
    assert (
        repo.get_item(sqlite_url, "owned").client == "forum" and repo.queue_depth(sqlite_url) == 6
    )  # the five and "owned"

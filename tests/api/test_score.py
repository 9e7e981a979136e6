"""Scoring endpoints: shape, order, queueing, limits."""

from tests.api.conftest import auth

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


def test_when_the_same_id_is_scored_twice_then_it_is_queued_once(client, keys):
    for _ in range(2):
        client.post("/v1/score", json={"id": "dup", "text": BAD}, headers=auth(keys["score"]))
    batch = {"items": [{"id": "dup2", "text": BAD}, {"id": "dup2", "text": BAD}]}
    assert client.post("/v1/score/batch", json=batch, headers=auth(keys["score"])).status_code == 200
    assert client.get("/v1/queue", headers=auth(keys["review"])).json()["count"] == 2


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

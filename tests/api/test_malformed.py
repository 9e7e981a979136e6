"""Malformed input (truncated JSON, huge bodies, control characters, mixed encodings, wrong types): 4xx, never 5xx."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from comments.store import repo
from comments.store.db import migrate
from tests.api.conftest import _truncate, make_settings
from tests.api.fakes import FakePipeline

SCORE = {"id": "m1", "text": "Kayla Dorsey is in that video", "context": {"thread": "t1"}}
BATCH = {"items": [SCORE, {"id": "m2", "text": "hello"}]}
DECISION = {"action": "remove", "labels": {"promotion": True}, "note": "n"}
PROTECT = {"name": "Kayla Dorsey", "handles": ["@kd"], "aliases": ["KD"]}
ENDPOINTS = {"/v1/score": SCORE, "/v1/score/batch": BATCH, "/v1/items/m1/decision": DECISION, "/v1/protected": PROTECT}


def _truncated() -> list[tuple[str, str, bytes]]:
    cases = []
    for path, body in ENDPOINTS.items():
        raw = json.dumps(body).encode()
        for cut in range(0, len(raw), max(1, len(raw) // 20)):
            cases.append((f"truncated {path} at {cut}", path, raw[:cut]))
    return cases


def _wrong_types() -> list[tuple[str, str, bytes]]:
    odd = [None, 1, 1.5, True, "s", [], {}, ["x"], {"a": 1}, 10**30]
    cases = []
    for path, body in ENDPOINTS.items():
        for field, good in body.items():
            for value in odd:
                if type(value) is type(good) or (field in ("context", "labels") and value is None):
                    continue
                cases.append((f"{path} {field}={value!r}", path, json.dumps({**body, field: value}).encode()))
        cases.append((f"{path} unknown field", path, json.dumps({**body, "surprise": 1}).encode()))
        cases.append((f"{path} top-level list", path, json.dumps([body]).encode()))
        cases.append((f"{path} top-level string", path, b'"hello"'))
    return cases


def _encodings_and_controls() -> list[tuple[str, str, bytes]]:
    text = "Kayla Dorsey caf\u00e9 \u2603"
    body = {"id": "e1", "text": text}
    raws = {
        "latin-1": json.dumps(body, ensure_ascii=False).encode("latin-1", "replace"),
        "utf-16": json.dumps(body).encode("utf-16"),
        "utf-32": json.dumps(body).encode("utf-32"),
        "cp1252 inside utf-8": b'{"id":"e1","text":"caf\xe9 \x93quoted\x94"}',
        "overlong utf-8": b'{"id":"e1","text":"\xc0\xaf"}',
        "lone continuation": b'{"id":"e1","text":"\x80\x80"}',
        "truncated multibyte": b'{"id":"e1","text":"\xe2\x98"}',
        "utf-8 surrogate bytes": b'{"id":"e1","text":"\xed\xa0\x80"}',
        "escaped lone surrogate": b'{"id":"e1","text":"\\ud800"}',
        "escaped NUL": b'{"id":"e1","text":"a\\u0000b"}',
        "escaped NUL in id": b'{"id":"a\\u0000","text":"b"}',
        "escaped NUL in context": b'{"id":"e1","text":"b","context":{"k":"a\\u0000"}}',
        "lone surrogate in context key": b'{"id":"e1","text":"b","context":{"\\udc00":1}}',
        "raw NUL": b'{"id":"e1","text":"a\x00b"}',
        "BOM prefix": b"\xef\xbb\xbf" + json.dumps(body).encode(),
        "NaN": b'{"id":"e1","text":NaN}',
        "Infinity number": b'{"id":"e1","text":"a","enqueue":Infinity}',
        "huge exponent": b'{"id":"e1","text":"a","enqueue":1e999999}',
        "trailing garbage": json.dumps(body).encode() + b"}}}",
        "two documents": json.dumps(body).encode() * 2,
        "single quotes": b"{'id':'e1','text':'a'}",
        "comment": b'{"id":"e1", /* c */ "text":"a"}',
        "empty": b"",
        "whitespace": b"   \n\t ",
        "deep nesting": b'{"id":"e1","text":"a","context":' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}",
        "deep list": b"[" * 100_000 + b"]" * 100_000,
        "duplicate keys": b'{"id":"e1","id":"e2","text":"a"}',
        "long id": json.dumps({"id": "i" * 201, "text": "a"}).encode(),
        "empty id": json.dumps({"id": "", "text": "a"}).encode(),
        "text over limit": json.dumps({"id": "e1", "text": "x" * 10_001}).encode(),
        "text over limit in batch": json.dumps({"items": [{"id": "e1", "text": "x" * 10_001}]}).encode(),
        "batch of 257": json.dumps({"items": [{"id": str(i), "text": "a"} for i in range(257)]}).encode(),
        "empty batch": b'{"items":[]}',
        "huge body": b'{"id":"e1","text":"' + b"x" * 3_000_000 + b'"}',
        "huge body of spaces": b" " * 1_100_000,
    }
    for c in range(32):  # raw control characters are invalid inside JSON strings
        if chr(c) not in "\t\n\r":
            raws[f"raw control {c:#04x}"] = b'{"id":"e1","text":"a' + bytes([c]) + b'b"}'
    cases = [(name, "/v1/score", raw) for name, raw in raws.items() if "batch" not in name]
    cases += [(name, "/v1/score/batch", raw) for name, raw in raws.items() if "batch" in name]
    return cases


# Valid JSON by Python's decoder (RFC 8259 lets a parser accept these): 2xx is fine, 5xx is not.
MAY_PASS = {"utf-16", "utf-32", "BOM prefix", "duplicate keys"}
CASES = _truncated() + _wrong_types() + _encodings_and_controls()


def test_the_malformed_suite_has_at_least_200_cases():
    assert len(CASES) >= 200


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def fuzz_client(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('malformed')}/m.db"
        migrate(url)
    else:
        url = request.getfixturevalue("pg_database")
        _truncate(url)
    token = repo.create_api_key(url, "fuzz", ["score", "review", "admin"])[1]
    with TestClient(create_app_for(url)) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        c.post("/v1/score", json=SCORE)  # so the decision endpoint has an item
        yield c


def create_app_for(url: str):
    from comments.api.main import create_app

    return create_app(make_settings(url), pipeline=FakePipeline())


@pytest.mark.parametrize(("name", "path", "raw"), CASES, ids=[c[0] for c in CASES])
def test_when_the_body_is_malformed_then_the_answer_is_4xx_with_a_reason(fuzz_client, name, path, raw):
    r = fuzz_client.post(path, content=raw, headers={"content-type": "application/json"})
    if name in MAY_PASS and r.status_code < 300:
        return
    assert 400 <= r.status_code < 500, f"{name}: {r.status_code} {r.text[:200]}"
    body = r.json()
    assert body["code"] and body["message"]
    assert "Kayla" not in r.text and "Traceback" not in r.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""])
def test_when_the_content_type_is_not_json_then_it_is_415_asking_for_json(fuzz_client, content_type):
    r = fuzz_client.post("/v1/score", content=json.dumps(SCORE).encode(), headers={"content-type": content_type})
    assert r.status_code == 415 and "application/json" in r.json()["message"]


@pytest.mark.parametrize("raw", [b'{"id":"u1","text":"caf\xe9"}', b'{"id":"u1","text":"\xc0\xaf"}'])
def test_when_the_body_is_not_utf8_then_it_is_400_saying_so(fuzz_client, raw):
    r = fuzz_client.post("/v1/score", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400 and "UTF-8" in r.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"action": "remove", "note": "a\x00b"},
        {"action": "remove", "note": "\ud800"},
        {"action": "remove", "labels": {"promotion": "yes"}},
        {"action": "remove", "labels": {"nonsense": True}},
        {"action": "delete"},
    ],
)
def test_when_a_decision_body_is_malformed_then_it_is_422(fuzz_client, body):
    raw = json.dumps(body).encode()
    r = fuzz_client.post("/v1/items/m1/decision", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422


@pytest.mark.parametrize(
    "path", ["/v1/items/a%00b", "/review/items/a%00b", "/v1/audit?item_id=a%00b", "/v1/audit?action=re%00veal"]
)
def test_when_a_path_or_query_holds_a_nul_then_it_is_422_on_every_backend(fuzz_client, path):
    r = fuzz_client.get(path)
    assert r.status_code == 422 and "NUL" in r.json()["message"], r.text

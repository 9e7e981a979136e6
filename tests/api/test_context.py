"""The optional `context` object: sealed at rest like the text when an encryption key is set."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import text

from comments.store.db import get_engine
from tests.api.conftest import auth, make_settings
from tests.api.fakes import FakePipeline, review_item

CONTEXT = {"thread": "zzthread-4471", "reply_to": {"handle": "@zzreplyer"}, "tags": ["zzsensitive"]}
FLAGGED = "who wants to trade that video"


def _stored(url: str) -> str:
    with get_engine(url).connect() as conn:
        return " ".join(map(str, conn.execute(text("SELECT context, text FROM review_items")).one()))


def _score_and_read(url: str, keys: dict, **settings) -> dict:
    from comments.api.main import create_app

    with TestClient(create_app(make_settings(url, **settings), pipeline=FakePipeline())) as c:
        body = {"id": "c1", "text": FLAGGED, "context": CONTEXT}
        assert c.post("/v1/score", json=body, headers=auth(keys["score"])).json()["queued"] is True
        assert c.get("/v1/items/c1", headers=auth(keys["review"])).json()["context"] is None  # masked view
        return c.post("/v1/items/c1/reveal", json={"reason": "checking"}, headers=auth(keys["review"])).json()


def test_when_an_encryption_key_is_set_then_the_stored_context_holds_no_plaintext(db_url, keys):
    item = _score_and_read(db_url, keys, encryption_key=Fernet.generate_key().decode())
    assert item["context"] == CONTEXT
    stored = _stored(db_url)
    # whole plaintext values: a two-letter marker also turns up in random ciphertext by chance
    assert "_enc" in stored and not any(v in stored for v in ("zzthread-4471", "@zzreplyer", "zzsensitive", "video"))


def test_when_no_encryption_key_is_set_then_context_is_stored_and_read_as_sent(db_url, keys):
    assert _score_and_read(db_url, keys)["context"] == CONTEXT
    assert "zzthread-4471" in _stored(db_url)


def test_when_a_row_predates_sealed_context_then_its_plain_context_still_reads(sqlite_url):
    from comments.api.crypto import TextCipher
    from comments.api.main import create_app
    from comments.store import repo
    from tests.api.conftest import _keys

    key = Fernet.generate_key().decode()
    sealed = TextCipher(key).seal("t")
    old = review_item(id="old", text=sealed, masked_text=sealed, encrypted=True, context={"thread": "t9"})
    repo.enqueue(sqlite_url, [old])
    keys = _keys(sqlite_url)
    with TestClient(create_app(make_settings(sqlite_url, encryption_key=key), pipeline=FakePipeline())) as c:
        got = c.post("/v1/items/old/reveal", json={"reason": "checking"}, headers=auth(keys["review"]))
    assert got.status_code == 200 and got.json()["context"] == {"thread": "t9"} and got.json()["text"] == "t"


def test_when_the_cipher_seals_json_then_it_opens_to_the_same_value_and_plain_rows_pass_through():
    from comments.api.crypto import TextCipher

    cipher = TextCipher(Fernet.generate_key().decode())
    sealed = cipher.seal_json(CONTEXT)
    assert set(sealed) == {"_enc"} and cipher.open_json(sealed, True) == CONTEXT
    assert cipher.open_json({"thread": "t"}, True) == {"thread": "t"}
    assert cipher.seal_json(None) is None and TextCipher(None).seal_json(CONTEXT) == CONTEXT


def _nested(levels: int) -> bytes:
    """A score request whose context nests `levels` objects and lists, the context itself included."""
    inner = "[" * (levels - 1) + "]" * (levels - 1)
    return ('{"id": "d1", "text": "hi", "context": {"a": ' + inner + "}}").encode()


@pytest.mark.parametrize("levels, status", [(20, 200), (21, 422), (500, 422), (900, 422)])
def test_when_context_nests_deeper_than_twenty_levels_then_it_is_422_not_500(lite_client, levels, status):
    h = {**auth(lite_client.keys["score"]), "content-type": "application/json"}
    r = lite_client.post("/v1/score", content=_nested(levels), headers=h)
    assert r.status_code == status, r.text
    if status == 422:
        assert "deeper than 20 levels" in r.json()["message"]

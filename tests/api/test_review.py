"""Queue, item view, reveal audit, claim, decisions with idempotency, export, purge."""

import base64
from datetime import timedelta

import pytest

from comments.store import repo
from comments.store.tables import utcnow
from tests.api.conftest import auth
from tests.api.fakes import review_item

NAMED = "Kayla Dorsey is the girl in that video"


def _score(client, keys, n=1, text=NAMED, prefix="i"):
    items = [{"id": f"{prefix}{k}", "text": text} for k in range(n)]
    r = client.post("/v1/score/batch", json={"items": items}, headers=auth(keys["score"]))
    assert r.status_code == 200, r.text


def test_when_an_item_is_read_then_identifiers_are_masked_by_default(client, keys):
    _score(client, keys)
    body = client.get("/v1/items/i0", headers=auth(keys["review"])).json()
    assert body["text"] == "[NAME] is the girl in that video" and body["revealed"] is False
    span = next(r for r in body["reasons"] if r["rule_id"] == "fake.victim_identification")
    assert body["text"][span["masked_start"] : span["masked_end"]] == "that video"
    assert repo.audit_entries(client.app.state.runtime.url, "i0") == []


def test_when_key_lacks_review_scope_then_reveal_is_403(client, keys):
    _score(client, keys)
    r = client.post("/v1/items/i0/reveal", json={"reason": "checking"}, headers=auth(keys["score"]))
    assert r.status_code == 403 and "review" in r.json()["message"]


def test_when_an_item_is_revealed_then_the_original_shows_and_the_audit_entry_keeps_the_reason(client, keys):
    _score(client, keys)
    body = {"reason": "is this a real name?"}
    r = client.post("/v1/items/i0/reveal", json=body, headers=auth(keys["review"]))
    assert r.json()["text"] == NAMED and r.json()["revealed"] is True
    assert r.headers["cache-control"] == "no-store" and r.headers["etag"] == '"1"'
    entries = repo.audit_entries(client.app.state.runtime.url, "i0")
    assert [(e.action, e.item_id, e.reason) for e in entries] == [("reveal", "i0", "is this a real name?")]


def test_when_a_revealed_item_does_not_exist_then_it_is_404_and_nothing_is_audited(client, keys):
    _score(client, keys)
    r = client.post("/v1/items/i9/reveal", json={"reason": "checking"}, headers=auth(keys["review"]))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert repo.audit_entries(client.app.state.runtime.url, action="reveal") == []


def test_when_an_admin_reads_the_audit_log_then_reveals_come_with_reasons_page_by_page(client, keys):
    _score(client, keys, n=3)
    for n in range(3):
        client.post(f"/v1/items/i{n}/reveal", json={"reason": f"why {n}"}, headers=auth(keys["review"]))
    client.post("/v1/items/i0/decision", json={"action": "remove"}, headers=auth(keys["review"]))
    h = auth(keys["admin"])
    first = client.get("/v1/audit?action=reveal&limit=2", headers=h).json()
    assert [(e["item_id"], e["reason"]) for e in first["data"]] == [("i0", "why 0"), ("i1", "why 1")]
    rest = client.get(f"/v1/audit?action=reveal&after={first['next_after']}", headers=h).json()
    assert [(e["item_id"], e["reason"]) for e in rest["data"]] == [("i2", "why 2")] and rest["next_after"] is None
    of_i0 = client.get("/v1/audit?item_id=i0", headers=h).json()["data"]
    assert [e["action"] for e in of_i0] == ["reveal", "decision:remove"] and "Kayla" not in str(of_i0)
    assert client.get("/v1/audit", headers=auth(keys["review"])).status_code == 403


@pytest.mark.parametrize(
    "body",
    [{}, {"reason": ""}, {"reason": "    "}, {"reason": " ok "}, {"reason": "a\x00b c"}, {"reason": "two\nlines"}],
)
def test_when_a_reveal_gives_no_usable_reason_then_it_is_422_and_nothing_is_shown_or_audited(client, keys, body):
    _score(client, keys)
    r = client.post("/v1/items/i0/reveal", json=body, headers=auth(keys["review"]))
    assert r.status_code == 422 and "reason" in r.json()["message"] and NAMED not in r.text
    assert repo.audit_entries(client.app.state.runtime.url, "i0") == []


def test_when_a_reveal_is_asked_in_the_url_then_it_is_422_pointing_at_the_post(client, keys):
    _score(client, keys)
    r = client.get("/v1/items/i0?reveal=true", headers=auth(keys["review"]))
    assert r.status_code == 422 and "POST /v1/items/{id}/reveal" in r.json()["message"] and NAMED not in r.text


def test_when_the_text_was_edited_after_the_reviewer_read_it_then_a_matching_decision_is_412(client, keys):
    _score(client, keys)
    h, url = auth(keys["review"]), client.app.state.runtime.url
    read = client.get("/v1/items/i0", headers=h)
    assert read.json()["revision"] == 1
    client.post("/v1/score", json={"id": "i0", "text": "let's find her"}, headers=auth(keys["score"]))
    stale = client.post(
        "/v1/items/i0/decision", json={"action": "allow"}, headers=h | {"If-Match": read.headers["etag"]}
    )
    assert stale.status_code == 412 and stale.json()["code"] == "stale" and 'ETag "2"' in stale.json()["message"]
    assert repo.decisions_for(url, "i0") == [] and repo.get_item(url, "i0").status == "queued"
    fresh = client.get("/v1/items/i0", headers=h).headers["etag"]
    assert fresh == '"2"'
    ok = client.post("/v1/items/i0/decision", json={"action": "allow"}, headers=h | {"If-Match": fresh})
    assert ok.status_code == 201 and ok.json()["revision"] == 2
    assert [d.revision for d in repo.decisions_for(url, "i0")] == [2]


def test_when_a_decision_comes_without_if_match_then_it_says_which_revision_it_was_made_on(client, keys):
    _score(client, keys)
    client.post("/v1/score", json={"id": "i0", "text": "let's find her"}, headers=auth(keys["score"]))
    made = client.post("/v1/items/i0/decision", json={"action": "remove"}, headers=auth(keys["review"]))
    assert made.status_code == 201 and made.json()["revision"] == 2


@pytest.mark.parametrize(
    "tag, status",
    [
        ('"1"', 201),
        ('"2", "1"', 201),
        ("*", 201),
        ('"2"', 412),
        ('"01"', 412),  # strong comparison: the same characters, not the same number
        ('W/"1"', 412),  # weak tags never match under If-Match's strong comparison
        ('"\u00b2"', 412),  # a superscript two is not a revision
        ("1", 422),
        ('"1', 422),
        ("", 422),
    ],
)
def test_when_if_match_is_sent_then_a_strong_etag_of_the_current_revision_or_a_star_is_needed(
    client, keys, tag, status
):
    _score(client, keys)
    r = client.post(
        "/v1/items/i0/decision",
        json={"action": "allow"},
        headers=auth(keys["review"]) | {"If-Match": tag.encode("latin-1")},
    )
    assert r.status_code == status, r.text


def test_when_if_match_comes_in_several_header_lines_then_they_form_one_list(client, keys):
    _score(client, keys)
    headers = [("Authorization", f"Bearer {keys['review']}"), ("If-Match", '"7"'), ("If-Match", '"1"')]
    r = client.post("/v1/items/i0/decision", json={"action": "allow"}, headers=headers)
    assert r.status_code == 201, r.text


def test_when_the_item_does_not_exist_then_it_is_404(client, keys):
    r = client.get("/v1/items/nope", headers=auth(keys["review"]))
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_when_the_queue_is_paged_then_every_item_appears_once_in_priority_order(client, keys):
    _score(client, keys, 7, "who wants to trade", "p")
    _score(client, keys, 5, "let's find her", "s")
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/queue", params=params, headers=auth(keys["review"])).json()
        seen += page["data"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 12 and len({s["id"] for s in seen}) == 12
    prios = [s["priority"] for s in seen]
    assert prios == sorted(prios, reverse=True)


def test_when_the_queue_is_filtered_then_only_matching_items_come_back(client, keys):
    _score(client, keys, 2, "who wants to trade", "p")
    _score(client, keys, 3, "let's find her", "s")
    h = auth(keys["review"])
    assert client.get("/v1/queue?label=safety_concern", headers=h).json()["count"] == 3
    assert client.get("/v1/queue?decision=remove", headers=h).json()["count"] == 2
    assert client.get("/v1/queue?min_priority=0.5", headers=h).json()["count"] == 2
    client.post("/v1/items/s0/claim", headers=h)
    assert [i["id"] for i in client.get("/v1/queue?status=claimed", headers=h).json()["data"]] == ["s0"]
    assert client.get("/v1/queue?label=nonsense", headers=h).status_code == 422
    assert client.get("/v1/queue?cursor=%%%", headers=h).status_code == 422
    for forged in ("0.5:99999999999", "nan:1", "0.5:-1"):  # well-formed, but past what the columns hold
        cursor = base64.urlsafe_b64encode(forged.encode()).decode()
        assert client.get("/v1/queue", params={"cursor": cursor}, headers=h).status_code == 422


def test_when_another_reviewer_holds_the_claim_then_claim_and_decision_are_409(client, keys):
    _score(client, keys)
    assert client.post("/v1/items/i0/claim", headers=auth(keys["review"])).json()["status"] == "claimed"
    other = auth(keys["all"])
    assert client.post("/v1/items/i0/claim", headers=other).status_code == 409
    assert client.post("/v1/items/i0/decision", json={"action": "allow"}, headers=other).status_code == 409


def test_when_a_decision_is_retried_with_the_same_idempotency_key_then_it_is_stored_once(client, keys):
    _score(client, keys)
    h = {**auth(keys["review"]), "Idempotency-Key": "k-1"}
    body = {"action": "remove", "labels": {"victim_identification": True}, "note": "named"}
    first = client.post("/v1/items/i0/decision", json=body, headers=h)
    again = client.post("/v1/items/i0/decision", json=body, headers=h)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    url = client.app.state.runtime.url
    assert len(repo.decisions_for(url, "i0")) == 1
    clash = client.post("/v1/items/i0/decision", json={**body, "action": "escalate"}, headers=h)
    assert clash.status_code == 409 and "Idempotency-Key" in clash.json()["message"]


def test_when_an_item_is_already_reviewed_then_another_decision_is_409_and_a_keyed_retry_returns_the_first(
    client, keys
):
    _score(client, keys)
    h = {**auth(keys["review"]), "Idempotency-Key": "k-1"}
    first = client.post("/v1/items/i0/decision", json={"action": "remove"}, headers=h)
    later = client.post("/v1/items/i0/decision", json={"action": "allow"}, headers=auth(keys["all"]))
    assert first.status_code == 201 and later.status_code == 409
    assert later.json()["message"].startswith("the item is already reviewed")
    retry = client.post("/v1/items/i0/decision", json={"action": "remove"}, headers=h)
    assert retry.status_code == 200 and retry.json() == first.json()
    item = client.get("/v1/items/i0", headers=auth(keys["review"])).json()
    assert item["review_action"] == "remove" and len(repo.decisions_for(client.app.state.runtime.url, "i0")) == 1


def test_when_an_item_is_escalated_then_its_claim_is_released_for_another_reviewer(client, keys):
    _score(client, keys)
    first, senior = auth(keys["review"]), auth(keys["all"])
    client.post("/v1/items/i0/claim", headers=first)
    assert client.post("/v1/items/i0/decision", json={"action": "escalate"}, headers=first).status_code == 201
    item = client.get("/v1/items/i0", headers=first).json()
    assert (item["status"], item["claimed_by"]) == ("escalated", None)
    claimed = client.post("/v1/items/i0/claim", headers=senior)
    assert claimed.status_code == 200 and claimed.json()["status"] == "escalated"
    assert client.post("/v1/items/i0/decision", json={"action": "remove"}, headers=senior).status_code == 201


def test_when_a_claimed_item_is_decided_then_others_are_told_it_is_reviewed_not_claimed(client, keys):
    _score(client, keys)
    h, other = auth(keys["review"]), auth(keys["all"])
    client.post("/v1/items/i0/claim", headers=h)
    client.post("/v1/items/i0/decision", json={"action": "allow"}, headers=h)
    assert client.get("/v1/items/i0", headers=h).json()["claimed_by"] is None
    for path in ("/v1/items/i0/claim", "/v1/items/i0/decision"):
        r = client.post(path, json={"action": "remove"}, headers=other)
        assert r.status_code == 409 and "already reviewed" in r.json()["message"]


def test_when_an_id_contains_slashes_then_it_can_be_viewed_claimed_revealed_and_decided(client, keys):
    h = auth(keys["review"])
    r = client.post("/v1/score", json={"id": "post/12/c", "text": NAMED}, headers=auth(keys["score"]))
    assert r.json()["queued"] is True
    for path in ("post/12/c", "post%2F12%2Fc"):
        assert client.get(f"/v1/items/{path}", headers=h).json()["id"] == "post/12/c"
    assert client.post("/v1/items/post%2F12%2Fc/claim", headers=h).json()["status"] == "claimed"
    assert client.post("/v1/items/post/12/c/reveal", json={"reason": "checking"}, headers=h).json()["text"] == NAMED
    r = client.post("/v1/items/post/12/c/decision", json={"action": "remove"}, headers=h)
    assert r.status_code == 201 and r.json()["item_id"] == "post/12/c"
    assert [e.item_id for e in repo.audit_entries(client.app.state.runtime.url)] == ["post/12/c"] * 2
    assert client.get("/v1/items/post/12", headers=h).status_code == 404


@pytest.mark.parametrize(
    "body, needs",
    [
        ({"action": "remove", "labels": {"victim_identification": False, "promotion": False}}, "remove needs"),
        ({"action": "remove", "labels": {}}, "remove needs"),
        ({"action": "allow", "labels": {"promotion": True}}, "allow cannot"),
    ],
)
def test_when_labels_contradict_the_action_then_the_decision_is_422(client, keys, body, needs):
    _score(client, keys)
    r = client.post("/v1/items/i0/decision", json=body, headers=auth(keys["review"]))
    assert r.status_code == 422 and needs in r.json()["message"]
    assert repo.decisions_for(client.app.state.runtime.url, "i0") == []


def test_when_some_labels_are_left_out_then_they_are_stored_as_false(client, keys):
    _score(client, keys, 2)
    h = auth(keys["review"])
    removed = client.post("/v1/items/i0/decision", json={"action": "remove", "labels": {"promotion": True}}, headers=h)
    want = {"victim_identification": False, "promotion": True, "safety_concern": False}
    assert removed.json()["labels"] == want
    assert client.get("/v1/items/i0", headers=h).json()["review_labels"] == want
    escalated = client.post("/v1/items/i1/decision", json={"action": "escalate", "labels": {}}, headers=h)
    assert escalated.status_code == 201 and not any(escalated.json()["labels"].values())


def test_when_a_decision_is_made_then_the_item_leaves_the_open_queue(client, keys):
    _score(client, keys)
    h = auth(keys["review"])
    assert client.post("/v1/items/i0/decision", json={"action": "allow"}, headers=h).status_code == 201
    assert client.get("/v1/queue", headers=h).json()["count"] == 0
    item = client.get("/v1/items/i0", headers=h).json()
    assert item["status"] == "reviewed" and item["review_action"] == "allow"
    assert item["review_labels"] == dict.fromkeys(("victim_identification", "promotion", "safety_concern"), False)


def test_when_labels_are_exported_then_reviewed_items_are_training_rows(client, keys):
    _score(client, keys, 3)
    h = auth(keys["review"])
    client.post("/v1/items/i0/decision", json={"action": "remove"}, headers=h)
    client.post("/v1/items/i1/decision", json={"action": "escalate"}, headers=h)
    assert client.post("/v1/export/labels", json={}, headers=auth(keys["admin"])).status_code == 422
    r = client.post("/v1/export/labels", json={"reason": "monthly retrain"}, headers=auth(keys["admin"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    assert r.headers["cache-control"] == "no-store"
    url = client.app.state.runtime.url
    assert [(e.action, e.reason) for e in repo.audit_entries(url, action="export")] == [("export", "monthly retrain")]
    reveals = [(e.item_id, e.reason) for e in repo.audit_entries(url, action="reveal")]
    assert reveals == [("i0", "monthly retrain")]  # the exported item, not the escalated or the open one
    import json

    rows = [json.loads(line) for line in r.text.splitlines()]
    assert rows == [
        {
            "id": "i0",
            "text": NAMED,
            "victim_identification": 1,
            "promotion": 0,
            "safety_concern": 0,
            "action": "remove",
            "model_version": "fake-1",
        }
    ]


def test_when_an_encryption_key_is_set_then_stored_text_is_ciphertext(sqlite_url):
    from cryptography.fernet import Fernet
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from comments.api.main import create_app
    from comments.store.db import get_engine
    from tests.api.conftest import _keys, make_settings
    from tests.api.fakes import FakePipeline

    keys = _keys(sqlite_url)
    settings = make_settings(sqlite_url, encryption_key=Fernet.generate_key().decode())
    with TestClient(create_app(settings, pipeline=FakePipeline())) as c:
        _score(c, keys)
        assert (
            c.post("/v1/items/i0/reveal", json={"reason": "checking"}, headers=auth(keys["review"])).json()["text"]
            == NAMED
        )
    with get_engine(sqlite_url).connect() as conn:
        stored = " ".join(map(str, conn.execute(text("SELECT text, masked_text FROM review_items")).one()))
    assert "Kayla" not in stored and "video" not in stored


@pytest.mark.parametrize("age_days, kept", [(100, 0), (10, 1)])
def test_when_purge_runs_then_items_older_than_retention_are_deleted(sqlite_url, age_days, kept):
    item = review_item(id="old", flagged=",", created_at=utcnow() - timedelta(days=age_days))
    repo.enqueue(sqlite_url, [item])
    key = repo.create_api_key(sqlite_url, "r", ["review"])[0]
    repo.record_decision(sqlite_url, "old", key, "allow", {}, "", None, 60)
    assert repo.purge(sqlite_url, 90) == 1 - kept
    assert repo.queue_depth(sqlite_url) + repo.count_decisions(sqlite_url) == kept


def test_when_the_purge_command_runs_then_it_reports_the_count(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "COMMENTS_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "COMMENTS_RETENTION_DAYS": "30"}
    code = "import typer; from comments.api.cli import register; a = typer.Typer(); register(a); a()"
    out = subprocess.run([sys.executable, "-c", code, "purge"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "purged 0 item(s) older than 30 day(s)"


def test_when_an_old_item_is_edited_then_retention_counts_from_the_new_text(sqlite_url):
    repo.enqueue(sqlite_url, [review_item(id="aged", created_at=utcnow() - timedelta(days=100))])
    repo.enqueue(sqlite_url, [review_item(id="aged", text="edited text")])
    assert repo.purge(sqlite_url, 90) == 0
    assert repo.queue_depth(sqlite_url) == 1

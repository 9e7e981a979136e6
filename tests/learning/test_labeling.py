"""Label Studio (and Argilla) export -> annotate -> import: decisions recorded once, unknown ids refused."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from comments.labels import LABELS
from comments.store import repo, scores
from tests.api.fakes import review_item

RAW = "Kayla Dorsey is the girl in that video"
MASKED = "[NAME] is the girl in that video"


def _seed(url, n=3):
    items = [
        review_item(
            id=f"i{i}",
            text=RAW,
            masked_text=MASKED,
            scores=dict.fromkeys(LABELS, 0.1) | {"victim_identification": 0.7},
            decisions=dict.fromkeys(LABELS, "allow") | {"victim_identification": "review"},
            model_version="m-1",
        )
        for i in range(n)
    ]
    repo.enqueue(url, items)


def _annotation(ann_id, choices, at, cancelled=False, escalate=False):
    result = [{"from_name": "labels", "to_name": "text", "type": "choices", "value": {"choices": choices}}]
    if escalate:
        result.append({"from_name": "escalate", "to_name": "text", "type": "choices", "value": {"choices": ["e"]}})
    return {"id": ann_id, "result": result, "was_cancelled": cancelled, "created_at": at, "updated_at": at}


def _annotated(tasks):
    """What Label Studio's JSON export gives back after reviewers worked on our tasks."""
    by_id = {t["data"]["id"]: t for t in tasks}
    by_id["i0"]["annotations"] = [
        _annotation(11, ["victim_identification", "safety_concern"], "2026-02-01T10:00:00Z"),
        _annotation(10, ["promotion"], "2026-02-01T09:00:00Z"),
    ]
    by_id["i1"]["annotations"] = [_annotation(12, ["promotion"], "2026-02-01T09:00:00Z", cancelled=True)]
    by_id["i2"]["annotations"] = [_annotation(13, [], "2026-02-01T09:00:00Z")]
    ghost = {"data": {"id": "ghost", "text": "x"}, "annotations": [_annotation(14, [], "2026-02-01T09:00:00Z")]}
    return [{"id": 100 + n, **t} for n, t in enumerate([*tasks, ghost])]


def test_when_items_are_exported_then_tasks_are_masked_with_predictions_matching_the_config(cli, db_url, tmp_path):
    _seed(db_url)
    out, config = tmp_path / "tasks.json", tmp_path / "config.xml"
    res = cli(["labels", "export", "--format", "labelstudio", "-o", out, "--config-out", config])
    assert res.exit_code == 0, res.output
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [t["data"]["id"] for t in tasks] == ["i0", "i1", "i2"]
    assert all(t["data"]["text"] == MASKED for t in tasks) and "Kayla" not in out.read_text(encoding="utf-8")
    pred = tasks[0]["predictions"][0]
    assert pred["model_version"] == "m-1" and pred["score"] == 0.7
    assert pred["result"][0]["value"]["choices"] == ["victim_identification"]
    root = ET.fromstring(config.read_text(encoding="utf-8"))
    choices = root.find("Choices[@name='labels']")
    assert choices.get("toName") == root.find("Text").get("name") == pred["result"][0]["to_name"]
    assert [c.get("value") for c in choices] == list(LABELS)
    assert [e.action for e in repo.audit_entries(db_url)] == ["export:labelstudio"]


def test_when_the_export_is_revealed_then_original_text_is_written_and_each_item_is_audited(cli, db_url, tmp_path):
    _seed(db_url, n=2)
    out = tmp_path / "tasks.json"
    assert cli(["labels", "export", "-o", out, "--reveal", "names needed for the NCMEC report"]).exit_code == 0
    assert [t["data"]["text"] for t in json.loads(out.read_text(encoding="utf-8"))] == [RAW, RAW]
    reveals = [(e.action, e.item_id, e.reason) for e in repo.audit_entries(db_url) if e.action == "reveal"]
    assert reveals == [("reveal", i, "names needed for the NCMEC report") for i in ("i0", "i1")]


def test_when_items_are_revealed_then_each_page_is_audited_before_any_of_it_is_handed_out(db_url):
    _seed(db_url, n=5)
    revealed = repo.revealed(db_url, "k1", "report", scores.items(db_url), page=2)
    first = next(revealed)
    assert first.id == "i0"
    assert [e.item_id for e in repo.audit_entries(db_url, action="reveal")] == ["i0", "i1"]
    assert [i.id for i in revealed] == ["i1", "i2", "i3", "i4"]
    entries = repo.audit_entries(db_url, action="reveal")
    assert [(e.item_id, e.key_id, e.reason) for e in entries] == [(f"i{i}", "k1", "report") for i in range(5)]


@pytest.mark.parametrize("reason", [" ", "ok", "x" * 201, "why\x00"])
def test_when_a_reveal_gives_no_usable_reason_then_the_export_exits_2_and_writes_nothing(cli, db_url, tmp_path, reason):
    _seed(db_url, n=1)
    out = tmp_path / "tasks.json"
    res = cli(["labels", "export", "-o", out, "--reveal", reason])
    assert res.exit_code == 2 and "--reveal needs a reason" in res.stderr
    assert not out.exists() and repo.audit_entries(db_url) == []


def test_when_a_comment_was_edited_after_the_export_then_its_annotation_is_not_recorded(cli, db_url, tmp_path):
    _seed(db_url, n=2)
    out = tmp_path / "tasks.json"
    assert cli(["labels", "export", "-o", out]).exit_code == 0
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [t["data"]["revision"] for t in tasks] == [1, 1]
    for n, task in enumerate(tasks):
        task["annotations"] = [_annotation(30 + n, ["promotion"], "2026-02-01T09:00:00Z")]
    annotated = tmp_path / "annotated.json"
    annotated.write_text(json.dumps(tasks), encoding="utf-8")
    repo.enqueue(db_url, [review_item(id="i1", text="an edited comment")])  # revision 2 since the export

    res = cli(["labels", "import", annotated])
    assert res.exit_code == 4, res.output
    assert "recorded 1" in res.stdout and "conflicts 1" in res.stdout and "edited since the export" in res.stderr
    assert repo.get_item(db_url, "i0").status == "reviewed"
    assert (repo.get_item(db_url, "i1").status, repo.count_decisions(db_url)) == ("queued", 1)


def test_when_annotations_are_imported_twice_then_decisions_are_recorded_once(cli, db_url, tmp_path):
    _seed(db_url)
    out = tmp_path / "tasks.json"
    assert cli(["labels", "export", "-o", out]).exit_code == 0
    annotated = tmp_path / "annotated.json"
    annotated.write_text(json.dumps(_annotated(json.loads(out.read_text(encoding="utf-8")))), encoding="utf-8")

    first = cli(["labels", "import", annotated])
    assert first.exit_code == 3, first.output  # the ghost id is not in the database
    assert "recorded 2, unchanged 0, unannotated 1, unknown 1" in first.stdout and "ghost" in first.stderr
    i0, i1, i2 = (repo.get_item(db_url, f"i{n}") for n in range(3))
    assert i0.status == "reviewed" and i0.review_action == "remove"
    assert i0.review_labels == {"victim_identification": True, "promotion": False, "safety_concern": True}
    assert i1.status == "queued"  # its only annotation was cancelled
    assert i2.review_action == "allow" and not any(i2.review_labels.values())

    again = cli(["labels", "import", annotated, "--skip-unknown"])
    assert again.exit_code == 0, again.output
    assert "recorded 0, unchanged 2" in again.stdout
    assert repo.count_decisions(db_url) == 2


def test_when_an_annotation_escalates_then_the_decision_is_escalate(cli, db_url, tmp_path):
    _seed(db_url, n=1)
    task = {"id": 1, "data": {"id": "i0"}, "annotations": [_annotation(20, [], "2026-02-01T09:00:00Z", escalate=True)]}
    path = tmp_path / "a.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    assert cli(["labels", "import", path]).exit_code == 0
    assert repo.get_item(db_url, "i0").status == "escalated"


def test_when_argilla_records_round_trip_then_responses_become_decisions_once(cli, db_url, tmp_path):
    _seed(db_url, n=2)
    out = tmp_path / "records.json"
    assert cli(["labels", "export", "--format", "argilla", "-o", out]).exit_code == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    assert records[0]["fields"] == {"text": MASKED}
    assert records[0]["suggestions"]["labels"]["value"] == ["victim_identification"]
    records[0]["responses"] = {"labels": [{"value": ["promotion"], "user_id": "u1"}]}
    out.write_text(json.dumps(records), encoding="utf-8")
    for expected in ("recorded 1, unchanged 0, unannotated 1", "recorded 0, unchanged 1, unannotated 1"):
        res = cli(["labels", "import", "--format", "argilla", out])
        assert res.exit_code == 0 and expected in res.stdout, res.output
    assert repo.get_item(db_url, "i0").review_labels["promotion"] is True


def test_when_the_file_is_not_an_export_then_import_exits_2(cli, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"not": "a list"}', encoding="utf-8")
    res = cli(["labels", "import", path])
    assert res.exit_code == 2 and "not a JSON list" in " ".join(res.stderr.split())

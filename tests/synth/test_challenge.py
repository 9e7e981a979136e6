"""The hand-written challenge set: schema, coverage and the content rules."""

import json

import pytest

from comments.labels import LABELS
from comments.synth.evasions import EVASIONS
from comments.synth.grammar import NEGATIVE_KINDS
from tests.conftest import ROOT
from tests.synth.test_corpus import content_violations

SCHEMA = {"id", "text", *LABELS, "kind", "language", "evasion"}


def _rows(name: str) -> list[dict]:
    lines = (ROOT / "data" / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def challenge():
    return _rows("challenge.jsonl")


def test_rows_follow_the_schema(challenge):
    assert len(challenge) >= 300
    assert len({r["id"] for r in challenge}) == len(challenge)
    for r in challenge:
        assert set(r) == SCHEMA
        assert all(r[lab] in (0, 1) for lab in LABELS)
        assert r["evasion"] in ("none", *EVASIONS)


def test_hard_negatives_are_at_least_40_percent_and_cover_every_kind(challenge):
    negatives = [r for r in challenge if not any(r[lab] for lab in LABELS)]
    assert len(negatives) >= 0.4 * len(challenge)
    for kind in NEGATIVE_KINDS:
        assert sum(r["kind"] == kind for r in negatives) >= 10, kind


def test_every_label_evasion_and_language_is_covered(challenge):
    for label in LABELS:
        assert sum(r[label] for r in challenge) >= 50, label
    assert {r["evasion"] for r in challenge} == {"none", *EVASIONS}
    assert {"es", "de", "fr", "pt"} <= {r["language"] for r in challenge}


def test_challenge_set_obeys_the_content_rules(challenge):
    problems = list(content_violations(r["text"] for r in challenge))
    assert not problems, problems[:10]


def test_the_blind_threat_holdout_follows_the_schema_and_the_content_rules():
    """`data/holdout_threats.jsonl`: threats against a survivor and look-alikes, written without
    reading the rules, the families or the challenge set (README, Models)."""
    rows = _rows("holdout_threats.jsonl")
    assert len({r["id"] for r in rows}) == len(rows) == 120
    for r in rows:
        assert set(r) == SCHEMA
        assert r["kind"] == ("threat" if r["safety_concern"] else "negative")
        assert r["kind"] == "threat" or not any(r[lab] for lab in LABELS)
    assert sum(r["safety_concern"] for r in rows) == 60
    assert {r["language"] for r in rows} == {"en", "es", "de", "fr", "pt"}
    problems = list(content_violations(r["text"] for r in rows))
    assert not problems, problems[:10]

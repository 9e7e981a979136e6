"""The hand-written challenge set: schema, coverage and the content rules."""

import re

import pytest

from comments.labels import LABELS
from comments.normalize import LANGUAGES
from comments.synth.evasions import EVASIONS
from comments.synth.generate import read_handwritten
from comments.synth.grammar import NEGATIVE_KINDS
from tests.conftest import data_rows
from tests.synth.test_corpus import content_violations

SCHEMA = {"id", "text", *LABELS, "kind", "language", "evasion"}
FIVE = set(LANGUAGES)  # the corpus's languages
HELD_OUT = (
    "challenge.jsonl",
    "holdout_threats.jsonl",
    "holdout_blind.jsonl",
    "holdout_fresh.jsonl",
    "holdout_fresh2.jsonl",
    "holdout_fresh3.jsonl",
    "holdout_fresh4.jsonl",
    "holdout_fresh5.jsonl",
    "holdout_fresh6.jsonl",
    "holdout_fresh7.jsonl",
)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


@pytest.fixture(scope="module")
def challenge():
    return data_rows("challenge.jsonl")


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
    reading the rules, the families or the challenge set (README, Data)."""
    rows = data_rows("holdout_threats.jsonl")
    assert len({r["id"] for r in rows}) == len(rows) == 120
    for r in rows:
        assert set(r) == SCHEMA
        assert r["kind"] == ("threat" if r["safety_concern"] else "negative")
        assert r["kind"] == "threat" or not any(r[lab] for lab in LABELS)
    assert sum(r["safety_concern"] for r in rows) == 60
    assert {r["language"] for r in rows} == FIVE
    problems = list(content_violations(r["text"] for r in rows))
    assert not problems, problems[:10]


@pytest.mark.parametrize(
    ("name", "size", "positives", "negatives", "languages"),
    [
        # all three labels and their hard negatives, written by a helper who read only the taxonomy,
        # apart from the writers of the hand-written train rows (README, Data)
        ("holdout_blind.jsonl", 240, 40, 100, FIVE),
        # written after `minilm-20261129-0426-2094f6` shipped by three helpers who read only the
        # taxonomy; nothing was chosen on it (README, Data)
        ("holdout_fresh.jsonl", 328, 60, 150, FIVE),
        # the same brief to three other helpers, in other styles (forum threads, chat, other languages
        # and writers); its gain weighed in shipping minilm-20261129-1718-8f37b8 (README, Data)
        ("holdout_fresh2.jsonl", 326, 70, 130, FIVE),
        # the taxonomy alone to three more helpers: long posts and arguments, non-native and code-switched
        # writing, and pairs on each side of a label's line; it found the full-stop cue that
        # minilm-20261129-1718-8f37b8 removes, so it helped choose that release (README, Data)
        ("holdout_fresh3.jsonl", 329, 90, 140, FIVE),
        # the taxonomy alone to three more helpers, written before any change after minilm-20261129-1718-8f37b8:
        # replies and chat shorthand, comments across many kinds of site, coded and formal writing (README, Data)
        ("holdout_fresh4.jsonl", 327, 95, 140, FIVE),
        # the taxonomy alone to three more helpers, written before models that read no final
        # punctuation were judged (not shipped): long forum posts with evasive spellings, hostility and threats with
        # their look-alikes, trades and indirect identification; Italian, which no training comment
        # is written in, among the languages (README, Data)
        ("holdout_fresh5.jsonl", 328, 88, 130, {*FIVE, "it"}),
        # the taxonomy alone to three more helpers, written before the emoji redraw was judged against a same-CPU
        # control: short emoji-heavy chat with the same emoji on both sides, news and true-crime threads with
        # defanged links on both sides, taunts, paid invites and code-mixed writing (README, Data)
        ("holdout_fresh6.jsonl", 323, 77, 150, FIVE),
        # the taxonomy alone to three more helpers, written before the hand-written rows `tw9-*` were judged: comment
        # sections and live chats on video sites, marketplaces and channel invites, local and personal networks;
        # names shared with training comments renamed (README, Data)
        ("holdout_fresh7.jsonl", 324, 90, 149, FIVE),
    ],
)
def test_a_holdout_covers_every_label_and_language_and_obeys_the_content_rules(
    name, size, positives, negatives, languages
):
    rows = data_rows(name)
    assert len({r["id"] for r in rows}) == len(rows) == size
    for r in rows:
        assert set(r) == SCHEMA - {"evasion"} and all(r[lab] in (0, 1) for lab in LABELS)
    for label in LABELS:
        assert sum(r[label] for r in rows) >= positives, label
    assert sum(not any(r[lab] for lab in LABELS) for r in rows) >= negatives
    assert {r["language"] for r in rows} == languages
    problems = list(content_violations(r["text"] for r in rows))
    assert not problems, problems[:10]


def test_hand_written_train_rows_follow_the_schema_and_the_content_rules():
    rows = read_handwritten()
    assert len({r["id"] for r in rows}) == len(rows) >= 1_400
    assert len({r["text"].casefold() for r in rows}) == len(rows)
    for r in rows:
        assert set(r) == SCHEMA and all(r[lab] in (0, 1) for lab in LABELS)
    assert {r["language"] for r in rows} == FIVE
    problems = list(content_violations(r["text"] for r in rows))
    assert not problems, problems[:10]


def test_no_hand_written_train_row_is_close_to_a_held_out_comment():
    """Word-set Jaccard under 0.6 against the challenge set and the holdouts, so no evaluation row
    is learnt in other words (13 such rows were dropped when the first slices were written, 1 when the
    threat slice was)."""
    held = [_words(r["text"]) for name in HELD_OUT for r in data_rows(name)]
    close = []
    for r in read_handwritten():
        words = _words(r["text"])
        if any(len(words & h) >= 0.6 * len(words | h) for h in held):
            close.append(r["text"])
    assert not close, close[:5]

"""The engine's own mechanics: `unless` contexts, `none` in combinations, and when NER runs."""

import re

import pytest

from comments.errors import ConfigurationError
from comments.signals.combine import Combination, combine
from comments.signals.registry import _needs_ner
from comments.signals.rules import RuleSignal, load_unless, parse_rule
from comments.types import Evidence, Span

RULE = {
    "id": "pr.test_trading",
    "label": "promotion",
    "concept": "offer",
    "weight": 0.2,
    "description": "test rule",
    "regex": r"\btrading\b",
}


def _evidence(concept: str, start: int = 0) -> Evidence:
    return Evidence("rules", f"cx.{concept}", None, 0.0, Span(start, start + 1), concept, concept=concept)


def test_when_rule_names_an_unknown_context_then_loading_fails():
    with pytest.raises(ConfigurationError, match="unless"):
        parse_rule(RULE | {"unless": ["nowhere"]}, "test.yaml", {})


def test_when_unless_context_follows_the_match_then_the_rule_stays_quiet(nlp):
    from comments.nlp import parse

    rule = parse_rule(RULE | {"unless": ["cards"]}, "test.yaml", {"cards": re.compile(r"\bcards?\b")})
    signal = RuleSignal(nlp, [rule])
    assert [e.rule_id for e in signal.analyze(parse("trading the full folder, dm", nlp))] == ["pr.test_trading"]
    assert signal.analyze(parse("trading my whole binder of cards", nlp)) == []


def test_when_shipped_contexts_load_then_they_are_named_patterns():
    contexts = load_unless()
    assert {"reported", "unrelated_collection"} <= set(contexts)
    assert contexts["reported"].search("i reported it to the hotline")


def test_when_a_none_concept_is_present_then_the_combination_stays_quiet():
    combo = Combination(
        "co.vi.test",
        "victim_identification",
        (("victim_ref",), ("name",)),
        0.9,
        "test",
        none=frozenset({"news_report"}),
    )
    parts = [_evidence("victim_ref"), _evidence("name", 5)]
    assert [e.rule_id for e in combine(parts, [combo])] == ["co.vi.test"]
    assert combine([*parts, _evidence("news_report", 9)], [combo]) == []


@pytest.mark.parametrize(
    ("concepts", "original", "expected"),
    [
        (["victim_ref"], "that's Kayla Dorsey, the girl in the Birdhouse set", True),
        (["victim_ref"], "the girl in that video is a survivor", False),  # nothing written like a name
        (["victim_ref", "handle"], "the girl in the set is @kayla.d04, Kayla Dorsey", False),  # already complete
        (["material_ref"], "Kayla Dorsey posted the set", False),  # NER's name combines with a victim reference only
    ],
)
def test_when_cues_fire_then_ner_runs_only_where_a_name_could_complete_them(concepts, original, expected):
    assert _needs_ner([_evidence(c) for c in concepts], original) is expected


@pytest.fixture(scope="module")
def nlp():
    from comments.nlp import load_nlp

    return load_nlp()

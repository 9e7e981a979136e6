"""Every YAML rule and combination fires on its examples and stays quiet on its counter-examples.

The examples live next to the patterns in `comments/rules/*.yaml`, so a new rule is
tested the moment it is written; a failure names the rule and the text.
"""

from __future__ import annotations

import pytest

from comments.labels import LABELS
from comments.signals.combine import REVIEW_LEVEL, load_combinations
from comments.signals.registry import RuleEngine
from comments.signals.rules import load_rules

RULES = load_rules()
COMBINATIONS = load_combinations()
ENTRIES = [*RULES, *COMBINATIONS]


def _cases(attr: str) -> list:
    return [
        pytest.param(entry.id, text, id=f"{entry.id}|{text[:50]}") for entry in ENTRIES for text in getattr(entry, attr)
    ]


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    """One engine for the whole module: loading spaCy is the slow part."""
    return RuleEngine()


def _fired(engine: RuleEngine, text: str) -> set[str]:
    return {e.rule_id for e in engine.analyze(text).evidence}


@pytest.mark.parametrize(("rule_id", "text"), _cases("examples"))
def test_when_rule_example_is_scored_then_rule_fires(engine, rule_id, text):
    assert rule_id in _fired(engine, text), f"{rule_id} did not fire on its example {text!r}"


@pytest.mark.parametrize(("rule_id", "text"), _cases("counter_examples"))
def test_when_rule_counter_example_is_scored_then_rule_stays_quiet(engine, rule_id, text):
    assert rule_id not in _fired(engine, text), f"{rule_id} fired on its counter-example {text!r}"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_when_rule_is_loaded_then_it_has_two_examples_of_each_kind(entry):
    assert len(entry.examples) >= 2, f"{entry.id} needs at least 2 examples"
    assert len(entry.counter_examples) >= 2, f"{entry.id} needs at least 2 counter-examples"


@pytest.mark.parametrize("label", LABELS)
def test_when_rules_are_loaded_then_every_label_has_rules_and_combinations(label):
    assert any(r.label == label for r in RULES), f"no rule supports {label}"
    assert any(c.label == label for c in COMBINATIONS), f"no combination supports {label}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_when_rule_fires_alone_then_it_stays_below_review(rule):
    # A single cue is never a verdict: only combinations reach review or remove.
    assert rule.weight < REVIEW_LEVEL, f"{rule.id} weighs {rule.weight}, a cue alone must stay below review"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_when_rule_names_no_label_then_it_weighs_nothing(rule):
    if rule.label is None:
        assert rule.weight == 0, f"{rule.id} has no label but weighs {rule.weight}"
        assert rule.id.startswith("cx."), f"concept-only rule {rule.id} belongs in context.yaml (cx.)"


def test_when_ids_are_read_then_prefixes_match_labels():
    prefix = {"victim_identification": "vi.", "promotion": "pr.", "safety_concern": "sc."}
    for rule in RULES:
        if rule.label:
            assert rule.id.startswith(prefix[rule.label]), f"{rule.id} supports {rule.label}"
    for combo in COMBINATIONS:
        assert combo.id.startswith(f"co.{prefix[combo.label]}"), f"{combo.id} supports {combo.label}"

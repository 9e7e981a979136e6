"""The literal prefilter may skip a regex only where the regex cannot match."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments.signals.prefilter import required_literals
from comments.signals.rules import load_rules
from comments.synth.generate import generate

PATTERNS = [
    r"\bwho (has|got) (the )?(rest|more)\b",
    r"(?:selling|trading)\s+(?:the\s+)?(?:set|folder)",
    r"\b(?:she|her)\b.*\b(?:lives|address)\b",
    r"(dm|pm) me for (the )?links?",
    r"(?:abc)+x?(?:def|ghi)",
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [(PATTERNS[0], {"who "}), (PATTERNS[1], {"selling", "trading"}), (r"a?b", None), (r"\d{3}", None)],
)
def test_when_pattern_has_fixed_words_then_they_are_required(pattern, expected):
    found = required_literals(re.compile(pattern))
    assert (set(found) if found else None) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghilmnoprstwy .", max_size=60), st.sampled_from(PATTERNS))
def test_when_prefilter_skips_then_regex_would_not_match(text, pattern):
    compiled = re.compile(pattern)
    literals = required_literals(compiled)
    if literals is not None and not any(lit in text for lit in literals):
        assert compiled.search(text) is None


def test_shipped_rules_never_lose_a_match_to_the_prefilter():
    from comments.normalize import normalize

    rules = [r for r in load_rules() if r.kind == "regex"]
    texts = [normalize(t).text for t in generate(3000, 99).text]
    texts += [normalize(t).text for r in rules for t in (*r.examples, *r.counter_examples)]
    for rule in rules:
        literals = required_literals(rule.pattern)
        if literals is None:
            continue
        for text in texts:
            if rule.pattern.search(text):
                assert any(lit in text for lit in literals), (rule.id, text)

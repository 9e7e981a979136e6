"""The literal prefilter skips a regex only where it cannot match; `RegexSet` finds what `search` finds."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments.normalize import normalize
from comments.signals.identity import PATTERNS as PII_PATTERNS
from comments.signals.prefilter import LiteralGate, leading_strings, required_clauses
from comments.signals.regexset import RegexSet, split_alternatives
from comments.signals.rules import load_rules
from comments.synth.generate import generate

PATTERNS = [
    r"\bwho (has|got) (the )?(rest|more)\b",
    r"(?:selling|trading)\s+(?:the\s+)?(?:set|folder)",
    r"\b(?:she|her)\b.*\b(?:lives|address)\b",
    r"(dm|pm) me for (the )?links?",
    r"(?:abc)+x?(?:def|ghi)",
    r"(?<!no )\b(?:(?<!a )ab|cd\s*ef|^gh)(?!\s*x)",
    r"v[ií]deos?\s+(?:of|from)\s+\d+",
    r"(?:(?:the|a)\s+)?(?:girl|kid)\s+in",
    r"\b(?:ab|ab c|abc)\b|\bc d",
]
SMALL_SET = RegexSet({str(i): re.compile(p) for i, p in enumerate(PATTERNS)})
TEXT = st.text(alphabet="abcdefghilmnoprstwy .ví0123456789", max_size=60)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (PATTERNS[0], [{f"who {v} {t}{w}" for v in ("has", "got") for t in ("", "the ") for w in ("rest", "more")}]),
        (PATTERNS[1], [{"selling", "trading"}, {"set", "folder"}]),
        (PATTERNS[6], [{"video", "vídeo", "videos", "vídeos"}, {"of", "from"}, set("0123456789")]),
        (r"a?b", []),
        (r"\d{3}", [set("0123456789")]),
    ],
)
def test_when_pattern_has_fixed_words_then_each_group_of_them_is_required(pattern, expected):
    found = [set(c) for c in required_clauses(re.compile(pattern))]
    assert sorted(map(sorted, found)) == sorted(map(sorted, expected))


def test_when_pattern_opens_with_lookbehinds_then_its_first_words_are_known():
    assert leading_strings(re.compile(PATTERNS[7])) == {"the", "a", "girl", "kid"}
    assert leading_strings(re.compile(r"(?<!\bi was )\b(?:girl|kid)\b")) == {"girl", "kid"}
    assert leading_strings(re.compile(r"\b[a-z]+ set")) is None


def test_when_group_of_alternatives_follows_lookarounds_then_it_is_split():
    assert split_alternatives(r"\b(?:ab|cd)\s+x") == [r"\b(?:ab)\s+x", r"\b(?:cd)\s+x"]
    assert split_alternatives(r"x(?:ab|cd)") == [r"x(?:ab|cd)"]  # a consuming prefix could backtrack


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(PATTERNS))
def test_when_prefilter_skips_then_regex_would_not_match(text, pattern):
    compiled = re.compile(pattern)
    clauses = required_clauses(compiled)
    if any(not any(lit in text for lit in clause) for clause in clauses):
        assert compiled.search(text) is None


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_when_regex_set_runs_then_it_finds_the_spans_search_finds(text):
    expected = {k: m.span() for k, p in SMALL_SET.patterns.items() if (m := p.search(text))}
    assert {k: m.span() for k, m in SMALL_SET.first_matches(text).items()} == expected


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rules = [r for r in load_rules() if r.kind == "regex"]
    raw = [*generate(1500, 99).text, *(t for r in rules for t in (*r.examples, *r.counter_examples))]
    return [normalize(t).text for t in raw]


def test_when_shipped_rules_run_as_a_set_then_they_find_what_search_finds(texts):
    patterns = {r.id: r.pattern for r in load_rules() if r.kind == "regex"}
    regexes = RegexSet(patterns)
    for text in texts:
        expected = {k: m.span() for k, p in patterns.items() if (m := p.search(text))}
        assert {k: m.span() for k, m in regexes.first_matches(text).items()} == expected, text


def test_when_identifier_patterns_are_gated_then_no_match_is_lost(texts):
    gate = LiteralGate({k: p for k, (_, p) in PII_PATTERNS.items()})
    for text in texts:
        passing = set(gate.passing(text))
        assert {k for k, (_, p) in PII_PATTERNS.items() if p.search(text)} <= passing, text


def test_when_regex_set_is_built_again_then_it_reads_the_cache_and_finds_the_same_spans(texts, tmp_path, monkeypatch):
    monkeypatch.setenv("COMMENTS_CACHE_DIR", str(tmp_path))
    patterns = {r.id: r.pattern for r in load_rules() if r.kind == "regex"}
    fresh = RegexSet(patterns)
    assert len(list(tmp_path.glob("regexset-*.json"))) == 1
    cached = RegexSet(patterns)
    assert (cached.parts, cached.clauses, cached.leading) == (fresh.parts, fresh.clauses, fresh.leading)
    for text in texts[:300]:
        assert {k: m.span() for k, m in cached.first_matches(text).items()} == {
            k: m.span() for k, m in fresh.first_matches(text).items()
        }, text


def test_when_a_pattern_changes_then_the_cache_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMENTS_CACHE_DIR", str(tmp_path))
    RegexSet({"a": re.compile(r"\bfolder\b")})
    edited = RegexSet({"a": re.compile(r"\bfiles\b")})
    assert len(list(tmp_path.glob("regexset-*.json"))) == 2
    assert "a" in edited.first_matches("the files") and not edited.first_matches("the folder")


def test_when_the_cache_is_unreadable_then_the_set_is_analysed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMENTS_CACHE_DIR", str(tmp_path))
    RegexSet({"a": re.compile(r"\bfolder\b")})
    next(tmp_path.glob("regexset-*.json")).write_text("{not json")
    assert "a" in RegexSet({"a": re.compile(r"\bfolder\b")}).first_matches("the folder")

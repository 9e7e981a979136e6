"""Every signal class reports what its `EXAMPLES` say on each example, and nothing on the empty ones.

The YAML rules have their own contract test (`test_rules_contract.py`); this one covers the
signals written in Python (PII formats, NER, name lists), whose examples sit in the class.
"""

import pytest

from comments.nlp import load_nlp, parse
from comments.signals.identity import NameListSignal, NerSignal, PiiSignal

CASES = [(cls, text, expected) for cls in (PiiSignal, NerSignal, NameListSignal) for text, expected in cls.EXAMPLES]


@pytest.mark.parametrize(("cls", "text", "expected"), CASES, ids=[f"{c.__name__}:{t[:30]}" for c, t, _ in CASES])
def test_when_signal_reads_its_example_then_it_reports_what_the_example_says(cls, text, expected):
    found = cls.keys(cls().analyze(parse(text, load_nlp())))
    if expected:
        assert expected <= found, f"{cls.__name__} on {text!r}: {sorted(found)}"
    else:
        assert not found, f"{cls.__name__} on {text!r} should report nothing: {sorted(found)}"


def test_when_comment_is_not_english_then_masked_text_hides_its_names_and_made_up_places():
    from comments.decide import mask
    from comments.signals.registry import RuleEngine

    text = "La niña de la serie es Nerea Altozano, vive en Valdecierzo de Arriba."
    result = RuleEngine().analyze(text)
    masked = mask(result.artifacts.original, result.evidence)
    assert "Nerea" not in masked and "Valdecierzo" not in masked, masked
    assert masked.startswith("La niña de la serie es [NAME]"), masked


def test_when_name_lists_find_names_then_no_rule_score_moves():
    from comments.signals.registry import RuleEngine

    engine = RuleEngine()
    texts = ["La niña de la serie es Nerea Altozano, vive en Valdecierzo de Arriba.", "Tausche Johannas Videos."]
    results = engine.analyze_batch(texts)
    assert any(e.signal == "names" for r in results for e in r.evidence)
    with_names = [r.scores for r in results]
    engine.names.analyze = lambda art: []
    assert [r.scores for r in engine.analyze_batch(texts)] == with_names


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("grab it at trade.example/set1.", "grab it at [URL]."),
        ("links: https://vault.example/a?b=1, www.vault.example!", "links: [URL], [URL]!"),
        ("(see clips.example/f/9)", "(see [URL])"),
        ("le lien « https://x.example/a » ou “www.x.example/b”…", "le lien « [URL] » ou “[URL]”…"),
    ],
)
def test_when_a_link_ends_a_sentence_then_its_mask_keeps_the_punctuation(text, masked):
    from comments.decide import mask
    from comments.signals.registry import RuleEngine

    result = RuleEngine().analyze(text)
    assert mask(result.artifacts.original, result.evidence) == masked

"""Every signal class reports what its `EXAMPLES` say on each example, and nothing on the empty ones.

The YAML rules have their own contract test (`test_rules_contract.py`); this one covers the
signals written in Python (PII formats, NER), whose examples sit in the class.
"""

import pytest

from comments.nlp import load_nlp, parse
from comments.signals.identity import NerSignal, PiiSignal

CASES = [(cls, text, expected) for cls in (PiiSignal, NerSignal) for text, expected in cls.EXAMPLES]


@pytest.mark.parametrize(("cls", "text", "expected"), CASES, ids=[f"{c.__name__}:{t[:30]}" for c, t, _ in CASES])
def test_when_signal_reads_its_example_then_it_reports_what_the_example_says(cls, text, expected):
    found = cls.keys(cls().analyze(parse(text, load_nlp())))
    if expected:
        assert expected <= found, f"{cls.__name__} on {text!r}: {sorted(found)}"
    else:
        assert not found, f"{cls.__name__} on {text!r} should report nothing: {sorted(found)}"

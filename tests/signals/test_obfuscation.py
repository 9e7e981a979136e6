"""Rule hits and protected names survive every evasion kind (issue targets: >= 95 % each)."""

import pandas as pd
import pytest
from faker import Faker

from comments.labels import LABELS
from comments.signals.registry import RuleEngine
from comments.signals.report import evasion_retention, protected_recovery
from comments.synth.evasions import EVASIONS
from comments.synth.generate import generate


@pytest.fixture(scope="module")
def clean_positives():
    df = generate(6000, 31)
    keep = (df.split != "train") & (df.evasion == "none") & (df.language == "en") & df[list(LABELS)].any(axis=1)
    return df[keep].text.head(400).tolist()


def test_when_clean_positives_are_evaded_then_rule_hits_still_fire(clean_positives):
    table = evasion_retention(RuleEngine(), clean_positives)
    assert set(table.evasion) == set(EVASIONS)
    assert (table.hits > 0).all()
    weak = table[table.retained < 0.95]
    assert weak.empty, weak.to_string()


def test_when_protected_names_are_evaded_then_they_are_recovered():
    fk = Faker("en_US")
    fk.seed_instance(5)
    names = [f"{fk.first_name_female()} {fk.last_name()}" for _ in range(200)]
    table = protected_recovery(names)
    weak = table[table.recovered < 0.95]
    assert weak.empty, weak.to_string()
    assert isinstance(table, pd.DataFrame)

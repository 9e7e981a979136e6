import random

import pytest

from comments.errors import ConfigurationError
from comments.synth.grammar import NEGATIVE_KINDS, expand, load_families, parse_families


def _family(**overrides):
    entry = {"id": "neg_x", "labels": [], "kind": "everyday", "templates": ["a {town}", "b [c|d]", "e"]}
    return {**entry, **overrides}


def test_when_template_is_expanded_then_alternatives_and_slots_are_filled():
    rng = random.Random(0)
    seen = {expand("[one|two] {town}[ now|]", {"town": "Elkton"}, rng) for _ in range(50)}
    assert seen == {"one Elkton now", "two Elkton now", "one Elkton", "two Elkton"}


@pytest.mark.parametrize(
    ("template", "message"),
    [("hi {nickname}", "unknown slot"), ("[a|[b]]", "nested"), ("[a|b", "unbalanced"), ("x {town", "stray")],
)
def test_when_template_is_malformed_then_loading_names_the_problem(template, message):
    with pytest.raises(ConfigurationError, match=message):
        parse_families([_family(templates=[template, "b", "c"])], "t.yaml")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"labels": ["grooming"]}, "unknown label"),
        ({"kind": "misc"}, "needs kind"),
        ({"templates": ["a", "b"]}, "at least 3"),
        ({"id": "Bad Id"}, "snake_case"),
        ({"translations": {"it": ["ciao"]}}, "translation language"),
    ],
)
def test_when_family_breaks_the_format_then_it_is_refused(overrides, message):
    with pytest.raises(ConfigurationError, match=message):
        parse_families([_family(**overrides)], "t.yaml")


def test_when_ids_repeat_across_files_then_loading_fails(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("- {id: neg_x, labels: [], kind: everyday, templates: [a, b, c]}\n")
    with pytest.raises(ConfigurationError, match="defined twice"):
        load_families(tmp_path)


def test_shipped_families_cover_every_label_and_negative_kind():
    families = load_families()
    for label in ("victim_identification", "promotion", "safety_concern"):
        assert sum(label in f.labels for f in families) >= 80, label
    negatives = [f for f in families if not f.labels]
    assert len(negatives) >= 150
    for kind in NEGATIVE_KINDS:
        assert sum(f.kind == kind for f in negatives) >= 8, kind

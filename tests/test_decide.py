import pytest

from comments.decide import decide, flagged_labels, label_decision, mask
from comments.types import Evidence, Span

T = {"review": 0.4, "remove": 0.8}
THRESHOLDS = dict.fromkeys(("victim_identification", "promotion", "safety_concern"), T)


@pytest.mark.parametrize(("score", "expected"), [(0.0, "allow"), (0.39, "allow"), (0.4, "review"), (0.8, "remove")])
def test_when_score_crosses_a_threshold_then_decision_changes(score, expected):
    assert label_decision(score, T) == expected


def test_overall_decision_is_the_most_severe_and_priority_orders_by_severity():
    low = {"victim_identification": 0.1, "promotion": 0.5, "safety_concern": 0.1}
    high = {"victim_identification": 0.1, "promotion": 0.1, "safety_concern": 0.95}
    overall_low, decisions_low, p_low = decide(low, THRESHOLDS)
    overall_high, _, p_high = decide(high, THRESHOLDS)
    assert (overall_low, decisions_low["promotion"], overall_high) == ("review", "review", "remove")
    assert p_high > p_low > 0
    assert decide(dict.fromkeys(low, 0.0), THRESHOLDS)[2] == 0


def test_flagged_labels_are_the_non_allow_ones_in_label_order_and_a_missing_label_is_allow():
    decisions = {"safety_concern": "remove", "victim_identification": "review", "promotion": "allow"}
    assert flagged_labels(decisions) == ["victim_identification", "safety_concern"]
    assert flagged_labels({"promotion": "review"}) == ["promotion"]
    assert flagged_labels(dict.fromkeys(decisions, "allow")) == []


def _ev(start, end, entity):
    return Evidence("pii", "pii.x", None, 0.0, Span(start, end), "x", entity=entity)


def test_when_identifiers_are_masked_then_types_replace_them():
    text = "that's Kayla Dorsey, call (212) 555-0143 or @kd04"
    ev = [_ev(7, 19, "NAME"), _ev(26, 40, "PHONE"), _ev(44, 49, "HANDLE")]
    assert mask(text, ev) == "that's [NAME], call [PHONE] or [HANDLE]"


def test_when_spans_overlap_then_mask_merges_them():
    assert mask("at 412 Alder Lane now", [_ev(3, 17, "ADDRESS"), _ev(7, 17, "NAME")]) == "at [PLACE] now"

import numpy as np
import pandas as pd
import pytest

from comments.labels import LABELS
from comments.models.evaluate import (
    bootstrap_macro_f1,
    breakdown_section,
    error_breakdown,
    label_metrics,
    macro_f1_difference_interval,
    macro_f1_interval,
    markdown_table,
)


def test_when_errors_cluster_in_a_family_then_breakdown_counts_them_first():
    df = pd.DataFrame({"family": ["a", "a", "a", "b", "b"]})
    y = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 0], [1, 0, 0], [0, 0, 0]])
    scores = np.array([[0.1, 0, 0], [0.2, 0, 0], [0.9, 0, 0], [0.8, 0, 0], [0.7, 0, 0]])
    first = error_breakdown(df, y, scores, "family")["victim_identification"]
    assert first == [
        {"family": "a", "errors": 3, "rows": 3, "false_negatives": 2},
        {"family": "b", "errors": 1, "rows": 2, "false_negatives": 0},
    ]
    assert error_breakdown(df, y, scores, "family")["promotion"] == []


def test_when_data_has_no_such_column_then_report_has_no_section():
    df = pd.DataFrame({"text": ["x"]})
    assert breakdown_section(error_breakdown(df, np.zeros((1, 3)), np.zeros((1, 3)), "family"), "family") == []


def _families_of_ten(wrong_families: int):
    """40 families of 10 rows, every label positive on half the rows; the first `wrong_families`
    families score every row wrong, the rest every row right."""
    families = np.repeat(np.arange(40), 10)
    y = np.tile(np.array([[1, 1, 1], [0, 0, 0]]), (200, 1))
    right = np.where(y == 1, 0.9, 0.1)
    scores = np.where((families < wrong_families)[:, None], 1 - right, right)
    return y, scores, families


def test_when_errors_come_by_family_then_resampling_families_gives_the_wider_interval():
    y, scores, families = _families_of_ten(wrong_families=4)
    point = label_metrics(y, scores, {lab: {"review": 0.3, "remove": 0.8} for lab in LABELS}, families)
    by_family, by_comment = point["macro_f1_at_0.5_interval"], macro_f1_interval(y, scores)
    assert by_family["resampled"] == "families" and by_family["units"] == 40
    assert by_comment["resampled"] == "comments" and by_comment["units"] == 400
    for interval in (by_family, by_comment):
        assert interval["low"] < point["macro_f1_at_0.5"] < interval["high"]
    assert by_family["high"] - by_family["low"] > 2 * (by_comment["high"] - by_comment["low"])
    assert macro_f1_interval(y, scores, families) == by_family  # the same draws every time
    assert "resampling the 40 families" in markdown_table(point)


def test_when_every_comment_is_right_then_the_interval_is_one_point():
    y, scores, families = _families_of_ten(wrong_families=0)
    assert macro_f1_interval(y, scores, families) == {
        "low": 1.0,
        "high": 1.0,
        "resampled": "families",
        "units": 40,
    }


def test_when_a_candidate_fixes_whole_families_then_the_paired_difference_is_above_zero():
    y, before, families = _families_of_ten(wrong_families=8)
    after = _families_of_ten(wrong_families=4)[1]
    same = macro_f1_difference_interval(y, before >= 0.5, before >= 0.5, families)
    assert (same["low"], same["high"]) == (0.0, 0.0)
    better = macro_f1_difference_interval(y, before >= 0.5, after >= 0.5, families)
    assert 0 < better["low"] < better["high"] and better["resampled"] == "families"
    worse = macro_f1_difference_interval(y, after >= 0.5, before >= 0.5, families)
    assert (worse["low"], worse["high"]) == (-better["high"], -better["low"])


def test_when_families_are_resampled_then_each_draw_scores_as_sklearn_on_those_rows():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(3)
    families = rng.integers(0, 15, 300)
    y = np.stack([rng.random(300) < 0.3, rng.random(300) < 0.1, np.zeros(300, bool)], axis=1).astype(int)
    flags = rng.random((300, 3)) < np.array([0.35, 0.05, 0.02])  # the third label has no positive
    values, about = bootstrap_macro_f1(y, [flags], families, resamples=20, seed=5)
    names = np.unique(families.astype(str))  # the order the units are numbered in
    draws = np.random.default_rng(5).multinomial(len(names), np.full(len(names), 1 / len(names)), size=20)
    for draw, value in zip(draws, values[0], strict=True):
        rows = np.concatenate(
            [np.flatnonzero(families.astype(str) == f).repeat(k) for f, k in zip(names, draw, strict=True)]
        )
        assert value == pytest.approx(f1_score(y[rows], flags[rows], average="macro", zero_division=0))
    assert about == {"resampled": "families", "units": 15}

import numpy as np
import pandas as pd

from comments.models.evaluate import breakdown_section, error_breakdown


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

"""`comments quality`: each part against the fused pipeline, and what the cascade's gate costs."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from comments.labels import LABELS
from comments.pipeline import load_pipeline
from comments.quality import by_language, cascade, compare, languages, macro
from tests.conftest import ROOT, data_rows


def _result(flagged: set[str], ran: bool = True):
    decisions = {lab: "review" if lab in flagged else "allow" for lab in LABELS}
    return SimpleNamespace(decisions=decisions, transformer_ran=ran)


def test_when_the_gate_skips_a_caught_positive_then_cascade_reports_the_lost_recall():
    vi, pr, sc = LABELS
    df = pd.DataFrame({vi: [1, 1, 0, 0, 1], pr: [0, 1, 1, 0, 0], sc: [0, 0, 0, 0, 0]})
    always = [_result({vi}), _result({vi, pr}), _result({pr}), _result(set()), _result({vi})]
    # the last positive stays flagged behind the gate, but for a label it does not carry
    gated = [_result({vi}), _result(set(), ran=False), _result({pr}), _result(set(), ran=False), _result({pr})]
    table = cascade(df, always, gated).set_index("label")
    assert table.loc[vi, "recall_always_run"] == 1.0 and table.loc[vi, "recall_cascade"] == round(1 / 3, 4)
    assert table.loc[vi, "loss"] == "66.67%"
    assert table.loc[pr, "recall_cascade"] == 0.5
    assert (
        table.loc[sc, "positives"] == 0 and table.loc[sc, "loss"] == "n/a" and np.isnan(table.loc[sc, "recall_cascade"])
    )
    assert table.loc["any label", "positives"] == 4 and table.loc["any label", "recall_cascade"] == 0.5
    assert set(table.transformer_ran) == {"60.0%"}


def test_when_nothing_is_scored_then_cascade_says_so_without_numbers():
    df = pd.DataFrame({lab: pd.Series([], dtype=int) for lab in LABELS})
    table = cascade(df, [], [])
    assert set(table.loss) == {"n/a"} and set(table.transformer_ran) == {"n/a"}


def test_when_rows_are_split_by_language_then_each_group_is_scored_on_its_own_rows():
    languages = np.array(["en", "en", "es", "de"])
    truth = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 1, 0]], dtype=bool)
    flags = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 1, 0]], dtype=bool)  # misses only the es row
    table = by_language(languages, truth, {"m": flags}).set_index("language")
    vi, pr, sc = LABELS
    assert table.loc["en", "rows"] == 2 and table.loc["en", vi] == 1.0 and table.loc["en", pr] == 1.0
    assert table.loc["es/de/fr/pt", "rows"] == 2 and table.loc["es/de/fr/pt", vi] == 0.0
    assert table.loc["es/de/fr/pt", pr] == 1.0 and np.isnan(table.loc["es/de/fr/pt", sc])  # no positives, no flags
    assert table.loc["es/de/fr/pt", "macro_f1"] == 0.5


def test_a_language_the_corpus_lacks_is_scored_apart_from_the_corpus_languages():
    df = pd.DataFrame({"language": ["en", "es", "it", "It", None, "nl"]})
    langs = languages(df)
    assert list(langs) == ["en", "es", "it", "it", "unknown", "nl"]
    truth = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0], [1, 0, 0]], dtype=bool)
    flags = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0], [1, 0, 0], [1, 0, 0]], dtype=bool)
    table = by_language(langs, truth, {"m": flags}).set_index("language")
    assert list(table.index) == [
        "en",
        "es/de/fr/pt",
        "it (no training data)",
        "nl (no training data)",
        "unknown (no training data)",
    ]
    assert table.loc["es/de/fr/pt", "rows"] == 1 and table.loc["es/de/fr/pt", "macro_f1"] == 1.0
    assert table.loc["it (no training data)", "rows"] == 2 and table.loc["it (no training data)", "macro_f1"] == 0.0


def test_a_set_without_the_corpus_languages_has_no_row_for_them():
    table = by_language(np.array(["en", "it"]), np.ones((2, 3), bool), {"m": np.ones((2, 3), bool)})
    assert list(table.language) == ["en", "it (no training data)"]


def test_when_a_file_has_no_language_column_then_every_row_counts_as_english():
    df = pd.DataFrame({"text": ["a", "b"]} | {lab: [1, 0] for lab in LABELS})
    langs = languages(df)
    assert list(langs) == ["en", "en"]
    table = by_language(langs, df[list(LABELS)].to_numpy().astype(bool), {"m": np.ones((2, 3), bool)})
    assert list(table.language) == ["en"]  # no empty es/de/fr/pt row


def test_when_quality_runs_on_the_shipped_model_then_every_system_is_measured_on_the_same_results():
    rows = data_rows("challenge.jsonl")
    df = pd.DataFrame(rows[:120])
    always = load_pipeline(ROOT / "models/default").score_batch(df.text.tolist(), run_all=True)
    parts = compare(df, always).set_index(["system", "label"])
    assert set(parts.index.get_level_values("system")) == {
        "rules_only",
        "baseline",
        "transformer",
        "fused@0.5",
        "fused@review",
    }
    for label in LABELS:
        truth = df[label].to_numpy().astype(bool)
        flagged = np.array([r.model_scores["transformer"][label] >= 0.5 for r in always])
        assert parts.loc[("transformer", label), "recall"] == round(flagged[truth].mean(), 3)
    table = macro(df, always).set_index("system")
    assert list(table.index) == list(parts.index.get_level_values("system").unique())
    for system, row in table.iterrows():
        assert row["macro_f1"] == pytest.approx(parts.loc[system, "f1"].mean(), abs=0.002)
        low, high = map(float, row["interval_over_comments"].split("–"))
        assert low <= row["macro_f1"] <= high
    by_family = macro(df.assign(family=np.arange(len(df)) // 10), always)  # 12 families of 10
    assert "interval_over_families" in by_family

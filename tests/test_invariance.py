"""`comments invariance`: rewrites the taxonomy ignores, and how far they move a model."""

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from comments.invariance import PERTURBATIONS, measure, surface_rates, variants
from comments.labels import LABELS
from tests.conftest import ROOT

VI, PR, SC = LABELS


def test_each_rewrite_applies_only_where_it_changes_the_comment():
    rewrites = variants(["who has the set", "Reported it.", "wait...", "WHO?", "PAYING!!"])
    by = {(r.row, r.perturbation): r.text for r in rewrites.itertuples()}
    assert by[0, "full stop added"] == "who has the set." and (1, "full stop added") not in by
    assert by[1, "full stop dropped"] == "Reported it" and (2, "full stop dropped") not in by
    assert by[1, "lower case"] == "reported it." and (0, "lower case") not in by
    assert by[0, "capital first letter"] == "Who has the set" and (1, "capital first letter") not in by
    assert (
        by[0, "exclamation mark at the end"] == "who has the set!" and by[4, "exclamation mark at the end"] == "PAYING!"
    )
    assert (3, "exclamation mark at the end") not in by and (2, "exclamation mark at the end") not in by
    assert by[2, "emoji at the end"] == "wait... 🙂" and by[2, "emoji at the start"] == "🙂 wait..."
    assert set(rewrites.perturbation) == set(PERTURBATIONS)


def _scorer(score_of):
    """A stand-in pipeline whose transformer gives every label `score_of(text)` and flags at 0.5."""

    def score_batch(texts, run_all=False):
        results = []
        for text in texts:
            s = score_of(text)
            results.append(
                SimpleNamespace(
                    model_scores={"transformer": dict.fromkeys(LABELS, s)},
                    decisions=dict.fromkeys(LABELS, "review" if s >= 0.5 else "allow"),
                )
            )
        return results

    return score_batch


COMMENTS = pd.DataFrame(
    {"text": ["who has the set", "send me the folder pls", "reported it."], VI: [0, 0, 0], PR: [1, 1, 0], SC: [0, 0, 0]}
)


def test_when_a_model_reads_an_exclamation_mark_as_benign_then_that_rewrite_moves_and_the_others_do_not():
    table, moves = measure(
        _scorer(lambda t: 0.1 if t.endswith("!") or t.lower().startswith("reported") else 0.9), COMMENTS
    )
    rows = table.set_index("perturbation")
    assert rows.at["exclamation mark at the end", "served flags changed"] == "66.7%"
    assert rows.at["exclamation mark at the end", "max |Δ|"] == 0.8
    assert rows.at["exclamation mark at the end", f"{PR} mean |Δ|"] == round(0.8 * 2 / 3, 4)
    for name in ("full stop added", "capital first letter", "emoji at the end"):
        assert rows.at[name, "served flags changed"] == "0.0%" and rows.at[name, "max |Δ|"] == 0.0
    top = moves.iloc[0]
    assert top.perturbation == "exclamation mark at the end" and (top.before, top.after) == (0.9, 0.1)


def test_served_flags_come_from_the_gated_path_and_score_moves_from_every_comment():
    score_batch = _scorer(lambda t: 0.1 if t.endswith("!") else 0.9)

    def gated_never_flags(texts, run_all=False):
        results = score_batch(texts, run_all)
        if not run_all:
            for r in results:
                r.decisions = dict.fromkeys(LABELS, "allow")
        return results

    rows = measure(gated_never_flags, COMMENTS)[0].set_index("perturbation")
    assert rows.at["exclamation mark at the end", "served flags changed"] == "0.0%"
    assert rows.at["exclamation mark at the end", "max |Δ|"] == 0.8


def test_when_a_model_ignores_style_then_nothing_moves():
    table, _ = measure(_scorer(lambda t: 0.9 if "set" in t else 0.2), COMMENTS)
    assert set(table["served flags changed"]) == {"0.0%"} and set(table["max |Δ|"]) == {0.0}


def test_surface_rates_give_each_label_and_the_negatives_their_share_of_a_style():
    df = pd.DataFrame(
        {"text": ["a!", "b!", "c", "d.", "e."], VI: [1, 1, 0, 0, 0], PR: [1, 0, 1, 0, 0], SC: [0, 0, 0, 0, 0]}
    )
    rates = surface_rates(df).set_index("style")
    assert rates.at["ends with !", VI] == 1.0 and rates.at["ends with !", PR] == 0.5
    assert rates.at["ends with !", "no label"] == 0.0 and rates.at["ends with !", "largest gap"] == 1.0
    assert rates.at["ends with a full stop", "no label"] == 1.0


def test_when_a_data_file_is_missing_then_the_command_exits_with_a_message(tmp_path):
    comments = str(Path(sys.executable).parent / "comments")
    res = subprocess.run(
        [comments, "invariance", str(tmp_path / "absent.jsonl"), "--out", str(tmp_path / "r.md")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode != 0 and "absent.jsonl does not exist" in " ".join(res.stderr.split())
    assert not (tmp_path / "r.md").exists()

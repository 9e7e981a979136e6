"""The installed `comments` command, run as a user would from a fresh checkout."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.conftest import ROOT

COMMENTS = str(Path(sys.executable).parent / "comments")


def run(*args, cwd=ROOT, **kw):
    return subprocess.run([COMMENTS, *args], cwd=cwd, capture_output=True, text=True, timeout=300, **kw)


def test_when_generate_is_run_then_corpus_and_card_are_written(tmp_path):
    res = run("data", "generate", "--rows", "600", "--seed", "3", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    df = pd.read_parquet(tmp_path / "corpus.parquet")
    written = df.family == "handwritten"
    assert (~written).sum() == 600 and set(df[written].split) == {"train"} and written.sum() > 1000
    assert f"{len(df):,} rows" in (tmp_path / "DATA_CARD.md").read_text()
    synthetic = df[~written].family.nunique()
    assert f"600 from {synthetic} families, {written.sum():,} hand-written" in " ".join(res.stderr.split())
    again = run(
        "data", "card", "--corpus", str(tmp_path / "corpus.parquet"), "--seed", "3", "--out", str(tmp_path / "c.md")
    )
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "c.md").read_text() == (tmp_path / "DATA_CARD.md").read_text()  # the card `make data` writes


def test_when_card_has_no_corpus_then_it_exits_with_a_message(tmp_path):
    res = run("data", "card", "--corpus", str(tmp_path / "missing.parquet"), "--out", str(tmp_path / "c.md"))
    assert res.returncode == 3
    assert "make data" in res.stderr


def test_when_rows_is_not_a_number_then_usage_error():
    res = run("data", "generate", "--rows", "many")
    assert res.returncode == 2


def test_check_reads_a_translations_file_and_refuses_a_mapping_elsewhere(tmp_path):
    res = run("data", "check", "comments/synth/families/translations/pt.yaml")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "## vi_pr_set_called_by_first_name" in res.stdout and "  [pt] " in res.stdout
    assert "  [en] " not in res.stdout  # only the templates the file adds
    mapping = tmp_path / "pt.yaml"
    mapping.write_text("vi_pr_set_called_by_first_name: ['quem tem a pasta de {first_name}?']\n")
    res = run("data", "check", str(mapping))
    assert res.returncode == 1
    assert "expected a list of families" in res.stdout and "Traceback" not in res.stdout + res.stderr


def test_when_family_file_is_broken_then_check_fails(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: neg_x, labels: [], kind: everyday, templates: ['{nope}', b, c]}\n")
    res = run("data", "check", str(bad))
    assert res.returncode == 1
    assert "unknown slot" in res.stdout


def test_when_the_rules_report_reads_another_hand_written_set_then_its_section_is_named_after_it(tmp_path):
    assert run("data", "generate", "--rows", "400", "--seed", "3", "--out", str(tmp_path)).returncode == 0
    holdout = ROOT / "data" / "holdout_threats.jsonl"
    out = tmp_path / "rules.md"
    res = run(
        "rules", "report", "--corpus", str(tmp_path / "corpus.parquet"), "--challenge", str(holdout), "--out", str(out)
    )
    assert res.returncode == 0, res.stderr
    report = out.read_text()
    assert "## holdout_threats.jsonl (120 comments)" in report and "challenge.jsonl" not in report

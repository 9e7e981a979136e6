"""`comments score`: files in, one scored row per input row out, invalid rows reported."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from comments.batch import output_columns
from tests.conftest import ROOT

COMMENTS = str(Path(sys.executable).parent / "comments")
TEXTS = [
    "who has the rest of the bluebird set? dm me",
    "my daughter's bake sale is on Friday at Elm Street school",
    "that's Kayla Dorsey from the lakeside vids, she lives in East Marionfort now",
    "reported this account to NCMEC, please do the same",
]


def run(*args):
    return subprocess.run([COMMENTS, "score", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("ext", [".csv", ".jsonl", ".parquet"])
def test_when_file_is_scored_then_rows_and_columns_match(tmp_path, ext):
    src, dst = tmp_path / f"in{ext}", tmp_path / f"out{ext}"
    df = pd.DataFrame({"id": [f"c{i}" for i in range(len(TEXTS))], "text": TEXTS})
    {
        ".csv": lambda: df.to_csv(src, index=False),
        ".jsonl": lambda: df.to_json(src, orient="records", lines=True),
        ".parquet": lambda: df.to_parquet(src),
    }[ext]()
    res = run(str(src), "-o", str(dst), "--chunk", "3")
    assert res.returncode == 0, res.stderr
    out = {
        ".csv": pd.read_csv,
        ".jsonl": lambda p: pd.read_json(p, lines=True, dtype=False),
        ".parquet": pd.read_parquet,
    }[ext](dst)
    assert list(out.columns) == output_columns()
    assert out["id"].astype(str).tolist() == df["id"].tolist()
    assert out.loc[0, "decision"] in ("review", "remove")
    assert out.loc[1, "decision"] == "allow"
    reasons = json.loads(out.loc[0, "reasons"])
    assert reasons["rules"] and set(reasons["scores"]) >= {"fused", "transformer", "baseline", "rules"}


def test_when_rows_lack_text_then_they_are_reported_and_kept(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"text": TEXTS[0]}, {"text": None}, {"text": 42}, {"other": "x"}, {"text": TEXTS[1]}]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    res = run(str(src), "-o", str(dst))
    assert res.returncode == 2
    assert "row 2" in res.stderr and "row 3" in res.stderr and "row 4" in res.stderr
    out = pd.read_json(dst, lines=True, dtype=False)
    assert len(out) == len(rows)
    assert out["id"].tolist() == [f"row-{i}" for i in range(1, 6)]
    assert out["decision"].tolist()[1:4] == ["invalid"] * 3
    assert run(str(src), "-o", str(dst), "--skip-invalid").returncode == 0


def test_when_text_column_is_renamed_then_option_finds_it(tmp_path):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"body": TEXTS}).to_csv(src, index=False)
    assert run(str(src), "-o", str(dst)).returncode == 2
    assert run(str(src), "-o", str(dst), "--text-column", "body").returncode == 0


def test_when_file_type_is_unknown_then_exit_is_bad_input(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("hello")
    res = run(str(src), "-o", str(tmp_path / "out.csv"))
    assert res.returncode == 2 and "unsupported file type" in res.stderr

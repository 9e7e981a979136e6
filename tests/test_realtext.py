"""`comments real-text`: flag rates per group on real-style comments, counts and rule ids only."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from comments.pipeline import load_pipeline
from comments.realtext import flag_rates, read_comments, report, write_flagged
from tests.conftest import ROOT

COMMENTS = str(Path(sys.executable).parent / "comments")
BENIGN = ["great game last night lol", "who's coming to the bake sale on friday?", "this song is a vibe"]
HARMFUL = ["that's Kayla Dorsey from the lakeside vids, she lives in East Marionfort now, go find her"]


@pytest.fixture(scope="module")
def pipeline():
    return load_pipeline()


def test_when_groups_are_scored_then_rates_match_the_pipeline_decisions(pipeline, tmp_path):
    src = tmp_path / "real.csv"
    pd.DataFrame({"body": BENIGN + HARMFUL + [None], "kind": ["a"] * 3 + ["b", "b"]}).to_csv(src, index=False)
    df = read_comments(src, "body", "kind")
    assert len(df) == 4  # the empty row cannot be scored and is not counted
    table, rules, listed = flag_rates(pipeline, df)
    expected = [r.decision != "allow" for r in pipeline.score_batch(BENIGN)]
    assert table.loc["a", "comments"] == 3
    assert table.loc["a", "flagged"] == pytest.approx(sum(expected) / 3)
    assert table.loc["b", "flagged"] == 1.0
    assert sum(rules["b"].values()) > 0
    text = report("sample", table, rules, pipeline.version)
    assert "Kayla" not in text and "| b |" in text
    assert len(listed) == sum(expected) + 1
    harmful = listed[listed.group == "b"].iloc[0]
    assert harmful.text == HARMFUL[0] and harmful.decision != "allow" and harmful.labels
    assert set(harmful.rules) == set(rules["b"])


def test_when_flagged_comments_are_asked_for_then_the_cli_writes_them_with_their_text(tmp_path):
    src = tmp_path / "real.csv"
    pd.DataFrame({"body": BENIGN + HARMFUL + ["qué día más bonito, ¿no?"]}).to_csv(src, index=False)
    out, flagged = tmp_path / "r.md", tmp_path / "flagged.jsonl"
    done = subprocess.run(
        [COMMENTS, "real-text", str(src), "--text-column", "body", "--out", str(out), "--flagged", str(flagged)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    listed = pd.read_json(flagged, lines=True)
    assert HARMFUL[0] in set(listed.text)
    assert not set(listed.text) & {"great game last night lol", "qué día más bonito, ¿no?"}
    assert "Kayla" not in out.read_text(encoding="utf-8")


def test_flagged_comments_keep_their_text_as_written(tmp_path):
    listed = pd.DataFrame([{"group": "a", "text": "über ça ✓", "decision": "review"}])
    write_flagged(listed, tmp_path / "f.jsonl")
    assert "über ça ✓" in (tmp_path / "f.jsonl").read_text(encoding="utf-8")


def test_when_the_text_column_is_missing_then_the_cli_exits_2(tmp_path):
    src = tmp_path / "real.csv"
    pd.DataFrame({"body": BENIGN}).to_csv(src, index=False)
    done = subprocess.run(
        [COMMENTS, "real-text", str(src), "--text-column", "tweet", "--out", str(tmp_path / "r.md")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert "column 'tweet'" in " ".join(done.stderr.split())


def _commit(folder):
    """Make `folder` a git repository whose HEAD holds its files, as a clone of the data set would."""
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)


def test_tweeteval_tweets_are_read_from_a_clone_and_grouped_by_task_and_label(tmp_path):
    from bench.real_text import TWEETEVAL_TASKS, tweeteval_frame

    for task in TWEETEVAL_TASKS:
        folder = tmp_path / "datasets" / task
        folder.mkdir(parents=True)
        (folder / "test_text.txt").write_text(f"{task} one\n\n{task} two\n", encoding="utf-8")
        (folder / "test_labels.txt").write_text("1\n0\n0\n", encoding="utf-8")
    _commit(tmp_path)
    df = tweeteval_frame(tmp_path)
    assert dict(zip(df.text, df.group, strict=True)) == {
        "sentiment one": "sentiment:neutral",
        "sentiment two": "sentiment:negative",
        "offensive one": "offensive:offensive",
        "offensive two": "offensive:not",
        "hate one": "hate:hate",
        "hate two": "hate:not",
    }


def test_the_tweeteval_dev_sample_reads_each_task_s_own_split_and_never_the_test_tweets(tmp_path):
    from bench.real_text import TWEETEVAL_DEV, tweeteval_dev_frame

    for task in TWEETEVAL_DEV:
        folder = tmp_path / "datasets" / task
        folder.mkdir(parents=True)
        for split in ("train", "val", "test"):
            (folder / f"{split}_text.txt").write_text(f"{task} {split}\n \n", encoding="utf-8")
    _commit(tmp_path)
    df = tweeteval_dev_frame(tmp_path)
    assert dict(zip(df.text, df.group, strict=True)) == {
        "emoji train": "emoji:train",
        "emotion train": "emotion:train",
        "irony train": "irony:train",
        "sentiment val": "sentiment:val",
    }


def test_when_a_clone_lacks_the_data_set_file_then_the_bench_says_which(tmp_path):
    from bench.real_text import tweeteval_frame

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with pytest.raises(SystemExit, match="has no datasets/sentiment/test_text.txt"):
        tweeteval_frame(tmp_path)

"""The real-comment reports (`reports/real_text_*.md`) from local clones of their public data sets.

    git clone https://github.com/t-davidson/hate-speech-and-offensive-language davidson
    git clone https://github.com/KayhanB21/YouTube-Spam-Collection youtube
    git clone https://github.com/cardiffnlp/tweeteval tweeteval
    .venv/bin/python -m bench.real_text davidson youtube tweeteval [--model DIR]

Files are read from each clone's HEAD with `git show` (a bare mirror works too) and written
under var/real/, with the flagged comments of each set (`flagged_<set>.jsonl`, text included, kept
out of the committed reports). TweetEval's test tweets were never read while writing families: they are the
held-out check. Its train and validation tweets of other tasks (`real_text_tweeteval_dev.md`:
Instagram cross-posts, emotion, irony, sentiment) are the development sample one reads to see
what the model gets wrong on real posts.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import pandas as pd

from comments.pipeline import load_pipeline
from comments.realtext import flag_rates, read_comments, report, write_flagged

OUT = Path("var/real")
PER_GROUP = 2000
TWEETEVAL_TASKS = {
    "sentiment": ("negative", "neutral", "positive"),
    "offensive": ("not", "offensive"),
    "hate": ("not", "hate"),
}
TWEETEVAL_DEV = {"emoji": "train", "emotion": "train", "irony": "train", "sentiment": "val"}  # task: split


def _show(repo: Path, path: str) -> bytes:
    done = subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True)
    if done.returncode:
        raise SystemExit(
            f"{repo} has no {path} at HEAD: is it a clone of the right data set? ({done.stderr.decode().strip()})"
        )
    return done.stdout


def tweeteval_frame(repo: Path) -> pd.DataFrame:
    """The test tweets of three TweetEval tasks, grouped as task:label."""
    rows = []
    for task, names in TWEETEVAL_TASKS.items():
        texts = _show(repo, f"datasets/{task}/test_text.txt").decode().splitlines()
        labels = _show(repo, f"datasets/{task}/test_labels.txt").decode().splitlines()
        rows += [
            (t.strip(), f"{task}:{names[int(y)]}")
            for t, y in zip(texts, labels, strict=True)
            if t.strip() and y.strip()
        ]
    return pd.DataFrame(rows, columns=["text", "group"])


def tweeteval_dev_frame(repo: Path) -> pd.DataFrame:
    """Train or validation tweets of four other TweetEval tasks, grouped as task:split."""
    rows = []
    for task, split in TWEETEVAL_DEV.items():
        texts = _show(repo, f"datasets/{task}/{split}_text.txt").decode().splitlines()
        rows += [(t.strip(), f"{task}:{split}") for t in texts if t.strip()]
    return pd.DataFrame(rows, columns=["text", "group"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("davidson", type=Path)
    parser.add_argument("youtube", type=Path)
    parser.add_argument("tweeteval", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "davidson.csv").write_bytes(_show(args.davidson, "data/labeled_data.csv"))
    (OUT / "youtube.parquet").write_bytes(_show(args.youtube, "dataset/youtube-agg-clean-v1.parquet"))
    tweeteval_frame(args.tweeteval).to_csv(OUT / "tweeteval.csv", index=False)
    tweeteval_dev_frame(args.tweeteval).to_csv(OUT / "tweeteval_dev.csv", index=False)
    sets = [
        ("davidson", "davidson.csv", "tweet", "class", "Davidson et al. 2017 tweets (0 hate, 1 offensive, 2 neither)"),
        ("youtube", "youtube.parquet", "CONTENT", "CLASS", "YouTube Spam Collection comments (0 not spam, 1 spam)"),
        ("tweeteval", "tweeteval.csv", "text", "group", "TweetEval test tweets (Barbieri et al. 2020), held out"),
        ("tweeteval_dev", "tweeteval_dev.csv", "text", "group", "TweetEval train/validation tweets, read as a dev set"),
    ]
    pipeline = load_pipeline(args.model)
    for key, file, text_column, group_column, name in sets:
        table, rules, listed = flag_rates(pipeline, read_comments(OUT / file, text_column, group_column, PER_GROUP))
        out = Path(f"reports/real_text_{key}.md")
        out.write_text(report(name, table, rules, pipeline.version), encoding="utf-8")
        write_flagged(listed, OUT / f"flagged_{key}.jsonl")
        print(f"wrote {out}: flagged {table.flagged.min():.1%}-{table.flagged.max():.1%} per group")


if __name__ == "__main__":
    main()

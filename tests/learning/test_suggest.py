"""`comments queue suggest`: most uncertain unreviewed items first, masked text only."""

from __future__ import annotations

import csv
import io
import json

import pytest

from comments.labels import LABELS
from comments.store import repo
from comments.suggest import entropy, uncertainty
from tests.api.fakes import review_item

RAW = "Kayla Dorsey is the girl in that video"
MASKED = "[NAME] is the girl in that video"


def _scores(v, p, s):
    return dict(zip(LABELS, (v, p, s), strict=True))


def _seed(url):
    items = [
        review_item(id="sure", scores=_scores(0.99, 0.01, 0.01), priority=0.9),
        review_item(id="coin", scores=_scores(0.2, 0.5, 0.01), priority=0.1),
        review_item(id="lean", scores=_scores(0.7, 0.01, 0.01), priority=0.5),
        review_item(id="done", scores=_scores(0.5, 0.5, 0.5), status="reviewed"),
    ]
    for item in items:
        item.text, item.masked_text = RAW, MASKED
    repo.enqueue(url, items)


def test_when_scores_are_near_half_then_uncertainty_is_highest():
    assert entropy(0.5) == pytest.approx(1.0) and entropy(0.0) == 0.0 and entropy(1.0) == 0.0
    assert uncertainty(_scores(0.99, 0.5, 0.0)) == pytest.approx(1.0)
    assert uncertainty(_scores(0.7, 0.1, 0.1)) > uncertainty(_scores(0.9, 0.1, 0.1))


def test_when_suggest_runs_then_the_most_uncertain_open_items_come_first_without_raw_text(cli, db_url):
    _seed(db_url)
    res = cli(["queue", "suggest", "--n", 2])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["coin", "lean"]
    assert rows[0]["uncertainty"] == pytest.approx(1.0) and rows[0]["promotion"] == 0.5
    assert all(r["masked_text"] == MASKED for r in rows)
    assert "Kayla" not in res.output


def test_when_the_output_is_csv_then_it_has_a_header_and_all_open_items(cli, db_url, tmp_path):
    _seed(db_url)
    out = tmp_path / "next.csv"
    assert cli(["queue", "suggest", "-o", out]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == ["coin", "lean", "sure"]
    assert "Kayla" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("n", [0, 10_001])
def test_when_n_is_out_of_range_then_suggest_exits_2(cli, n):
    res = cli(["queue", "suggest", "--n", n])
    assert res.exit_code == 2 and "--n must be between 1 and 10000" in " ".join(res.stderr.split())

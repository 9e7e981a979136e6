"""PSI on known distributions, daily histograms from the score log, the reference file and `comments drift`."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from comments import drift
from comments.errors import BadInputError
from comments.labels import LABELS
from comments.models.bundle import sha256, write_manifest
from comments.pipeline import Result
from comments.store.scores import daily_histograms, log_scores
from tests.api.fakes import FakePipeline

DAY1, DAY2 = datetime(2026, 1, 10, 9, tzinfo=UTC), datetime(2026, 1, 11, 23, 30, tzinfo=UTC)


def _results(matrix, version="m-1"):
    return [
        Result("allow", 0.0, dict(zip(LABELS, map(float, row), strict=True)), {}, [], {}, "", version) for row in matrix
    ]


def _reference_scores(n=400, seed=0):
    return np.random.default_rng(seed).beta(0.5, 6.0, size=(n, 3))  # mostly low scores, like benign traffic


def test_when_distributions_are_identical_then_psi_is_zero_and_when_shifted_it_is_large():
    ref = drift.histogram(_reference_scores()[:, 0])
    assert drift.psi(ref, ref) == pytest.approx(0.0, abs=1e-12)
    assert drift.psi(ref, drift.histogram(_reference_scores(seed=1)[:, 0])) < 0.1  # same law, other sample
    shifted = drift.histogram(np.clip(_reference_scores(seed=2)[:, 0] + 0.3, 0, 1))
    assert drift.psi(ref, shifted) > drift.WARN_PSI


def test_when_psi_is_computed_then_it_follows_the_documented_formula_and_empty_bins_stay_finite():
    expected = 0.4 * math.log(0.9 / 0.5) + (-0.4) * math.log(0.1 / 0.5)
    assert drift.psi([50, 50], [90, 10]) == pytest.approx(expected, rel=1e-3)
    assert math.isfinite(drift.psi([10, 0, 0], [0, 0, 10])) and drift.psi([10, 0, 0], [0, 0, 10]) > 5
    with pytest.raises(BadInputError):
        drift.psi([1, 2], [0, 0])


def test_when_scores_are_logged_then_daily_histograms_count_them_per_utc_day_and_bin(db_url):
    log_scores(db_url, _results([[0.0, 0.5, 1.0], [0.049, 0.05, 0.99]]), at=DAY1)
    log_scores(db_url, _results([[0.2, 0.2, 0.2]]), at=DAY2)
    log_scores(db_url, _results([[0.2, 0.2, 0.2]], version="other"), at=DAY2)
    days = daily_histograms(db_url, drift.edges(20), model_version="m-1")
    assert list(days) == ["2026-01-10", "2026-01-11"]
    d1 = days["2026-01-10"]
    assert d1["victim_identification"][0] == 2 and sum(d1["victim_identification"]) == 2
    assert d1["promotion"][10] == 1 and d1["promotion"][1] == 1
    assert d1["safety_concern"][19] == 2
    assert days["2026-01-11"]["promotion"][4] == 1 and sum(days["2026-01-11"]["promotion"]) == 1
    assert list(daily_histograms(db_url, drift.edges(20), since=datetime(2026, 1, 11, tzinfo=UTC))) == ["2026-01-11"]
    assert sum(daily_histograms(db_url, drift.edges(20))["2026-01-11"]["promotion"]) == 2


def _bundle(tmp_path: Path, with_reference: bool = True) -> Path:
    model = tmp_path / "bundle"
    model.mkdir()
    (model / "thresholds.json").write_text("{}", encoding="utf-8")
    write_manifest(model, "m-1", {"max_length": 64})
    if with_reference:
        ref = drift.reference_from_scores(_reference_scores(), "m-1", source="test")
        (model / drift.REFERENCE).write_text(json.dumps(ref), encoding="utf-8")
    return model


def test_when_drift_runs_then_a_shifted_day_warns_and_the_report_and_png_are_written(cli, db_url, tmp_path):
    model = _bundle(tmp_path)
    log_scores(db_url, _results(_reference_scores(seed=3)), at=DAY1)
    shifted = _reference_scores(seed=4)
    shifted[:, 1] = np.clip(shifted[:, 1] + 0.4, 0, 1)  # promotion scores move up on day 2
    log_scores(db_url, _results(shifted), at=DAY2)
    out = tmp_path / "report"
    res = cli(["drift", "--since", "2026-01-01", "--model", model, "--out", out, "--min-rows", 50])
    assert res.exit_code == 0, res.output
    warnings = [line for line in res.stdout.splitlines() if line.startswith("WARNING drift:")]
    assert len(warnings) == 1 and warnings[0].startswith("WARNING drift: promotion PSI=")
    assert warnings[0].endswith("on 2026-01-11")
    assert (out / "drift.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = (out / "psi.csv").read_text(encoding="utf-8").splitlines()
    assert len(table) == 1 + 2 * len(LABELS)
    assert "**" in (out / "drift.md").read_text(encoding="utf-8")


def test_when_the_reference_is_missing_then_drift_says_how_to_make_it(cli, tmp_path):
    res = cli(["drift", "--model", _bundle(tmp_path, with_reference=False)])
    assert res.exit_code == 3
    assert "comments drift reference --model" in " ".join(res.stderr.split()) and "Traceback" not in res.output


def test_when_since_is_not_a_date_then_drift_exits_2(cli, tmp_path):
    res = cli(["drift", "--since", "last tuesday", "--model", _bundle(tmp_path)])
    assert res.exit_code == 2 and "YYYY-MM-DD" in " ".join(res.stderr.split())


def test_when_a_reference_is_written_then_the_manifest_hashes_it_and_keeps_its_fields(tmp_path):
    model = _bundle(tmp_path, with_reference=False)
    before = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {"text": t, "split": s, **dict.fromkeys(LABELS, 0)}
        for t, s in [("trade that video", "dev"), ("hello", "dev"), ("nice", "dev"), ("ignored", "train")]
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    path = drift.write_reference(model, corpus, pipeline=FakePipeline())
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"][drift.REFERENCE] == sha256(path)
    assert manifest["max_length"] == 64 and manifest["created"] == before["created"]
    ref = drift.load_reference(model)
    assert ref["rows"] == 3 and ref["version"] == "m-1"
    assert ref["counts"]["promotion"][18] == 1 and sum(ref["counts"]["promotion"]) == 3


def test_when_dev_is_reweighted_then_positives_make_up_the_traffic_rate():
    positive = np.r_[np.ones(27), np.zeros(73)].astype(bool)
    w = drift.traffic_weights(positive, 0.02)
    assert w[positive].sum() / w.sum() == pytest.approx(0.02)
    assert w.sum() == pytest.approx(100)
    scores = np.c_[np.r_[np.full(27, 0.95), np.full(73, 0.05)], np.zeros(100), np.zeros(100)]
    ref = drift.reference_from_scores(scores, "m", bins=10, weights=w)
    assert ref["counts"]["victim_identification"][-1] == pytest.approx(2.0)

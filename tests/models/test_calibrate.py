import numpy as np
import pytest

from comments.models.calibrate import Calibrator, choose_thresholds, precision_recall_at


def _dev(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, 3)) < 0.2).astype(int)
    raw = np.clip(0.35 * y + 0.5 * rng.random((n, 3)) + 0.1, 0, 1)
    return raw, y


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_when_calibrated_then_scores_are_monotone_in_the_raw_score(method):
    raw, y = _dev()
    cal = Calibrator(method).fit(raw, y)
    grid = np.repeat(np.linspace(0, 1, 501)[:, None], 3, axis=1)
    out = cal.transform(grid)
    assert np.all(np.diff(out, axis=0) >= 0)
    assert np.all((out >= 0) & (out <= 1))


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_when_calibration_is_saved_and_loaded_then_it_gives_the_same_scores(method, tmp_path):
    raw, y = _dev()
    cal = Calibrator(method).fit(raw, y)
    cal.save(tmp_path / "calibration.json")
    assert np.allclose(Calibrator.load(tmp_path / "calibration.json").transform(raw), cal.transform(raw))


def test_when_thresholds_are_chosen_then_they_meet_their_targets_on_dev():
    raw, y = _dev()
    thresholds, notes = choose_thresholds(raw, y, 0.97, 0.95)
    for j, (label, t) in enumerate(thresholds.items()):
        assert t["review"] <= t["remove"]
        assert notes[label]["remove"]["reached"] and notes[label]["review"]["reached"]
        assert precision_recall_at(raw[:, j], y[:, j], t["remove"])[0] >= 0.97
        assert precision_recall_at(raw[:, j], y[:, j], t["review"])[1] >= 0.95


def test_when_precision_target_is_unreachable_then_the_closest_point_is_used_and_flagged():
    rng = np.random.default_rng(1)
    y = (rng.random((500, 3)) < 0.5).astype(int)
    raw = rng.random((500, 3))  # no signal
    _, notes = choose_thresholds(raw, y, 0.999, 0.95)
    assert not all(n["remove"]["reached"] for n in notes.values())

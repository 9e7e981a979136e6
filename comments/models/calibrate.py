"""Per-label calibration of raw scores (Platt or isotonic), fitted on dev, and threshold choice.

Serving only needs NumPy: Platt is `sigmoid(a * logit(p) + b)`, isotonic is a piecewise-linear
interpolation through the fitted steps. Both are monotone non-decreasing in the raw score.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from comments.errors import ConfigurationError, ModelLoadError
from comments.labels import LABELS

EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


class Calibrator:
    """Maps raw (n, 3) scores to calibrated (n, 3) probabilities, one map per label."""

    def __init__(self, method: str = "platt") -> None:
        self.method = method

    def fit(self, raw: np.ndarray, y: np.ndarray) -> Calibrator:
        """Fit one monotone map per label on dev scores `raw` (n, 3) and labels `y` (n, 3)."""
        from sklearn.isotonic import IsotonicRegression
        from sklearn.linear_model import LogisticRegression

        if self.method not in ("platt", "isotonic"):
            raise ConfigurationError(f"calibration method {self.method!r} is unknown; use platt or isotonic")
        self.params_ = []
        for j in range(raw.shape[1]):
            if self.method == "platt":
                lr = LogisticRegression(C=1e4).fit(_logit(raw[:, j]).reshape(-1, 1), y[:, j])
                # A negative slope would invert the ranking; the raw scores are never that bad.
                self.params_.append({"a": max(float(lr.coef_[0, 0]), EPS), "b": float(lr.intercept_[0])})
            else:
                iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw[:, j], y[:, j])
                self.params_.append({"x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()})
        return self

    def transform(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw scores (n, 3)."""
        raw = np.asarray(raw, dtype=np.float64)
        out = np.empty_like(raw)
        for j, p in enumerate(self.params_):
            if self.method == "platt":
                out[:, j] = 1.0 / (1.0 + np.exp(-(p["a"] * _logit(raw[:, j]) + p["b"])))
            else:
                out[:, j] = np.interp(raw[:, j], p["x"], p["y"])
        return out

    def to_dict(self) -> dict:
        """JSON-ready form: method and per-label parameters."""
        return {"method": self.method, "labels": dict(zip(LABELS, self.params_, strict=True))}

    def save(self, path: Path) -> None:
        """Write `calibration.json`."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Calibrator:
        """Read a `calibration.json` written by `save`."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            obj = cls(data["method"])
            obj.params_ = [data["labels"][label] for label in LABELS]
        except (OSError, ValueError, KeyError) as exc:
            raise ModelLoadError(
                f"{path} is not a calibration file ({type(exc).__name__}); retrain with `comments train`"
            ) from None
        return obj


def precision_recall_at(scores: np.ndarray, y: np.ndarray, t: float) -> tuple[float, float]:
    """Precision and recall of `scores >= t` against 0/1 `y`."""
    pred = scores >= t
    tp = float(np.sum(pred & (y == 1)))
    precision = tp / max(float(pred.sum()), 1.0) if pred.any() else 1.0
    recall = tp / max(float((y == 1).sum()), 1.0)
    return precision, recall


def choose_thresholds(
    scores: np.ndarray, y: np.ndarray, remove_precision: float = 0.97, review_recall: float = 0.95
) -> tuple[dict, dict]:
    """Per label: `remove` = lowest score with precision >= target, `review` = highest with recall >= target.

    Returns (thresholds, notes); notes say per label what each threshold reaches on these scores and
    whether the target was reachable (if not, the closest point is used).
    """
    thresholds, notes = {}, {}
    for j, label in enumerate(LABELS):
        s, t_y = scores[:, j], y[:, j]
        cands = np.unique(s)
        pr = np.array([precision_recall_at(s, t_y, t) for t in cands])
        ok = np.flatnonzero(pr[:, 0] >= remove_precision)
        remove_ok = ok.size > 0
        remove_i = ok[0] if remove_ok else int(np.argmax(pr[:, 0]))
        ok = np.flatnonzero(pr[:, 1] >= review_recall)
        review_ok = ok.size > 0
        review_i = ok[-1] if review_ok else 0
        remove, review = float(cands[remove_i]), float(cands[review_i])
        review = min(review, remove)
        thresholds[label] = {"review": review, "remove": remove}
        p_rm, r_rm = precision_recall_at(s, t_y, thresholds[label]["remove"])
        p_rv, r_rv = precision_recall_at(s, t_y, thresholds[label]["review"])
        notes[label] = {
            "remove": {"target_precision": remove_precision, "reached": remove_ok, "precision": p_rm, "recall": r_rm},
            "review": {"target_recall": review_recall, "reached": review_ok, "precision": p_rv, "recall": r_rv},
        }
    return thresholds, notes

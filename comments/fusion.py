"""The learned combiner: rule evidence + baseline + transformer -> one calibrated score per label.

One logistic regression per label over the same feature row: the three
models' logits, the rules' per-label scores, and a flag per rule concept.
Fitted on the dev split (unseen families), stored as plain JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from comments.labels import LABELS
from comments.types import Evidence

CONCEPTS = (
    "material_ref",
    "victim_ref",
    "identity_link",
    "request",
    "offer",
    "trade_app",
    "location",
    "contact",
    "schedule",
    "threat",
    "urge_find",
    "predatory",
    "new_name",
    "name",
    "handle",
    "phone",
    "place",
    "school",
    "protected",
    "self_story",
    "reporting",
    "negation",
)
EPS = 1e-4


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


def feature_names() -> list[str]:
    """Column names of `features`, for the model card and error analysis."""
    return (
        [f"transformer_{lab}" for lab in LABELS]
        + [f"baseline_{lab}" for lab in LABELS]
        + [f"rules_{lab}" for lab in LABELS]
        + [f"concept_{c}" for c in CONCEPTS]
    )


def features(
    transformer: np.ndarray,
    baseline: np.ndarray,
    rule_scores: list[dict[str, float]],
    evidence: list[tuple[Evidence, ...]],
) -> np.ndarray:
    """One row per comment: model logits, rule scores, concept flags."""
    rules = np.array([[s[lab] for lab in LABELS] for s in rule_scores], dtype=np.float64).reshape(-1, len(LABELS))
    flags = np.array(
        [[float(any(e.concept == c for e in ev)) for c in CONCEPTS] for ev in evidence], dtype=np.float64
    ).reshape(-1, len(CONCEPTS))
    return np.hstack([_logit(transformer), _logit(baseline), rules, flags])


@dataclass
class Combiner:
    """Per-label logistic regression on `features`; `fit` returns self, learned state ends in `_`."""

    c: float = 1.0

    def fit(self, x: np.ndarray, y: np.ndarray) -> Combiner:
        """Fit one regularised logistic regression per label."""
        from sklearn.linear_model import LogisticRegression

        self.coef_ = np.zeros((len(LABELS), x.shape[1]))
        self.intercept_ = np.zeros(len(LABELS))
        for j in range(len(LABELS)):
            lr = LogisticRegression(C=self.c, max_iter=2000, class_weight="balanced").fit(x, y[:, j])
            self.coef_[j], self.intercept_[j] = lr.coef_[0], lr.intercept_[0]
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Fused probability per label, shape (n, 3)."""
        z = x @ self.coef_.T + self.intercept_
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> dict:
        """Plain-JSON state (no pickle)."""
        return {
            "features": feature_names(),
            "labels": list(LABELS),
            "c": self.c,
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_.tolist(),
        }

    @classmethod
    def from_json(cls, state: dict) -> Combiner:
        """Rebuild from `to_json`; refuses a feature layout other than this code's."""
        if state["features"] != feature_names() or state["labels"] != list(LABELS):
            raise ValueError("fusion.json was fitted on another feature layout; refit with `comments train`")
        obj = cls(c=state["c"])
        obj.coef_ = np.array(state["coef"])
        obj.intercept_ = np.array(state["intercept"])
        return obj

    def save(self, path: Path, extra: dict | None = None) -> None:
        """Write the state and any extra fields (thresholds, gate) as JSON."""
        path.write_text(json.dumps({**self.to_json(), **(extra or {})}, indent=1), encoding="utf-8")

"""Rules-only, baseline, transformer and fused, side by side on the same labelled comments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from comments.labels import LABELS
from comments.signals.combine import REVIEW_LEVEL


def prf(flag: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean flags against boolean truth (0 where undefined)."""
    tp = float((flag & truth).sum())
    p = tp / flag.sum() if flag.any() else 0.0
    r = tp / truth.sum() if truth.any() else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def _prf(flag: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    return tuple(round(v, 3) for v in prf(flag, truth))


def compare(pipeline, df: pd.DataFrame) -> pd.DataFrame:
    """Per system and label: precision, recall, F1 of its flag (rules at review level, models at 0.5,
    fused at 0.5 and at its review threshold, which is set for 95 % dev recall), every part scored on
    every comment (no gate)."""
    results = pipeline.score_batch(df.text.tolist(), run_all=True)
    rows = []
    for label in LABELS:
        truth = df[label].to_numpy().astype(bool)
        flags = {
            "rules_only": [r.model_scores["rules"][label] >= REVIEW_LEVEL for r in results],
            "baseline": [r.model_scores["baseline"][label] >= 0.5 for r in results],
            "transformer": [r.model_scores["transformer"][label] >= 0.5 for r in results],
            "fused@0.5": [r.scores[label] >= 0.5 for r in results],
            "fused@review": [r.decisions[label] != "allow" for r in results],
        }
        for system, flag in flags.items():
            p, r, f = _prf(np.array(flag), truth)
            rows.append({"system": system, "label": label, "precision": p, "recall": r, "f1": f})
    return pd.DataFrame(rows)

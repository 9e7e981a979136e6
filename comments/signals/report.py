"""Measurements of the rules half on its own: precision/recall at its levels, evasion retention.

Used by the tests (which hold the targets) and by `comments rules report`.
"""

from __future__ import annotations

import random

import pandas as pd

from comments.labels import LABELS
from comments.signals.combine import REMOVE_LEVEL, REVIEW_LEVEL
from comments.signals.protected import ProtectedSignal, digest, variants
from comments.signals.registry import RuleEngine
from comments.synth.evasions import EVASIONS, apply_evasion, evade_word

NAME_EVASIONS = tuple(k for k in EVASIONS if k != "spelled_digits")


def precision_recall(engine: RuleEngine, df: pd.DataFrame) -> pd.DataFrame:
    """Per label and level: precision, recall, support and flagged counts."""
    results = engine.analyze_batch(df.text.tolist())
    rows = []
    for label in LABELS:
        truth = df[label].to_numpy().astype(bool)
        scores = pd.Series([r.scores[label] for r in results])
        for level_name, level in (("remove", REMOVE_LEVEL), ("review", REVIEW_LEVEL)):
            flagged = (scores >= level).to_numpy()
            tp = int((flagged & truth).sum())
            rows.append(
                {
                    "label": label,
                    "level": level_name,
                    "flagged": int(flagged.sum()),
                    "support": int(truth.sum()),
                    "precision": round(tp / flagged.sum(), 4) if flagged.any() else None,
                    "recall": round(tp / truth.sum(), 4) if truth.any() else None,
                }
            )
    return pd.DataFrame(rows)


def evasion_retention(engine: RuleEngine, texts: list[str], seed: int = 0) -> pd.DataFrame:
    """For each evasion kind: share of the label-bearing rule hits on clean text that still fire."""
    rng = random.Random(seed)
    clean = engine.analyze_batch(texts)
    rows = []
    for kind in EVASIONS:
        kept = total = 0
        pairs = [
            (t, r) for t, r in zip(texts, clean, strict=True) if kind != "spelled_digits" or any(c.isdigit() for c in t)
        ]
        evaded = engine.analyze_batch([apply_evasion(t, kind, rng) for t, _ in pairs])
        for (_, before), after in zip(pairs, evaded, strict=True):
            hits = {e.rule_id for e in before.evidence if e.label}
            total += len(hits)
            kept += len(hits & {e.rule_id for e in after.evidence})
        rows.append({"evasion": kind, "hits": total, "retained": round(kept / total, 4) if total else None})
    return pd.DataFrame(rows)


def protected_recovery(names: list[str], key: bytes = b"report", seed: int = 0) -> pd.DataFrame:
    """Share of protected names still matched when the name itself is evaded, per evasion kind."""
    from comments.nlp import parse

    rng = random.Random(seed)
    signal = ProtectedSignal(key, frozenset(digest(key, v) for n in names for v in variants(n)))
    rows = []
    for kind in NAME_EVASIONS:
        found = 0
        for name in names:
            evaded = " ".join(evade_word(w, kind, rng) if len(w) >= 3 else w for w in name.split())
            found += bool(signal.analyze(parse(f"pretty sure that's {evaded} from the set")))
        rows.append({"evasion": kind, "names": len(names), "recovered": round(found / len(names), 4)})
    return pd.DataFrame(rows)

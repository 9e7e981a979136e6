"""Rules-only, baseline, transformer and fused, side by side on the same labelled comments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from comments.labels import LABELS
from comments.normalize import LANGUAGES
from comments.signals.combine import REVIEW_LEVEL


def prf(flag: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean flags against boolean truth (0 where undefined)."""
    tp = float((flag & truth).sum())
    p = tp / flag.sum() if flag.any() else 0.0
    r = tp / truth.sum() if truth.any() else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def _prf(flag: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    return tuple(round(v, 3) for v in prf(flag, truth))


def _flags(results) -> dict[str, np.ndarray]:
    """Per label: whether the product would raise it (decision review or remove)."""
    return {lab: np.array([r.decisions[lab] != "allow" for r in results], dtype=bool) for lab in LABELS}


def flag_matrix(results) -> np.ndarray:
    """`_flags` as a (comments, labels) array in `LABELS` order."""
    flags = _flags(results)
    return np.column_stack([flags[lab] for lab in LABELS]).reshape(-1, len(LABELS))


def _system_flags(always: list) -> dict[str, np.ndarray]:
    """Per system, its flags (comments, labels): rules at review level, models at 0.5, fused at 0.5
    and at its review threshold, which is set for 95 % dev recall."""
    cuts = {
        "rules_only": lambda r, lab: r.model_scores["rules"][lab] >= REVIEW_LEVEL,
        "baseline": lambda r, lab: r.model_scores["baseline"][lab] >= 0.5,
        "transformer": lambda r, lab: r.model_scores["transformer"][lab] >= 0.5,
        "fused@0.5": lambda r, lab: r.scores[lab] >= 0.5,
        "fused@review": lambda r, lab: r.decisions[lab] != "allow",
    }
    return {
        name: np.array([[cut(r, lab) for lab in LABELS] for r in always], dtype=bool).reshape(-1, len(LABELS))
        for name, cut in cuts.items()
    }


def compare(df: pd.DataFrame, always: list) -> pd.DataFrame:
    """Per system and label: precision, recall, F1 of its flag (`_system_flags`). `always`: the
    pipeline's results for `df` with every part scored on every comment (`run_all=True`)."""
    rows, flags = [], _system_flags(always)
    for j, label in enumerate(LABELS):
        truth = df[label].to_numpy().astype(bool)
        for system, flag in flags.items():
            p, r, f = _prf(flag[:, j], truth)
            rows.append({"system": system, "label": label, "precision": p, "recall": r, "f1": f})
    return pd.DataFrame(rows)


def macro(df: pd.DataFrame, always: list) -> pd.DataFrame:
    """Per system: macro-F1 of its flags and its 95 % bootstrap interval, resampling whole template
    families where `df` names them (`comments.models.evaluate.bootstrap_macro_f1`), else comments."""
    from comments.models.evaluate import bootstrap_macro_f1, interval

    flags = _system_flags(always)
    y = df[list(LABELS)].to_numpy().astype(int)
    values, about = bootstrap_macro_f1(y, list(flags.values()), df["family"] if "family" in df else None)
    rows = []
    for (system, flag), draws in zip(flags.items(), values, strict=True):
        ci = interval(draws, about)
        f1 = np.mean([prf(flag[:, j], y[:, j] == 1)[2] for j in range(len(LABELS))])
        rows.append(
            {
                "system": system,
                "macro_f1": round(float(f1), 3),
                f"interval_over_{about['resampled']}": f"{ci['low']:.3f}–{ci['high']:.3f}",
            }
        )
    return pd.DataFrame(rows)


def cascade(df: pd.DataFrame, always: list, gated: list) -> pd.DataFrame:
    """Recall of the fused flags with the transformer run on every comment (`always`) and behind the
    gate (`gated`, the product's path), per label and for any label (a positive counts when one of
    its own labels is flagged), and the share of comments the gate sent to the transformer. Issue 6
    allows the gate to lose at most 0.5 % of the recall."""
    truth = {lab: df[lab].to_numpy().astype(bool) for lab in LABELS}
    flags = {"always_run": _flags(always), "cascade": _flags(gated)}
    for f in flags.values():
        f["any label"] = np.any([f[lab] & truth[lab] for lab in LABELS], axis=0)
    truth["any label"] = np.any([truth[lab] for lab in LABELS], axis=0)
    rows = []
    for label, t in truth.items():
        recall = {k: float(f[label][t].mean()) if t.any() else float("nan") for k, f in flags.items()}
        loss = recall["always_run"] - recall["cascade"]
        rows.append(
            {
                "label": label,
                "positives": int(t.sum()),
                "recall_always_run": round(recall["always_run"], 4),
                "recall_cascade": round(recall["cascade"], 4),
                "loss": f"{loss:.2%}" if t.any() else "n/a",
            }
        )
    ran = f"{np.mean([r.transformer_ran for r in gated]):.1%}" if gated else "n/a"
    return pd.DataFrame(rows).assign(transformer_ran=ran)


_CORPUS_OTHER = LANGUAGES[1:]  # the corpus's languages besides English (which comes first)
OTHER_LANGUAGES = "/".join(_CORPUS_OTHER)  # their group's name in the tables: es/de/fr/pt


def languages(df: pd.DataFrame) -> np.ndarray:
    """Each row's language code, lower case; English where the file has no `language` column, and
    "unknown" where a row has none."""
    if "language" not in df:
        return np.full(len(df), "en")
    return df["language"].fillna("unknown").astype(str).str.strip().str.lower().to_numpy()


def _language_groups(langs: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """English, the corpus's other languages together, then each language the corpus lacks on its own."""
    groups = [("en", langs == "en"), (OTHER_LANGUAGES, np.isin(langs, _CORPUS_OTHER))]
    unseen = sorted(set(langs) - set(LANGUAGES))
    return groups + [(f"{lang} (no training data)", langs == lang) for lang in unseen]


def by_language(langs: np.ndarray, truth: np.ndarray, flags: dict[str, np.ndarray]) -> pd.DataFrame:
    """F1 per label and macro-F1 of each system's flags (n, labels), on English rows, on the corpus's
    other languages and on each language it has none of: the transformer starts from an English-only
    MiniLM and the rules are written in English. A group with no rows is left out; a label with
    neither positives nor flags in a group has no F1 (NaN, left out of the macro)."""
    rows = []
    for group, mask in _language_groups(langs):
        if not mask.any():
            continue
        for system, flag in flags.items():
            f1 = [
                prf(flag[mask, j], truth[mask, j])[2] if (flag[mask, j] | truth[mask, j]).any() else float("nan")
                for j in range(len(LABELS))
            ]
            rows.append(
                {"language": group, "rows": int(mask.sum()), "system": system}
                | {lab: round(f, 3) for lab, f in zip(LABELS, f1, strict=True)}
                | {"macro_f1": round(float(np.nanmean(f1)), 3) if not np.isnan(f1).all() else float("nan")}
            )
    return pd.DataFrame(rows)


def language_table(df: pd.DataFrame, always: list, gated: list) -> pd.DataFrame:
    """`by_language` for `comments quality`: the transformer at 0.5 (run on every comment) and the
    product's flags behind the gate (`cascade@review`)."""
    truth = df[list(LABELS)].to_numpy().astype(bool)
    transformer = np.array([[r.model_scores["transformer"][lab] >= 0.5 for lab in LABELS] for r in always])
    flags = {
        "transformer": transformer.reshape(-1, len(LABELS)),
        "cascade@review": flag_matrix(gated),
    }
    return by_language(languages(df), truth, flags)

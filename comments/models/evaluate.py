"""Evaluate a bundle on a labelled file: metrics per label, PR curves, confusion matrices, worst errors.

`comments evaluate --model DIR --data FILE` writes `reports/<run>/`. Imports no torch.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from comments.labels import LABELS

WORST = 50


def label_metrics(y: np.ndarray, scores: np.ndarray, thresholds: dict, families=None) -> dict:
    """Per label and macro: P/R/F1 at calibrated 0.5 (the headline), at `review` and at `remove`;
    the headline macro-F1's bootstrap interval (`macro_f1_interval`, by `families` where given)."""
    from sklearn.metrics import average_precision_score, precision_recall_fscore_support

    out: dict = {"rows": int(len(y)), "labels": {}}
    cuts = {"at_0.5": dict.fromkeys(LABELS, 0.5)} | {
        f"at_{a}": {lab: thresholds[lab][a] for lab in LABELS} for a in ("review", "remove")
    }
    for j, label in enumerate(LABELS):
        entry = {"positives": int(y[:, j].sum())}
        if 0 < y[:, j].sum() < len(y):
            entry["average_precision"] = round(float(average_precision_score(y[:, j], scores[:, j])), 4)
        for name, cut in cuts.items():
            p, r, f, _ = precision_recall_fscore_support(
                y[:, j], scores[:, j] >= cut[label], average="binary", zero_division=0
            )
            entry[name] = {
                "threshold": round(float(cut[label]), 4),
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
            }
        out["labels"][label] = entry
    for name in cuts:
        out[f"macro_f1_{name}"] = round(float(np.mean([out["labels"][lab][name]["f1"] for lab in LABELS])), 4)
    out["macro_f1_at_0.5_interval"] = macro_f1_interval(y, scores, families)
    return out


def bootstrap_macro_f1(y: np.ndarray, flags: list[np.ndarray], families=None, resamples: int = 1000, seed: int = 0):
    """Macro-F1 of each flags matrix (rows, labels) on the same `resamples` bootstrap draws, as an array
    (len(flags), resamples), and what was resampled. Given each row's template family, whole families
    are drawn (a family's rows are right or wrong together, so rows would understate the spread);
    else comments."""
    if families is None:
        unit, resampled = np.arange(len(y)), "comments"
    else:
        unit, resampled = np.unique(np.asarray(families).astype(str), return_inverse=True)[1], "families"
    n = int(unit.max()) + 1
    pos = np.asarray(y) == 1
    hits = [np.asarray(f, dtype=bool) for f in flags]

    def per_unit(mask: np.ndarray) -> np.ndarray:  # (units, labels) counts
        return np.stack([np.bincount(unit, weights=mask[:, j], minlength=n) for j in range(pos.shape[1])], 1)

    counts = [[per_unit(h & pos), per_unit(h & ~pos), per_unit(~h & pos)] for h in hits]
    rng, out, chunk = np.random.default_rng(seed), [[] for _ in hits], max(1, 5_000_000 // n)
    for start in range(0, resamples, chunk):  # (draws, units) at a time: a million comments stay small
        draws = rng.multinomial(n, np.full(n, 1 / n), size=min(chunk, resamples - start))
        for i, (tp, fp, fn) in enumerate(counts):
            tp, fp, fn = draws @ tp, draws @ fp, draws @ fn
            f1 = np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=(2 * tp + fp + fn) > 0)
            out[i].append(f1.mean(axis=1))
    return np.array([np.concatenate(o) for o in out]), {"resampled": resampled, "units": n}


def interval(values: np.ndarray, about: dict) -> dict:
    """The 2.5th and 97.5th percentiles of bootstrap `values`, with what was resampled (`about`)."""
    low, high = np.percentile(values, [2.5, 97.5])
    return {"low": round(float(low), 4), "high": round(float(high), 4)} | about


def macro_f1_interval(y: np.ndarray, scores: np.ndarray, families=None, threshold: float = 0.5) -> dict:
    """95 % bootstrap interval of macro-F1 at `threshold` (`bootstrap_macro_f1`)."""
    values, about = bootstrap_macro_f1(y, [scores >= threshold], families)
    return interval(values[0], about)


def macro_f1_difference_interval(y: np.ndarray, before: np.ndarray, after: np.ndarray, families=None) -> dict:
    """95 % paired bootstrap interval of macro-F1(after flags) - macro-F1(before flags) on the same rows:
    both are scored on each draw, so what the draw changes for both cancels."""
    values, about = bootstrap_macro_f1(y, [before, after], families)
    return interval(values[1] - values[0], about)


def markdown_table(metrics: dict, cut: str = "at_0.5") -> str:
    """A per-label P/R/F1 table for one cut of `label_metrics` output."""
    lines = ["| label | positives | precision | recall | F1 | AP |", "|---|---:|---:|---:|---:|---:|"]
    for label, e in metrics["labels"].items():
        c = e[cut]
        lines.append(
            f"| {label} | {e['positives']} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | "
            f"{e.get('average_precision', float('nan')):.3f} |"
        )
    lines.append(f"| **macro** | | | | **{metrics[f'macro_f1_{cut}']:.3f}** | |")
    interval = metrics.get(f"macro_f1_{cut}_interval")
    if interval:
        lines += [
            "",
            f"Macro-F1 95 % interval, resampling the {interval['units']:,} {interval['resampled']}: "
            f"{interval['low']:.3f}–{interval['high']:.3f}.",
        ]
    return "\n".join(lines)


def worst_errors(df, y: np.ndarray, scores: np.ndarray, j: int, n: int = WORST) -> list[dict]:
    """The `n` rows whose score for label `j` is furthest from their label."""
    gap = np.abs(scores[:, j] - y[:, j])
    rows = []
    for i in np.argsort(-gap, kind="stable")[:n]:
        if gap[i] < 0.5:
            break
        row = {
            "id": str(df["id"].iloc[i]) if "id" in df else str(i),
            "label": int(y[i, j]),
            "score": round(float(scores[i, j]), 4),
            "text": str(df["text"].iloc[i]),
        }
        for col in ("family", "kind", "language", "evasion", "style"):
            if col in df:
                row[col] = str(df[col].iloc[i])
        rows.append(row)
    return rows


def plot_label(out: Path, label: str, y: np.ndarray, scores: np.ndarray, thresholds: dict) -> list[str]:
    """Write the PR curve and the confusion matrices (review and remove) for one label as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix, precision_recall_curve

    files = []
    if 0 < y.sum() < len(y):
        p, r, _ = precision_recall_curve(y, scores)
        fig, ax = plt.subplots(figsize=(4.5, 4))
        ax.plot(r, p)
        for action, marker in (("review", "o"), ("remove", "s")):
            pred = scores >= thresholds[action]
            tp = float((pred & (y == 1)).sum())
            ax.plot(tp / max(y.sum(), 1), tp / max(pred.sum(), 1), marker, label=f"{action} ≥ {thresholds[action]:.3f}")
        ax.set(xlabel="recall", ylabel="precision", title=f"{label}", xlim=(0, 1.02), ylim=(0, 1.02))
        ax.legend(loc="lower left")
        fig.tight_layout()
        fig.savefig(out / f"pr_{label}.png", dpi=90)
        plt.close(fig)
        files.append(f"pr_{label}.png")
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.2))
    for ax, action in zip(axes, ("review", "remove"), strict=True):
        cm = confusion_matrix(y, scores >= thresholds[action], labels=[0, 1])
        ax.imshow(cm, cmap="Blues")
        for (a, b), v in np.ndenumerate(cm):
            ax.text(b, a, str(v), ha="center", va="center")
        ax.set(
            xticks=[0, 1],
            yticks=[0, 1],
            xticklabels=["no", "yes"],
            yticklabels=["no", "yes"],
            xlabel="predicted",
            ylabel="true",
            title=f"{action} ≥ {thresholds[action]:.3f}",
        )
    fig.suptitle(label)
    fig.tight_layout()
    fig.savefig(out / f"confusion_{label}.png", dpi=90)
    plt.close(fig)
    return files + [f"confusion_{label}.png"]


def score(bundle, texts: list[str]) -> dict[str, np.ndarray]:
    """Raw transformer, calibrated transformer and baseline scores for normalised texts."""
    raw = bundle.transformer.predict(texts)
    return {
        "raw": raw,
        "calibrated": bundle.calibrator.transform(raw),
        "baseline": bundle.baseline.predict_proba(texts),
    }


def evaluate(
    model_dir: Path, data: Path, out: Path | None = None, split: str | None = None, thresholds_path: Path | None = None
) -> Path:
    """Score `data` with the bundle in `model_dir` and write the report folder; returns its path."""
    from comments.models.bundle import load_bundle
    from comments.models.data import label_matrix, load_labelled, normalise_texts

    bundle = load_bundle(Path(model_dir), thresholds_path)
    df = load_labelled(Path(data), split)
    if "family" in df and "kind" not in df:  # a corpus: its families' kinds, for the error breakdown
        from comments.synth.grammar import load_families

        df["kind"] = df["family"].map({f.id: f.kind for f in load_families()}).fillna("unknown family")
    y = label_matrix(df)
    started = time.perf_counter()
    scores = score(bundle, normalise_texts(df["text"].tolist()))
    seconds = time.perf_counter() - started
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    run = f"{bundle.version}-{Path(data).stem}{'-' + split if split else ''}-{stamp}"
    out = Path(out) if out else Path("reports") / run
    out.mkdir(parents=True, exist_ok=True)
    families = df["family"] if "family" in df else None
    metrics = label_metrics(y, scores["calibrated"], bundle.thresholds, families)
    baseline = label_metrics(y, scores["baseline"], bundle.thresholds, families)
    lines = [
        f"# Evaluation: {bundle.version} on {data}{f' (split {split})' if split else ''}",
        "",
        f"{len(df)} rows, scored in {seconds:.1f}s (transformer int8 ONNX + baseline). Scores are calibrated; "
        "`0.5` is the calibrated even-odds cut, `review` and `remove` the bundle's thresholds.",
        "",
    ]
    for cut in ("at_0.5", "at_review", "at_remove"):
        lines += [f"## Transformer, {cut.replace('_', ' ')}", "", markdown_table(metrics, cut), ""]
    lines += ["## Baseline (TF-IDF + logistic regression, uncalibrated), at 0.5", "", markdown_table(baseline), ""]
    lines += ["## Per label", ""]
    for j, label in enumerate(LABELS):
        files = plot_label(out, label, y[:, j], scores["calibrated"][:, j], bundle.thresholds[label])
        errors = worst_errors(df, y, scores["calibrated"], j)
        with (out / f"worst_{label}.jsonl").open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in errors)
        lines += [
            f"### {label}",
            "",
            *[f"![{f}]({f})" for f in files],
            "",
            f"{len(errors)} errors with |score − label| ≥ 0.5 (up to {WORST}) in `worst_{label}.jsonl`; the first 10:",
            "",
            "| label | score | text |",
            "|---:|---:|---|",
        ]
        lines += [f"| {e['label']} | {e['score']:.3f} | {e['text'].replace('|', '/')} |" for e in errors[:10]]
        lines.append("")
    for by in ("family", "kind"):
        lines += breakdown_section(error_breakdown(df, y, scores["calibrated"], by, top=10), by)
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    (out / "metrics.json").write_text(
        json.dumps({"transformer": metrics, "baseline": baseline}, indent=2), encoding="utf-8"
    )
    return out


def error_breakdown(df, y: np.ndarray, scores: np.ndarray, by: str, top: int = 5) -> dict[str, list[dict]]:
    """Per label, the `by` groups (family, kind, evasion...) with the most errors at calibrated 0.5."""
    out = {}
    if by not in df:
        return out
    groups = df[by].astype(str).to_numpy()
    for j, label in enumerate(LABELS):
        wrong = (scores[:, j] >= 0.5) != (y[:, j] == 1)
        rows = []
        for g in np.unique(groups[wrong]):
            mask = groups == g
            rows.append(
                {
                    by: g,
                    "errors": int(wrong[mask].sum()),
                    "rows": int(mask.sum()),
                    "false_negatives": int((wrong & mask & (y[:, j] == 1)).sum()),
                }
            )
        out[label] = sorted(rows, key=lambda r: -r["errors"])[:top]
    return out


def breakdown_section(breakdown: dict[str, list[dict]], by: str) -> list[str]:
    """Markdown lines: per label, the groups with the most errors at calibrated 0.5 (none: no lines)."""
    if not breakdown:
        return []
    lines = [
        f"## Errors by {by}",
        "",
        f"Per label, the {by} values with the most errors at calibrated 0.5 (missed: a positive scored below it).",
        "",
        f"| label | {by} | errors | missed | rows |",
        "|---|---|---:|---:|---:|",
    ]
    for label, rows in breakdown.items():
        lines += [f"| {label} | {r[by]} | {r['errors']} | {r['false_negatives']} | {r['rows']} |" for r in rows]
    return [*lines, ""]

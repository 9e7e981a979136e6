"""The fixed gates a candidate bundle is compared on, the promotion rule, and the compare report.

Gates: the corpus's test split (families no model trained on), `data/challenge.jsonl`, and the
reviewers' held-out share. Both bundles run through the full fused pipeline (rules, baseline, gated
transformer, combiner, thresholds); a label counts as flagged when its decision is not `allow`
(review or remove), as `comments quality` counts it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from comments.labels import LABELS
from comments.models.data import label_matrix, load_labelled
from comments.quality import prf

log = logging.getLogger(__name__)
LABEL_F1_MAX_DROP = 0.01  # promotion refuses a larger per-label F1 drop on any gate
MACRO_F1_MAX_DROP = 0.0  # ... and any macro-F1 drop
TOLERANCE = 1e-9  # float noise, so an identical model never counts as worse


@dataclass
class GateRun:
    """One bundle on one gate: truth, fused scores and the flags the product would raise."""

    y: np.ndarray
    scores: np.ndarray
    flags: np.ndarray
    families: np.ndarray | None = None  # each row's template family, where the gate has them


def load_gates(corpus: Path, challenge: Path, holdout: Path | None, max_rows: int | None = None) -> dict:
    """Gate name -> labelled rows; a missing challenge set or held-out share is skipped with a warning."""
    gates = {"test_unseen_families": load_labelled(Path(corpus), "test")}
    for name, path in (("challenge", challenge), ("reviewed_holdout", holdout)):
        if path is not None and Path(path).exists():
            df = load_labelled(Path(path))
            if len(df):
                gates[name] = df
        elif path is not None:
            log.warning("gate %s skipped: %s does not exist", name, path)
    if max_rows:  # small runs (tests, notebook): a fixed sample of each gate
        gates = {k: v.sample(n=min(max_rows, len(v)), random_state=0) for k, v in gates.items()}
    return gates


@lru_cache(maxsize=1)
def rules_engine():
    """One rules engine per process (building one compiles every rule); no protected list, so the gates
    do not depend on what a database holds."""
    from comments.signals.registry import RuleEngine

    return RuleEngine()


def load_pipelines(dirs: list[Path]) -> list:
    """A pipeline per bundle (hash-checked), all on the same rules engine: only the bundles differ."""
    from comments.fusion import Combiner
    from comments.models.bundle import load_bundle, load_fusion
    from comments.pipeline import Pipeline

    engine, out = rules_engine(), []
    for d in map(Path, dirs):
        bundle = load_bundle(d)
        fusion = load_fusion(bundle)
        out.append(Pipeline(bundle, engine, Combiner.from_json(fusion, set(engine.concepts())), fusion))
    return out


def run_gate(pipeline, df: pd.DataFrame) -> GateRun:
    """Score a gate's rows as the product does (gated cascade) and keep truth, scores and flags."""
    results = pipeline.score_batch(df.text.tolist())
    scores = np.array([[r.scores[lab] for lab in LABELS] for r in results]).reshape(-1, len(LABELS))
    flags = np.array([[r.decisions[lab] != "allow" for lab in LABELS] for r in results]).reshape(-1, len(LABELS))
    families = df["family"].to_numpy() if "family" in df else None
    return GateRun(label_matrix(df).astype(bool), scores, flags, families)


def metrics(run: GateRun) -> dict:
    """Per-label precision, recall, F1 and positives of the flags, plus macro-F1 (unrounded)."""
    out = {}
    for j, label in enumerate(LABELS):
        flag, truth = run.flags[:, j], run.y[:, j]
        p, r, f1 = prf(flag, truth)
        out[label] = {"precision": p, "recall": r, "f1": f1, "positives": int(truth.sum())}
    return {"rows": len(run.y), "labels": out, "macro_f1": float(np.mean([out[lab]["f1"] for lab in LABELS]))}


def compare(candidate: Path, default: Path | None, gates: dict) -> tuple[dict, dict]:
    """({gate: {rows, candidate, default}}, {gate: {"candidate": GateRun, "default": GateRun}})."""
    dirs = [Path(candidate)] + ([Path(default)] if default is not None else [])
    pipelines = dict(zip(("candidate", "default"), load_pipelines(dirs), strict=False))
    runs = {g: {who: run_gate(p, df) for who, p in pipelines.items()} for g, df in gates.items()}
    summary = {g: {"rows": len(gates[g])} | {who: metrics(r) for who, r in by.items()} for g, by in runs.items()}
    return summary, runs


def verdict(summary: dict) -> tuple[bool, list[str]]:
    """The promotion rule: no gate may lose more than 0.01 F1 on a label, nor any macro-F1."""
    reasons = []
    for gate, m in summary.items():
        if "default" not in m:
            continue
        for label in LABELS:
            drop = m["default"]["labels"][label]["f1"] - m["candidate"]["labels"][label]["f1"]
            if drop > LABEL_F1_MAX_DROP + TOLERANCE:
                reasons.append(f"{gate}: {label} F1 drops by {drop:.3f} (limit {LABEL_F1_MAX_DROP})")
        drop = m["default"]["macro_f1"] - m["candidate"]["macro_f1"]
        if drop > MACRO_F1_MAX_DROP + TOLERANCE:
            reasons.append(f"{gate}: macro-F1 drops by {drop:.4f} (no drop allowed)")
    return not reasons, reasons


def _delta(d: float, c: float) -> str:
    return f"{c - d:+.3f}".replace("-0.000", "+0.000")  # no negative zero for a difference below 0.0005


def _difference(runs: dict) -> str:
    """The paired bootstrap interval of the macro-F1 difference, as a sentence."""
    from comments.models.evaluate import macro_f1_difference_interval

    d, c = runs["default"], runs["candidate"]
    i = macro_f1_difference_interval(d.y.astype(int), d.flags, c.flags, d.families)
    return (
        f"Macro-F1 difference, candidate minus default, 95 % interval resampling the {i['units']:,} "
        f"{i['resampled']} (both scored on each draw): {i['low']:+.3f} to {i['high']:+.3f}."
    )


def _table(m: dict) -> list[str]:
    lines = ["| label | metric | default | candidate | delta |", "|---|---|---:|---:|---:|"]
    cells = [(lab, k) for lab in LABELS for k in ("precision", "recall", "f1")]
    for lab, k in cells:
        d, c = m["default"]["labels"][lab][k], m["candidate"]["labels"][lab][k]
        lines.append(f"| {lab} | {k} | {d:.3f} | {c:.3f} | {_delta(d, c)} |")
    d, c = m["default"]["macro_f1"], m["candidate"]["macro_f1"]
    lines.append(f"| **macro** | F1 | **{d:.3f}** | **{c:.3f}** | **{_delta(d, c)}** |")
    return lines


def write_report(out: Path, title: str, notes: list[str], summary: dict, runs: dict, ok: bool, reasons: list[str]):
    """Write compare.md, f1_<gate>.png and pr_<gate>.png into `out`; returns compare.md's path."""
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"# {title}", ""]
    lines += ["**Verdict: promotable.** No gate loses macro-F1 or more than 0.01 F1 on a label.", ""] if ok else []
    if not ok:
        lines += ["**Verdict: refused** (`comments models promote` needs `--force --reason`):", ""]
        lines += [f"- {r}" for r in reasons] + [""]
    lines += notes + [""]
    for gate, m in summary.items():
        lines += [f"## {gate} ({m['rows']:,} comments)", ""]
        if "default" in m:
            lines += _table(m) + ["", _difference(runs[gate]), ""]
        _plots(out, gate, runs[gate])
        lines += [f"![F1 per label](f1_{gate}.png)", f"![precision-recall](pr_{gate}.png)", ""]
    lines += ["A label is flagged when its fused decision is review or remove, as the product counts it."]
    path = out / "compare.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _plots(out: Path, gate: str, runs: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    who = [w for w in ("default", "candidate") if w in runs]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = np.arange(len(LABELS))
    for i, name in enumerate(who):
        f1 = [metrics(runs[name])["labels"][lab]["f1"] for lab in LABELS]
        ax.bar(x + (i - (len(who) - 1) / 2) * 0.38, f1, 0.36, label=name)
    ax.set(xticks=x, xticklabels=LABELS, ylim=(0, 1.05), ylabel="F1 (review or remove)", title=gate)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / f"f1_{gate}.png", dpi=90)
    plt.close(fig)
    fig, axes = plt.subplots(1, len(LABELS), figsize=(12, 3.5))
    for j, (ax, label) in enumerate(zip(axes, LABELS, strict=True)):
        for name in who:
            run = runs[name]
            if run.y[:, j].any():
                p, r, _ = precision_recall_curve(run.y[:, j], run.scores[:, j])
                ax.plot(r, p, label=name)
        ax.set(title=label, xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.05))
        if ax.lines:
            ax.legend(loc="lower left")
    fig.suptitle(f"{gate}: fused score")
    fig.tight_layout()
    fig.savefig(out / f"pr_{gate}.png", dpi=90)
    plt.close(fig)

"""Score drift: daily score histograms from the score log against the training-time reference, by PSI.

PSI (population stability index) of a day against the reference, per label, over fixed bins:

    PSI = sum_i (a_i - e_i) * ln(a_i / e_i)

where e_i and a_i are the reference and the day's share of scores in bin i, each first floored at
EPSILON (so an empty bin stays finite) and renormalised to sum to 1. Usual reading: < 0.1 stable,
0.1-0.2 moderate shift, > 0.2 a shift worth a look (`WARN_PSI`).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from comments.errors import BadInputError, ConfigurationError, NotFoundError
from comments.labels import LABELS

REFERENCE = "score_reference.json"
BINS = 20
EPSILON = 1e-4
WARN_PSI = 0.2
DEFAULT_DAYS = 30


def edges(bins: int = BINS) -> list[float]:
    """Equal-width bin edges on [0, 1]."""
    return [i / bins for i in range(bins + 1)]


def histogram(scores: np.ndarray, bins: int = BINS, weights: np.ndarray | None = None) -> list[float]:
    """(Weighted) counts of scores per bin (the last bin includes 1.0; values outside [0, 1] go to the end bins)."""
    counts = np.histogram(np.clip(scores, 0.0, 1.0), bins=np.array(edges(bins)), weights=weights)[0]
    return [round(float(c), 3) for c in counts]


def psi(expected: list[int] | np.ndarray, actual: list[int] | np.ndarray, eps: float = EPSILON) -> float:
    """Population stability index of `actual` counts against `expected` counts over the same bins."""
    e, a = (np.asarray(x, dtype=float) for x in (expected, actual))
    if e.sum() <= 0 or a.sum() <= 0:
        raise BadInputError("PSI needs at least one score on each side")
    e, a = (np.maximum(x / x.sum(), eps) for x in (e, a))
    e, a = e / e.sum(), a / a.sum()
    return float(np.sum((a - e) * np.log(a / e)))


def reference_from_scores(
    scores: np.ndarray, version: str, bins: int = BINS, source: str = "", weights: np.ndarray | None = None
) -> dict:
    """The reference document: per-label (weighted) histograms of an (n, 3) score matrix in `LABELS` order."""
    return {
        "version": version,
        "bins": bins,
        "rows": int(len(scores)),
        "source": source,
        "counts": {lab: histogram(scores[:, j], bins, weights) for j, lab in enumerate(LABELS)},
    }


def traffic_weights(positive: np.ndarray, rate: float) -> np.ndarray:
    """Row weights that make positive rows `rate` of the total (dev is ~27 % positive, traffic ~2 %)."""
    n, k = len(positive), int(positive.sum())
    if k in (0, n):
        return np.ones(n)
    return np.where(positive, rate * n / k, (1 - rate) * n / (n - k))


def write_reference(model_dir: Path, corpus: Path, pipeline=None, bins: int = BINS) -> Path:
    """Score the corpus dev split with the bundle's pipeline, write `score_reference.json`, re-write the manifest."""
    from comments.models.bundle import MANIFEST, rehash_manifest
    from comments.models.data import load_labelled

    model_dir = Path(model_dir)
    if pipeline is None:
        from comments.pipeline import load_pipeline

        pipeline = load_pipeline(model_dir)
    dev = load_labelled(Path(corpus), split="dev")
    results = pipeline.score_batch(dev["text"].tolist())
    matrix = np.array([[r.scores[lab] for lab in LABELS] for r in results])
    manifest = json.loads((model_dir / MANIFEST).read_text(encoding="utf-8"))
    from comments.fusion import TRAFFIC_POSITIVE_RATE

    weights = traffic_weights(dev[list(LABELS)].to_numpy().any(axis=1), TRAFFIC_POSITIVE_RATE)
    source = f"{Path(corpus).name} dev split, fused scores, weighted to {TRAFFIC_POSITIVE_RATE:.0%} positive"
    doc = reference_from_scores(matrix, str(manifest["version"]), bins, source, weights)
    path = model_dir / REFERENCE
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    rehash_manifest(model_dir)
    return path


def load_reference(model_dir: Path) -> dict:
    """The bundle's score reference, or an error saying how to make it."""
    path = Path(model_dir) / REFERENCE
    hint = f"run `comments drift reference --model {model_dir}` to create it"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        bins, counts = int(doc["bins"]), doc["counts"]
        if bins < 2 or any(len(counts[lab]) != bins for lab in LABELS):
            raise ValueError
    except FileNotFoundError:
        raise NotFoundError(f"{path} does not exist; {hint}") from None
    except (ValueError, KeyError, TypeError):
        raise ConfigurationError(f"{path} is not a valid score reference; {hint}") from None
    return doc


def parse_since(value: str | None, today: date | None = None) -> datetime:
    """`YYYY-MM-DD` (or an ISO time) as an aware UTC time; None means DEFAULT_DAYS ago."""
    if value is None:
        start = (today or datetime.now(UTC).date()) - timedelta(days=DEFAULT_DAYS)
        return datetime(start.year, start.month, start.day, tzinfo=UTC)
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInputError(f"--since {value!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-31") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class DayDrift:
    """PSI of one label on one day."""

    day: str
    label: str
    rows: int
    psi: float

    @property
    def alarm(self) -> bool:
        """True when the shift is worth a look."""
        return self.psi > WARN_PSI


def compare(reference: dict, daily: dict[str, dict[str, list[int]]], min_rows: int = 1) -> list[DayDrift]:
    """PSI per day and label against the reference; days with fewer than `min_rows` scores are left out."""
    out = []
    for day, per_label in sorted(daily.items()):
        for lab in LABELS:
            rows = int(sum(per_label[lab]))
            if rows >= max(min_rows, 1):
                out.append(DayDrift(day, lab, rows, round(psi(reference["counts"][lab], per_label[lab]), 4)))
    return out


def run(url: str, model_dir: Path, since: datetime, out: Path, min_rows: int = 1) -> tuple[list[DayDrift], dict]:
    """Compute drift since `since` for the reference's model version and write psi.csv, drift.md, drift.png."""
    from comments.store import scores

    reference = load_reference(model_dir)
    daily = scores.daily_histograms(url, edges(reference["bins"]), since, reference["version"])
    others = {v: n for v, n in scores.versions_since(url, since).items() if v != reference["version"]}
    rows = compare(reference, daily, min_rows)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "psi.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["day", "label", "rows", "psi", "alarm"])
        writer.writerows([r.day, r.label, r.rows, r.psi, int(r.alarm)] for r in rows)
    (out / "drift.md").write_text(markdown(rows, reference, since, others), encoding="utf-8")
    plot(rows, out / "drift.png")
    return rows, others


def markdown(rows: list[DayDrift], reference: dict, since: datetime, others: dict[str, int]) -> str:
    """The report: one row per day, PSI per label, alarms in bold."""
    lines = [
        "# Score drift",
        "",
        f"Model {reference['version']}; reference: {reference.get('source') or 'unknown'} "
        f"({reference['rows']} rows, {reference['bins']} bins). Scores since {since.date().isoformat()}. "
        f"PSI > {WARN_PSI} is in bold.",
        "",
    ]
    if others:
        lines += [f"Left out (other model versions): {', '.join(f'{v}: {n}' for v, n in sorted(others.items()))}.", ""]
    lines += ["| day | rows | " + " | ".join(LABELS) + " |", "|---|---:|" + "---:|" * len(LABELS)]
    by_day: dict[str, dict[str, DayDrift]] = {}
    for r in rows:
        by_day.setdefault(r.day, {})[r.label] = r
    for day, labs in by_day.items():
        cells = [(f"**{d.psi:.3f}**" if d.alarm else f"{d.psi:.3f}") if (d := labs.get(lab)) else "-" for lab in LABELS]
        lines.append(f"| {day} | {max(d.rows for d in labs.values())} | " + " | ".join(cells) + " |")
    if not by_day:
        lines.append("| (no scores) | 0 |" + " - |" * len(LABELS))
    return "\n".join(lines) + "\n"


def plot(rows: list[DayDrift], path: Path) -> Path:
    """Daily PSI per label with the warning line, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    for lab in LABELS:
        mine = [r for r in rows if r.label == lab]
        ax.plot([r.day for r in mine], [r.psi for r in mine], marker="o", label=lab)
    ax.axhline(WARN_PSI, color="red", linestyle="--", label=f"PSI {WARN_PSI}")
    ax.set_xlabel("day (UTC)")
    ax.set_ylabel("PSI vs training reference")
    ax.legend(loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

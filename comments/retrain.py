"""`comments retrain`: reviewer labels + the synthetic corpus -> a new bundle in `models/<version>/`.

Reviewer rows are checked, deduplicated by normalised text (the latest decision wins) and split by a
hash of that text: a held-out share becomes a gate, the rest joins the train split. The transformer
continues from the parent's fine-tuned checkpoint on the reviewer rows plus a replay sample of the
synthetic train split (a full fine-tune when no checkpoint exists); baseline, calibration,
thresholds and combiner are refitted as `comments train` and `comments fuse` do. The candidate is then
compared with the current default on the fixed gates. `models/default` is never touched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from comments import gates, registry
from comments.errors import BadInputError, ConflictError, NotFoundError
from comments.labels import LABELS
from comments.models.bundle import sha256
from comments.models.data import normalise_texts

log = logging.getLogger(__name__)
FAMILY = "reviewed"


@dataclass
class RetrainOptions:
    """What `comments retrain` adds to a TrainConfig."""

    models_dir: Path = Path("models")
    reports_dir: Path = Path("reports")
    work_dir: Path = Path("var/retrain")  # the held-out reviewer rows (real comment text) stay here, out of git
    holdout_share: float = 0.2
    replay_per_row: int = 4  # synthetic train rows replayed per reviewer row in a warm start
    warm_epochs: int = 2
    max_gate_rows: int | None = None  # a fixed sample per gate (small runs only)
    version: str = ""  # empty: retrain-<UTC date and time> (a config file's `version` is ignored)


@dataclass
class ReviewedRows:
    """Reviewer rows after checks and deduplication, split into train and held-out."""

    train: pd.DataFrame
    holdout: pd.DataFrame
    rows_in: int
    duplicates_dropped: int

    def sha256(self) -> str:
        """A hash of the merged reviewer rows (text and labels, in text order)."""
        rows = pd.concat([self.train, self.holdout]).sort_values("key")
        payload = json.dumps(rows[["text", *LABELS]].to_dict("records"), sort_keys=True, default=int)
        return hashlib.sha256(payload.encode()).hexdigest()


def _bit(value) -> int | None:
    if isinstance(value, str):
        value = value.strip()
        return int(value) if value in ("0", "1") else None
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return int(value)
    return None


def check_labels(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Refuse rows without text or with labels other than 0/1, naming the row (1 = first data row)."""
    missing = [c for c in ("text", *LABELS) if c not in df.columns]
    if missing:
        raise BadInputError(f"{source} lacks the columns {missing}; use the format of POST /v1/export/labels")
    if df.empty:
        raise BadInputError(f"{source} has no rows; there is nothing to retrain on")
    out = df.reset_index(drop=True).copy()
    for i, row in out.iterrows():
        if not isinstance(row["text"], str) or not row["text"].strip():
            raise BadInputError(f"{source} row {i + 1}: `text` is empty or not a string; fix or drop the row")
        for label in LABELS:
            if _bit(row[label]) is None:
                raise BadInputError(f"{source} row {i + 1}: {label} must be 0 or 1, got {row[label]!r}")
    for label in LABELS:
        out[label] = out[label].map(_bit).astype(int)
    if "id" not in out.columns:
        out["id"] = [f"row-{i + 1}" for i in range(len(out))]
    out["id"] = out["id"].astype(str)
    return out[["id", "text", *LABELS]]


def read_label_file(path: Path) -> pd.DataFrame:
    """Reviewer labels from a JSONL, CSV or Parquet file in the export format, checked."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"label file {path} does not exist; export one with POST /v1/export/labels")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        rows = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                row = json.loads(line) if line.strip() else {}
            except ValueError:
                raise BadInputError(f"{path} line {n} is not valid JSON; fix the line") from None
            if not isinstance(row, dict):
                raise BadInputError(f"{path} line {n} is not a JSON object; each line must be one row")
            if row:
                rows.append(row)
        df = pd.DataFrame(rows)
    elif suffix == ".csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    elif suffix == ".parquet":
        df = pd.read_parquet(path)
    else:
        raise BadInputError(f"{path} is not .jsonl, .csv or .parquet; convert it to one of them")
    return check_labels(df, str(path))


def read_label_db(url: str, cipher) -> pd.DataFrame:
    """Finally reviewed queue items as export rows, decrypted, oldest decision first."""
    from comments.store import repo

    items = sorted(repo.reviewed(url), key=lambda i: (i.reviewed_at is not None, i.reviewed_at or 0, i.seq))
    rows = [
        {"id": i.id, "text": cipher.open(i.text, i.encrypted)}
        | {lab: int(bool((i.review_labels or {}).get(lab))) for lab in LABELS}
        for i in items
    ]
    return check_labels(pd.DataFrame(rows, columns=["id", "text", *LABELS]), "the review database")


def dedupe_keys(texts: list[str]) -> list[str]:
    """What makes two reviewer rows the same comment: normalised text, case-folded, spaces collapsed."""
    return [" ".join(t.casefold().split()) for t in normalise_texts(texts)]


def prepare(labels: pd.DataFrame, holdout_share: float) -> ReviewedRows:
    """Deduplicate by normalised text (the last row wins) and split off a held-out share by text hash."""
    if not 0.0 <= holdout_share < 1.0:
        raise BadInputError(f"holdout share must be in [0, 1), got {holdout_share}")
    df = labels.copy()
    df["key"] = dedupe_keys(df.text.tolist())
    kept = df.drop_duplicates("key", keep="last")
    share = np.array([int(hashlib.sha256(k.encode()).hexdigest()[:12], 16) / 16**12 for k in kept.key])
    held = share < holdout_share
    return ReviewedRows(kept[~held], kept[held], len(df), len(df) - len(kept))


def merge(corpus: pd.DataFrame, reviewed: pd.DataFrame) -> pd.DataFrame:
    """The corpus with the reviewer train rows appended to its train split, tagged family `reviewed`."""
    extra = reviewed[["text", *LABELS]].assign(
        id=["reviewed-" + i for i in reviewed.id],
        family=FAMILY,
        style=FAMILY,
        language="und",
        evasion="none",
        split="train",
    )
    return pd.concat([corpus, extra[[c for c in corpus.columns if c in extra.columns]]], ignore_index=True)


def finetune_rows(merged: pd.DataFrame, n_reviewed: int, n_replay: int, seed: int, warm: bool) -> np.ndarray:
    """Positions in the merged train split: every reviewer row plus `n_replay` synthetic ones, drawn
    at random for a warm start (the mix the parent learnt from) and, for a fine-tune from the base
    model, as `comments train` draws them (`labelled_first`)."""
    from comments.models.train import labelled_first

    synthetic = merged[merged.split == "train"].iloc[: -n_reviewed or None]
    rng = np.random.default_rng(seed)
    n = min(len(synthetic), n_replay)
    if warm:
        replay = rng.choice(len(synthetic), size=n, replace=False)
    else:
        replay = labelled_first(synthetic[list(LABELS)].to_numpy(), n, rng)
    return np.sort(np.concatenate([replay, np.arange(len(synthetic), len(synthetic) + n_reviewed)]))


def retrain(labels: pd.DataFrame, cfg, opts: RetrainOptions) -> Path:
    """Build, gate and register a candidate bundle; returns its directory (`models/<version>`)."""
    from comments.fusion import fit_fusion
    from comments.models.build import run_training
    from comments.models.data import load_labelled

    started = time.perf_counter()
    models_dir, parent_dir = Path(opts.models_dir), Path(opts.models_dir) / registry.DEFAULT
    version = opts.version or time.strftime("retrain-%Y%m%d-%H%M%S", time.gmtime())
    if Path(version).name != version or version in (registry.DEFAULT, ".", ".."):
        raise BadInputError(f"version {version!r} must be a plain folder name other than `default`")
    if (models_dir / version).exists():
        raise ConflictError(f"{models_dir / version} already exists; pass another --version")
    rows = prepare(labels, opts.holdout_share)
    if rows.train.empty:
        raise BadInputError("no reviewer rows are left for training after deduplication and the held-out share")
    parent = registry.ensure_metadata(parent_dir, Path(cfg.checkpoint_dir)) if parent_dir.is_dir() else None
    log.info(
        "reviewer rows: %d in, %d duplicates dropped, %d train, %d held out",
        *(rows.rows_in, rows.duplicates_dropped, len(rows.train), len(rows.holdout)),
    )
    merged = merge(load_labelled(Path(cfg.corpus)), rows.train)
    ckpt = Path(parent.get("checkpoint") or Path(cfg.checkpoint_dir) / parent["version"]) if parent else None
    if ckpt is not None and (ckpt / "config.json").exists():
        log.info("warm start from %s: %d epochs", ckpt, opts.warm_epochs)
        cfg = dataclasses.replace(cfg, init_checkpoint=str(ckpt), epochs=opts.warm_epochs)
        n_replay = opts.replay_per_row * len(rows.train)
    else:
        log.warning("no fine-tuned checkpoint of the parent (looked for %s): full fine-tune from the base model", ckpt)
        ckpt, n_replay = None, max(0, cfg.max_train_rows - len(rows.train))
    cfg = dataclasses.replace(cfg, version=version, out_dir=str(models_dir), ship_default=False)
    pick = finetune_rows(merged, len(rows.train), n_replay, cfg.seed, warm=ckpt is not None)
    out = run_training(cfg, data=merged, finetune_rows=pick)
    counts = {
        "reviewed_in": rows.rows_in,
        "duplicates_dropped": rows.duplicates_dropped,
        "reviewed_train": len(rows.train),
        "reviewed_holdout": len(rows.holdout),
        "finetune_rows": len(pick),
        "train_rows": int((merged.split == "train").sum()),
    }
    try:
        fit_fusion(out, Path(cfg.corpus))
        metadata = {
            "version": version,
            "parent": parent["version"] if parent else None,
            "code_version": registry.code_version(),
            "checkpoint": str(Path(cfg.checkpoint_dir) / version),
            "warm_start_from": str(ckpt) if ckpt else None,
            "data": {
                "corpus": str(cfg.corpus),
                "corpus_sha256": sha256(Path(cfg.corpus)),
                "reviewed_sha256": rows.sha256(),
            },
            "counts": counts,
        }
        _gate_and_seal(out, cfg, opts, rows, parent_dir if parent else None, metadata, started)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no half-finished candidate stays behind
        raise
    return out


def _gate_and_seal(out: Path, cfg, opts: RetrainOptions, rows: ReviewedRows, parent_dir, metadata: dict, started):
    """Compare the candidate with the parent on the gates, write the report, seal metadata.json."""
    holdout = None
    if len(rows.holdout):
        holdout = Path(opts.work_dir) / metadata["version"] / "reviewed_holdout.parquet"
        holdout.parent.mkdir(parents=True, exist_ok=True)
        rows.holdout[["id", "text", *LABELS]].to_parquet(holdout, index=False)
    gate_rows = gates.load_gates(Path(cfg.corpus), Path(cfg.challenge), holdout, opts.max_gate_rows)
    summary, runs = gates.compare(out, parent_dir, gate_rows)
    ok, reasons = gates.verdict(summary)
    parent = metadata["parent"] or "(none)"
    start = f"warm start from `{metadata['warm_start_from']}`" if metadata["warm_start_from"] else "full fine-tune"
    notes = [
        f"Parent: {parent}; {start}; code {metadata['code_version']}.",
        "",
        "Reviewer rows: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in metadata["counts"].items()) + ".",
    ]
    title = f"Retrained {metadata['version']} against the default {parent}"
    report = gates.write_report(Path(opts.reports_dir) / metadata["version"], title, notes, summary, runs, ok, reasons)
    compared = {"version": parent, "manifest_sha256": registry.manifest_sha256(parent_dir)} if parent_dir else None
    metadata |= {
        "created": registry.now(),
        "holdout": str(holdout) if holdout else None,
        "metrics": {"compared_with": compared, "gates": summary},
        "verdict": {"promotable": ok, "reasons": reasons},
        "report": str(report),
        "seconds": round(time.perf_counter() - started, 1),
    }
    registry.seal(out, metadata)
    log.info("wrote %s and %s (%s)", out, report, "promotable" if ok else "refused: " + "; ".join(reasons))

"""Uncertainty sampling: the unreviewed queue items whose labels the model is least sure of.

Uncertainty of an item = max over labels of the binary entropy (bits) of its fused score p:
H(p) = -p log2 p - (1 - p) log2 (1 - p). It is 1 at p = 0.5 and 0 at p = 0 or 1, so an item
ranks high when at least one label is a coin toss. Ties go to the higher queue priority, then
the older item. Output carries the masked text only, never the original.
"""

from __future__ import annotations

import csv
import heapq
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from comments.errors import BadInputError
from comments.labels import LABELS

MAX_N = 10_000


def entropy(p: float) -> float:
    """Binary entropy in bits of a probability (clipped into [0, 1])."""
    p = min(max(float(p), 0.0), 1.0)
    if p in (0.0, 1.0):
        return 0.0
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def uncertainty(scores: dict[str, float]) -> float:
    """The most uncertain label's entropy."""
    return max(entropy(scores.get(lab, 0.0)) for lab in LABELS)


def rank(rows: Iterable[tuple[int, str, dict, float]], n: int) -> list[tuple[float, int]]:
    """The n most uncertain (uncertainty, seq) of (seq, id, scores, priority) rows, most uncertain first."""
    top = heapq.nsmallest(n, ((-uncertainty(sc), -prio, seq) for seq, _, sc, prio in rows))
    return [(-u, seq) for u, _, seq in top]


def check_n(n: int) -> int:
    """`n` when it is 1..MAX_N, else BadInputError."""
    if not 1 <= n <= MAX_N:
        raise BadInputError(f"--n must be between 1 and {MAX_N}, got {n}")
    return n


def suggest(url: str, cipher, n: int) -> list[dict]:
    """The n most informative unreviewed items: id, per-label scores, uncertainty, masked text."""
    from comments.store import repo, scores

    check_n(n)
    top = rank(scores.item_scores(url, repo.OPEN), n)
    found = scores.items_by_seq(url, [seq for _, seq in top])
    out = []
    for u, seq in top:
        item = found.get(seq)
        if item is None:  # purged meanwhile
            continue
        out.append(
            {
                "id": item.id,
                **{lab: item.scores.get(lab) for lab in LABELS},
                "uncertainty": round(u, 4),
                "masked_text": cipher.open(item.masked_text, item.encrypted),
            }
        )
    return out


def write(rows: list[dict], fh: TextIO, fmt: str) -> None:
    """Write rows as JSON lines or CSV."""
    if fmt == "csv":
        writer = csv.DictWriter(fh, fieldnames=["id", *LABELS, "uncertainty", "masked_text"])
        writer.writeheader()
        writer.writerows(rows)
        return
    for row in rows:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def format_for(path: Path | None, fmt: str | None) -> str:
    """`csv` or `jsonl`: as asked, else from the file suffix, else JSON lines."""
    fmt = fmt or ("csv" if path is not None and path.suffix.lower() == ".csv" else "jsonl")
    if fmt not in ("csv", "jsonl"):
        raise BadInputError(f"--format {fmt!r} is not csv or jsonl")
    return fmt

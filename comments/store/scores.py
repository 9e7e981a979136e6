"""The score log (one row per scored comment, never its text) and score-based reads of the queue.

Like `repo`, every function takes the database URL and opens its own short transaction.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import DateTime, Float, Integer, String, and_, case, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from comments.labels import LABELS
from comments.store.db import get_engine, session_scope
from comments.store.tables import Base, ReviewItem, utcnow

log = logging.getLogger(__name__)


class ScoreLog(Base):
    """One scored comment: when, which model, the decision and the fused score per label."""

    __tablename__ = "score_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    model_version: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(16))
    victim_identification: Mapped[float] = mapped_column(Float)
    promotion: Mapped[float] = mapped_column(Float)
    safety_concern: Mapped[float] = mapped_column(Float)


class Scored(Protocol):
    """What the log needs of a result (the pipeline's `Result` has it)."""

    decision: str
    scores: dict[str, float]
    model_version: str


def _rows(results: Sequence[Scored], at: datetime) -> list[dict]:
    return [
        {"created_at": at, "model_version": r.model_version, "decision": r.decision, **{k: r.scores[k] for k in LABELS}}
        for r in results
    ]


def _insert(url: str, rows: list[dict]) -> None:
    if rows:
        with get_engine(url).begin() as conn:
            conn.execute(insert(ScoreLog), rows)


def log_scores(url: str, results: Sequence[Scored], at: datetime | None = None) -> int:
    """Append one row per result in a single multi-row insert; return how many."""
    rows = _rows(results, at or utcnow())
    _insert(url, rows)
    return len(rows)


MAX_PENDING = 100_000  # unwritten score-log rows kept while the database is away (about 33 MB)


class ScoreLogWriter:
    """The API's score log: rows collect in memory and a thread inserts them once per `interval`.

    One commit a second instead of one per request: on SQLite each commit is a disk sync, which
    halved the throughput of the API with a stub model (with the real model, scoring dominates and
    the difference was within noise). The log feeds drift histograms, never a decision or the
    queue: a crash loses the rows not yet written (`interval` seconds of them, or everything since
    the database went away, at most MAX_PENDING rows, the oldest dropped first); `close` writes what
    is left.
    """

    def __init__(self, url: str, interval: float = 1.0) -> None:
        self.url, self.interval = url, interval
        self._rows: list[dict] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="comments-score-log", daemon=True)
        self._thread.start()

    def add(self, results: Sequence[Scored]) -> None:
        """Queue one row per result, stamped now."""
        rows = _rows(results, utcnow())
        with self._lock:
            self._rows += rows
            self._cap()

    def flush(self) -> None:
        """Insert every queued row now; on failure they go back to wait for the next flush (at most
        MAX_PENDING rows wait: past that, while the database stays away, the oldest are dropped and said so)."""
        with self._lock:
            rows, self._rows = self._rows, []
        try:
            _insert(self.url, rows)
        except Exception:
            with self._lock:
                self._rows = rows + self._rows
                self._cap()
            raise

    def _cap(self) -> None:
        if (over := len(self._rows) - MAX_PENDING) > 0:
            del self._rows[:over]
            log.warning("score log: dropped the %d oldest unwritten rows", over)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the thread; retried next tick
                log.exception("score log flush failed; will retry")

    def close(self) -> None:
        """Stop the thread and write what is left (saying how many rows are lost if that fails)."""
        self._stop.set()
        self._thread.join()
        try:
            self.flush()
        except Exception:
            log.error("score log: %d unwritten rows lost at shutdown", len(self._rows))
            raise


def _day(url: str):
    col = ScoreLog.created_at
    if get_engine(url).dialect.name == "postgresql":
        return func.date(func.timezone("UTC", col))
    return func.date(col)  # SQLite keeps the UTC wall time as text


def daily_histograms(
    url: str, edges: Sequence[float], since: datetime | None = None, model_version: str | None = None
) -> dict[str, dict[str, list[int]]]:
    """Per UTC day and label, the count of scores in each bin [edges[i], edges[i+1]) (the last bin closed).

    Counted by the database (one grouped query), so only days x bins come back, not rows.
    """
    n = len(edges) - 1
    if n < 2:
        raise ValueError("need at least two bins")
    cols = []
    for lab in LABELS:
        col = getattr(ScoreLog, lab)
        for i in range(n):  # the first bin takes everything below, the last everything above
            cond = and_(*([col >= edges[i]] if i else []), *([col < edges[i + 1]] if i < n - 1 else []))
            cols.append(func.sum(case((cond, 1), else_=0)))
    day = _day(url).label("day")
    q = select(day, *cols).group_by(day).order_by(day)
    if since is not None:
        q = q.where(ScoreLog.created_at >= since)
    if model_version is not None:
        q = q.where(ScoreLog.model_version == model_version)
    out: dict[str, dict[str, list[int]]] = {}
    with session_scope(url) as s:
        for row in s.execute(q):
            counts = [int(c or 0) for c in row[1:]]
            out[str(row[0])] = {lab: counts[j * n : (j + 1) * n] for j, lab in enumerate(LABELS)}
    return out


def versions_since(url: str, since: datetime | None = None) -> dict[str, int]:
    """Rows per model version in the log (since a time)."""
    q = select(ScoreLog.model_version, func.count()).group_by(ScoreLog.model_version)
    if since is not None:
        q = q.where(ScoreLog.created_at >= since)
    with session_scope(url) as s:
        return {v: int(c) for v, c in s.execute(q)}


def items(url: str, statuses: Sequence[str] | None = None, batch: int = 500) -> Iterator[ReviewItem]:
    """Queue items with one of `statuses` (all when None), oldest first, read in pages."""
    last = 0
    while True:
        q = select(ReviewItem).where(ReviewItem.seq > last).order_by(ReviewItem.seq).limit(batch)
        if statuses is not None:
            q = q.where(ReviewItem.status.in_(statuses))
        with session_scope(url) as s:
            rows = list(s.scalars(q))
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].seq


def item_scores(url: str, statuses: Sequence[str], batch: int = 5000) -> Iterator[tuple[int, str, dict, float]]:
    """(seq, id, scores, priority) of queue items with one of `statuses`, without their text."""
    last = 0
    while True:
        q = (
            select(ReviewItem.seq, ReviewItem.id, ReviewItem.scores, ReviewItem.priority)
            .where(ReviewItem.seq > last, ReviewItem.status.in_(statuses))
            .order_by(ReviewItem.seq)
            .limit(batch)
        )
        with session_scope(url) as s:
            rows = [tuple(r) for r in s.execute(q)]
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1][0]


def items_by_seq(url: str, seqs: Sequence[int]) -> dict[int, ReviewItem]:
    """Queue items by their seq."""
    with session_scope(url) as s:
        return {r.seq: r for r in s.scalars(select(ReviewItem).where(ReviewItem.seq.in_(list(seqs))))}

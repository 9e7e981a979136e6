"""What the routes call: score and enqueue, build item views, record decisions, export labels."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from comments.api.crypto import TextCipher
from comments.api.schemas import ScorePublic, ScoreRequest
from comments.decide import MASKS, flagged_labels
from comments.errors import ConflictError
from comments.labels import LABELS
from comments.store import repo
from comments.store.repo import KeyRecord
from comments.store.scores import ScoreLogWriter
from comments.store.tables import ReviewItem

if TYPE_CHECKING:
    from comments.pipeline import Pipeline, Result

_TAGS = re.compile("|".join(re.escape(t) for t in sorted(set(MASKS.values()))))


def score(
    pipeline: Pipeline,
    url: str,
    cipher: TextCipher,
    score_log: ScoreLogWriter,
    calls: list[tuple[KeyRecord, ScoreRequest]],
    atomic: bool = False,
) -> list[ScorePublic | ConflictError | OperationalError]:
    """Score (API key, request) pairs in one batch, update the queue, log the scores answered; answer in order.

    Non-`allow` comments that asked are queued; an id already queued keeps its item for the same text
    and takes the new one for an edited text (`repo.update_queue`); ids belong to the key's name. `queued`
    says whether the comment's text is now in an open item. The queue is committed before the answer goes out.
    An id another client queued raises ConflictError for the whole call when `atomic` (one batch request:
    nothing is queued); otherwise (concurrent single requests coalesced) that request's answer is its
    ConflictError and the others are queued, in the same transaction, without scoring anything twice;
    and when the database is away, only the requests that needed the queue get its OperationalError (503).
    """
    requests = [r for _, r in calls]
    results = pipeline.score_batch([r.text for r in requests])
    scored = [
        repo.ScoredComment(r.id, r.text, _item(r, res, cipher) if _queue(r, res) else None, key.id, key.name)
        for (key, r), res in zip(calls, results, strict=True)
    ]
    try:
        held = repo.update_queue(url, scored, lambda row: cipher.open(row.text, row.encrypted), atomic)
    except OperationalError as exc:  # the database is away: only comments that needed the queue fail
        if atomic:
            raise
        held = [exc if x.item is not None else False for x in scored]
    answered = [not isinstance(q, Exception) for q in held]
    score_log.add([res for res, ok in zip(results, answered, strict=True) if ok])  # for `comments drift`: no text
    return [_public(r, res, q) if ok else q for r, res, q, ok in zip(requests, results, held, answered, strict=True)]


def _queue(req: ScoreRequest, res: Result) -> bool:
    return req.enqueue and res.decision != "allow"


def _public(req: ScoreRequest, res: Result, queued: bool) -> ScorePublic:
    return ScorePublic(
        id=req.id,
        decision=res.decision,
        priority=res.priority,
        scores=res.scores,
        decisions=res.decisions,
        reasons=[asdict(r) for r in res.reasons],
        model_version=res.model_version,
        schema_version=res.schema_version,
        queued=queued,
    )


def _item(req: ScoreRequest, res: Result, cipher: TextCipher) -> ReviewItem:
    mapping = align(req.text, res.masked_text)
    reasons = []
    for r in res.reasons:
        row = asdict(r)
        if mapping is not None:
            row["masked_start"], row["masked_end"] = mapping(r.start, True), mapping(r.end, False)
        reasons.append(row)
    return ReviewItem(
        id=req.id,
        text=cipher.seal(req.text),
        masked_text=cipher.seal(res.masked_text),
        encrypted=cipher.enabled,
        context=cipher.seal_json(req.context),
        decision=res.decision,
        priority=res.priority,
        scores=res.scores,
        decisions=res.decisions,
        reasons=reasons,
        flagged="," + ",".join(flagged_labels(res.decisions)) + ",",
        model_version=res.model_version,
        status="queued",
    )


def align(original: str, masked: str):
    """A function mapping original offsets to masked offsets, or None when the texts do not align.

    The masked text is the original with some spans replaced by tags (`[NAME]`, ...); the
    literal pieces between tags are found in order (linear time, greedy). Offsets inside a
    replaced span map to the start (or end) of its tag.
    """
    pieces = _TAGS.split(masked)
    tags = [m.span() for m in _TAGS.finditer(masked)]
    if not original.startswith(pieces[0]):
        return None
    blocks = [(0, 0, len(pieces[0]))]  # (original start, masked start, length) of literal pieces
    i = len(pieces[0])
    for n, ((_, t1), piece) in enumerate(zip(tags, pieces[1:], strict=True), start=1):
        k = len(original) - len(piece) if n == len(tags) else original.find(piece, i + 1)
        if k < i + 1 or not original.startswith(piece, k):
            return None
        blocks.append((k, t1, len(piece)))
        i = k + len(piece)

    def mapping(pos: int, start: bool) -> int:
        prev_end = 0
        for o, m, n in blocks:
            if pos < o:  # inside the replaced span before this block
                return prev_end if start else m
            if pos <= o + n:
                return m + (pos - o)
            prev_end = m + n
        return len(masked)

    return mapping


def segments(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str | None]]:
    """Split text into (piece, title-or-None) so the page can highlight reason spans (titles joined)."""
    cuts = sorted({0, len(text), *(max(0, min(len(text), p)) for s, e, _ in spans for p in (s, e))})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        titles = [t for s, e, t in spans if s <= a and b <= e and s < e]
        out.append((text[a:b], "; ".join(dict.fromkeys(titles)) or None))
    return out


def view(item: ReviewItem, cipher: TextCipher, reveal: bool) -> tuple[str, list[tuple[int, int, str]]]:
    """The text to show (masked or original) and the reason spans in its offsets."""
    text = cipher.open(item.text if reveal else item.masked_text, item.encrypted)
    spans = []
    for r in item.reasons:
        s, e = (r["start"], r["end"]) if reveal else (r.get("masked_start"), r.get("masked_end"))
        if s is not None and e is not None:
            spans.append((s, e, f"{r['rule_id']}: {r['description']}"))
    return text, spans


def export_rows(url: str, cipher: TextCipher, key_id: str, reason: str) -> Iterator[dict]:
    """Reviewed items as training rows: id, text, one 0/1 column per label, the action. Their text is
    revealed, so each item is audited as a reveal by `key_id` with `reason` before its row is made."""
    for item in repo.revealed(url, key_id, reason, repo.reviewed(url)):
        labels = item.review_labels or {}
        yield {
            "id": item.id,
            "text": cipher.open(item.text, item.encrypted),
            **{lab: int(bool(labels.get(lab))) for lab in LABELS},
            "action": item.review_action,
            "model_version": item.model_version,
        }

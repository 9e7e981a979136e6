"""Repository for the API: keys, the review queue, reviewer decisions, the audit log, retention.

Every function takes the database URL and opens its own short transaction, so a function
that returns has committed (a decision is durable before the API acknowledges it).
Text arrives here already encrypted when encryption is on; this module never logs it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import and_, delete, func, or_, select, text
from sqlalchemy.exc import IntegrityError

from comments.errors import BadInputError, ConflictError, NotFoundError, StaleError
from comments.labels import LABELS
from comments.store.db import get_engine, session_scope
from comments.store.scores import ScoreLog
from comments.store.scores import items as queue_items
from comments.store.tables import ApiKey, AuditEntry, ProtectedIdentity, ReviewDecision, ReviewItem, utcnow

SCOPES = ("score", "review", "admin")
OPEN = ("queued", "claimed", "escalated")
TOKEN_PREFIX = "cmt"


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- API keys -------------------------------------------------------------------------------------


def create_api_key(url: str, name: str, scopes: list[str]) -> tuple[str, str]:
    """Store a new key and return (id, token); the token is not recoverable afterwards."""
    bad = sorted(set(scopes) - set(SCOPES))
    if bad or not scopes:
        raise BadInputError(f"unknown or missing scope {bad or ''}; choose from {', '.join(SCOPES)}")
    if not name.strip():
        raise BadInputError("the key needs a --name")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    with session_scope(url) as s:
        s.add(ApiKey(id=key_id, name=name.strip(), secret_sha256=_sha(secret), scopes=sorted(set(scopes))))
    return key_id, f"{TOKEN_PREFIX}_{key_id}_{secret}"


@dataclass(frozen=True)
class KeyRecord:
    """What authentication and `comments apikey list` need to know about a key (never its secret)."""

    id: str
    name: str
    scopes: frozenset[str]
    created_at: datetime | None = None
    revoked_at: datetime | None = None


def _record(row: ApiKey) -> KeyRecord:
    return KeyRecord(row.id, row.name, frozenset(row.scopes), row.created_at, row.revoked_at)


def lookup_token(url: str, token: str) -> KeyRecord | None:
    """The key a token belongs to, revoked or not; None when it is malformed, unknown or wrong."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    with session_scope(url) as s:
        row = s.get(ApiKey, parts[1][:32])
        if row is None or not secrets.compare_digest(row.secret_sha256, _sha(parts[2])):
            return None
        return _record(row)


def verify_token(url: str, token: str) -> KeyRecord | None:
    """The key a token belongs to, or None when it is malformed, unknown, revoked or wrong."""
    key = lookup_token(url, token)
    return key if key is not None and key.revoked_at is None else None


def list_api_keys(url: str) -> list[KeyRecord]:
    """Every key, oldest first, revoked ones included."""
    with session_scope(url) as s:
        return [_record(r) for r in s.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))]


def revoke_api_key(url: str, key_id: str) -> KeyRecord:
    """Revoke a key (a second revoke keeps the first time); NotFoundError for an unknown id."""
    with session_scope(url) as s:
        row = s.get(ApiKey, key_id[:32])
        if row is None:
            raise NotFoundError(f"no API key with id {key_id}; `comments apikey list` shows the ids")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        return _record(row)


# --- the queue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredComment:
    """A scored comment for `update_queue`, with its plain text.

    `item` is its review item, None when it is not to be queued; `key_id`, the key that scored it, is
    what the audit log records for a requeue; `client`, that key's name, owns the id.
    """

    id: str
    text: str
    item: ReviewItem | None
    key_id: str
    client: str


def update_queue(
    url: str, scored: list[ScoredComment], read_text: Callable[[ReviewItem], str], atomic: bool = True
) -> list[bool | ConflictError]:
    """Bring the queue up to date with scored comments, in order, in one transaction; return, per comment,
    whether its text is queued.

    `read_text(row)` gives a stored item's plain text. A new id with an item is inserted. A stored id
    whose text is the same is left as it is (a retried request). A stored id whose text differs takes
    the new item (an edited comment): new text, scores and reasons, the next revision, back to `queued`
    with no claim and no review (earlier decisions stay in `review_decisions`; an escalated item stays
    escalated), audited as `requeue`; without a new item it is left as it is. An id another client
    queued is a conflict, clients' ids being their own: ConflictError for the whole call when `atomic`,
    else that comment's answer is its ConflictError and the others go ahead. A row from before clients
    were recorded is taken by the first client whose comment would be queued under its id. "Queued" means
    the comment's current text is in an open item; a comment without a new item (`allow`, or not asked
    to queue) is never looked up, so it answers False and costs the database nothing.
    """
    if not any(x.item is not None for x in scored):
        return [False] * len(scored)
    # An IntegrityError means another replica inserted one of these ids meanwhile: try again, comparing
    # with its row. Each retry finds one more id stored, so one per id is enough.
    for _ in range(len({x.id for x in scored if x.item is not None})):
        try:
            return _update_queue(url, scored, read_text, atomic)
        except IntegrityError:
            continue
    return _update_queue(url, scored, read_text, atomic)


def _update_queue(
    url: str, scored: list[ScoredComment], read_text: Callable[[ReviewItem], str], atomic: bool
) -> list[bool | ConflictError]:
    held, new = [], {}
    with session_scope(url, write=True) as s:
        # Rows are locked, and new ones inserted, in id order, so two replicas cannot deadlock.
        ids = sorted({x.id for x in scored if x.item is not None})
        q = select(ReviewItem).where(ReviewItem.id.in_(ids)).order_by(ReviewItem.id).with_for_update()
        rows = {row.id: row for row in s.scalars(q)}
        for x in scored:
            row = rows.get(x.id)
            if x.item is None:
                held.append(False)
            elif row is not None and row.client not in (None, x.client):
                conflict = ConflictError(
                    f"id {x.id!r} belongs to a comment another client queued (clients are API key names); "
                    "prefix your ids with your own namespace"
                )
                if atomic:
                    raise conflict
                held.append(conflict)
            elif row is not None and read_text(row) == x.text:
                row.client = row.client or x.client  # a row from before clients were recorded: its sender owns it
                held.append(row.status in OPEN)
            elif row is None:
                x.item.client, x.item.revision = x.client, 1
                rows[x.id] = new[x.id] = x.item
                held.append(True)
            else:
                _requeue(row, x.item, x.client)
                s.add(AuditEntry(key_id=x.key_id, action="requeue", item_id=x.id, at=utcnow()))
                held.append(True)
        s.add_all(new[i] for i in sorted(new))
        s.flush()
    return held


# What an edited comment's item takes from its new score; the id and `seq` (its place in the queue)
# stay, `revision` rises, and `created_at` restarts: retention counts from when the text it holds arrived.
REQUEUED = (
    "text",
    "masked_text",
    "encrypted",
    "context",
    "decision",
    "priority",
    "scores",
    "decisions",
    "reasons",
    "flagged",
    "model_version",
)


def _requeue(row: ReviewItem, item: ReviewItem, client: str) -> None:
    for name in REQUEUED:
        setattr(row, name, getattr(item, name))
    row.client, row.revision = client, row.revision + 1
    row.claimed_by, row.claimed_at, row.created_at = None, None, utcnow()
    if row.status != "escalated":  # an escalation waits for a senior reviewer, whatever the text now says
        row.status, row.review_action, row.review_labels, row.reviewed_at = "queued", None, None, None


def enqueue(url: str, items: list[ReviewItem], key_id: str = "enqueue") -> list[bool]:
    """Queue ready-made items for a key named as its id (stored text compared as stored), as `update_queue` does."""
    return update_queue(url, [ScoredComment(i.id, i.text, i, key_id, key_id) for i in items], lambda row: row.text)


def encode_cursor(item: ReviewItem) -> str:
    """An opaque cursor after `item` in queue order (priority desc, then oldest first)."""
    return base64.urlsafe_b64encode(f"{item.priority!r}:{item.seq}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[float, int]:
    try:
        prio, seq = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        prio, seq = float(prio), int(seq)
        if not (0 <= prio <= 1 and 0 <= seq < 2**31):  # a score, and a row number that fits the column
            raise ValueError(cursor)
        return prio, seq
    except (ValueError, UnicodeError) as exc:
        raise BadInputError("cursor is not one this API returned; start again without it") from exc


def list_queue(
    url: str,
    *,
    label: str | None = None,
    decision: str | None = None,
    status: str | None = None,
    min_priority: float | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[ReviewItem], str | None]:
    """One page of the queue, highest priority first, and the cursor of the next page (None at the end)."""
    q = select(ReviewItem)
    q = q.where(ReviewItem.status == status) if status else q.where(ReviewItem.status.in_(OPEN))
    if label:
        q = q.where(ReviewItem.flagged.like(f"%,{label},%"))
    if decision:
        q = q.where(ReviewItem.decision == decision)
    if min_priority is not None:
        q = q.where(ReviewItem.priority >= min_priority)
    if cursor:
        prio, seq = _decode_cursor(cursor)
        q = q.where(or_(ReviewItem.priority < prio, and_(ReviewItem.priority == prio, ReviewItem.seq > seq)))
    q = q.order_by(ReviewItem.priority.desc(), ReviewItem.seq).limit(limit + 1)
    with session_scope(url) as s:
        rows = list(s.scalars(q))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


def queue_depth(url: str) -> int:
    """Items not yet finally reviewed."""
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(ReviewItem).where(ReviewItem.status.in_(OPEN))) or 0


def _item(s, item_id: str, lock: bool = False) -> ReviewItem:
    """The item `item_id` in session `s` (its row locked for update when `lock`); NotFoundError if none."""
    q = select(ReviewItem).where(ReviewItem.id == item_id)
    row = s.scalar(q.with_for_update() if lock else q)
    if row is None:
        raise NotFoundError("no queued item with that id; `GET /v1/queue` lists them")
    return row


def get_item(url: str, item_id: str) -> ReviewItem:
    """One item by id."""
    with session_scope(url) as s:
        return _item(s, item_id)


def claim(url: str, item_id: str, key_id: str, claim_seconds: int) -> ReviewItem:
    """Claim an open item for `key_id`; a live claim by another key is a conflict."""
    now = utcnow()
    with session_scope(url, write=True) as s:
        row = _item(s, item_id, lock=True)
        if row.status == "reviewed":
            raise ConflictError("the item is already reviewed")
        if row.claimed_by not in (None, key_id) and _live(row.claimed_at, now, claim_seconds):
            raise ConflictError("another reviewer holds the claim; pick another item")
        row.claimed_by, row.claimed_at = key_id, now
        if row.status == "queued":
            row.status = "claimed"
    return row


def _live(at: datetime | None, now: datetime, seconds: int) -> bool:
    if at is None:
        return False
    if at.tzinfo is None:  # SQLite returns naive datetimes
        now = now.replace(tzinfo=None)
    return now - at < timedelta(seconds=seconds)


def record_decision(
    url: str,
    item_id: str,
    key_id: str,
    action: str,
    labels: dict[str, bool] | None,
    note: str,
    idempotency_key: str | None,
    claim_seconds: int,
    revisions: frozenset[int] | None = None,
) -> tuple[ReviewDecision, bool]:
    """Store a decision and update the item, committed before returning; returns (decision, created).

    Without `labels`, `default_labels` reads them off the item as locked, so they belong to the text decided on.
    A reviewed item is a conflict; every decision releases the claim (escalated items wait for anyone).
    With `revisions` (those an `If-Match` names), an item at another revision, edited since it was read, is
    StaleError and nothing is stored.
    With an idempotency key already used by this API key, the first decision comes back unchanged
    (created False) when the request matches, and a conflict when it does not.
    """
    now = utcnow()
    try:
        with session_scope(url, write=True) as s:
            if idempotency_key:
                prior = s.scalar(
                    select(ReviewDecision).where(
                        ReviewDecision.key_id == key_id, ReviewDecision.idempotency_key == idempotency_key
                    )
                )
                if prior is not None:
                    return _same(prior, item_id, action, labels, note), False
            row = _item(s, item_id, lock=True)
            if row.status == "reviewed":
                raise ConflictError("the item is already reviewed; its decision stands")
            if revisions is not None and row.revision not in revisions:
                raise StaleError(
                    f'If-Match does not name the item\'s ETag "{row.revision}": the comment was edited after you '
                    "read it; read it again and decide on its current text"
                )
            if row.claimed_by not in (None, key_id) and _live(row.claimed_at, now, claim_seconds):
                raise ConflictError("another reviewer holds the claim; pick another item")
            labels = default_labels(row, action) if labels is None else labels
            made = ReviewDecision(
                item_id=item_id,
                key_id=key_id,
                idempotency_key=idempotency_key,
                action=action,
                labels=labels,
                note=note,
                created_at=now,
                revision=row.revision,
            )
            s.add(made)
            row.status = "escalated" if action == "escalate" else "reviewed"
            row.review_action, row.review_labels, row.reviewed_at = action, labels, now
            row.claimed_by, row.claimed_at = None, None  # an escalated item is free for a senior reviewer
            s.add(AuditEntry(key_id=key_id, action=f"decision:{action}", item_id=item_id, at=now))
    except IntegrityError:  # the same idempotency key raced us: the winner's answer stands
        prior = _prior(url, key_id, idempotency_key)
        if prior is None:
            raise
        return _same(prior, item_id, action, labels, note), False
    return made, True


def _prior(url: str, key_id: str, idempotency_key: str) -> ReviewDecision | None:
    with session_scope(url) as s:
        return s.scalar(
            select(ReviewDecision).where(
                ReviewDecision.key_id == key_id, ReviewDecision.idempotency_key == idempotency_key
            )
        )


def default_labels(item: ReviewItem, action: str) -> dict[str, bool]:
    """Labels when the reviewer gives none: removal confirms the model's flags, allow clears them."""
    return {lab: action == "remove" and item.decisions.get(lab) != "allow" for lab in LABELS}


def _same(prior: ReviewDecision, item_id: str, action: str, labels: dict | None, note: str) -> ReviewDecision:
    """`prior` when a retry asks for the same decision (no labels: the defaults the first one took)."""
    given = prior.labels if labels is None else labels
    if (prior.item_id, prior.action, prior.labels, prior.note) != (item_id, action, given, note):
        raise ConflictError("this Idempotency-Key was used for a different decision; use a new key")
    return prior


def decisions_for(url: str, item_id: str) -> list[ReviewDecision]:
    """Every decision on an item, oldest first."""
    with session_scope(url) as s:
        return list(s.scalars(select(ReviewDecision).where(ReviewDecision.item_id == item_id).order_by("seq")))


def count_decisions(url: str) -> int:
    """All stored decisions (for tests and metrics)."""
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(ReviewDecision)) or 0


def reviewed(url: str) -> Iterator[ReviewItem]:
    """Finally reviewed items (remove or allow), oldest queued first, read in pages (`scores.items`)."""
    return queue_items(url, ("reviewed",))


# --- audit, retention, health ---------------------------------------------------------------------


def audit_reason(value: str) -> str:
    """A reason for the audit log (a reveal's, an export's), stripped: 3 to 200 printable characters."""
    value = value.strip()
    if not (3 <= len(value) <= 200 and value.isprintable()):
        raise ValueError("must be 3 to 200 printable characters (no line breaks or control characters)")
    return value


def audit(url: str, key_id: str, action: str, item_id: str | None = None, reason: str | None = None) -> None:
    """Append an audit entry (committed)."""
    with session_scope(url) as s:
        s.add(AuditEntry(key_id=key_id, action=action, item_id=item_id, reason=reason))


def _reveal_entry(key_id: str, item: ReviewItem, reason: str) -> AuditEntry:
    return AuditEntry(key_id=key_id, action="reveal", item_id=item.id, reason=reason)


def reveal(url: str, key_id: str, item_id: str, reason: str) -> ReviewItem:
    """One item, audited as revealed with `reason`; the entry is committed before the item is returned:
    no audit, no text."""
    with session_scope(url) as s:
        item = _item(s, item_id)
        s.add(_reveal_entry(key_id, item, reason))
    return item


def revealed(url: str, key_id: str, reason: str, items: Iterable[ReviewItem], page: int = 500) -> Iterator[ReviewItem]:
    """`items`, each audited as revealed with `reason` before it is yielded (one transaction a page, so
    an export broken off mid-page has audited up to a page it never sent: too many entries, never too few)."""
    items = iter(items)
    while chunk := list(islice(items, page)):
        with session_scope(url) as s:
            s.add_all(_reveal_entry(key_id, i, reason) for i in chunk)
        yield from chunk


def audit_entries(
    url: str,
    item_id: str | None = None,
    *,
    action: str | None = None,
    after: int = 0,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit entries after sequence number `after`, oldest first, optionally of one item or one action."""
    q = select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
    if item_id is not None:
        q = q.where(AuditEntry.item_id == item_id)
    if action is not None:
        q = q.where(AuditEntry.action == action)
    with session_scope(url) as s:
        return list(s.scalars(q))


def purge(url: str, retention_days: int, now: datetime | None = None) -> int:
    """Delete items (and their decisions) created more than `retention_days` ago; return how many."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    with session_scope(url) as s:
        old = select(ReviewItem.id).where(ReviewItem.created_at < cutoff)
        s.execute(delete(ReviewDecision).where(ReviewDecision.item_id.in_(old)))
        s.execute(delete(ScoreLog).where(ScoreLog.created_at < cutoff))
        return s.execute(delete(ReviewItem).where(ReviewItem.created_at < cutoff)).rowcount or 0


def protected_version(url: str) -> tuple[int, str | None]:
    """A cheap fingerprint of the protected list (count, newest creation time); it moves on add and remove."""
    with session_scope(url) as s:
        count, newest = s.execute(
            select(func.count(), func.max(ProtectedIdentity.created_at)).select_from(ProtectedIdentity)
        ).one()
    return count, None if newest is None else str(newest)


def ping(url: str) -> None:
    """Raise when the database cannot be reached."""
    with get_engine(url).connect() as conn:
        conn.execute(text("SELECT 1"))

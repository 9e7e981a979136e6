"""One queued item: view (masked unless revealed with a reason, which is audited), claim, decide.

Ids may contain "/" (the routes take the rest of the path), so clients' own ids work as they are.
An item's ETag is its revision; a decision sent with `If-Match` is refused (412) once the text is edited.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Path, Query, Response

from comments.api import service
from comments.api.deps import ReviewKey, RuntimeDep
from comments.api.schemas import (
    DecisionCreate,
    DecisionPublic,
    ErrorPublic,
    ItemPublic,
    QueueItemPublic,
    RevealReason,
)
from comments.errors import BadInputError
from comments.store import repo

router = APIRouter(prefix="/v1/items", tags=["review"])
ItemPath = Annotated[str, Path(min_length=1, max_length=200)]
ERRORS = {c: {"model": ErrorPublic} for c in (401, 403, 404, 409, 412, 422)}
NO_STORE = "no-store"  # item text, masked or not, stays out of browser and proxy caches


def item_public(rt, item, reveal: bool) -> ItemPublic:
    """The item with masked (or revealed) text."""
    text, _ = service.view(item, rt.cipher, reveal)
    base = QueueItemPublic.model_validate(item, from_attributes=True).model_dump()
    return ItemPublic(
        **base,
        text=text,
        revealed=reveal,
        # The client's context may name people too: shown only with the (audited) reveal.
        context=rt.cipher.open_json(item.context, item.encrypted) if reveal else None,
        reasons=item.reasons,
        review_action=item.review_action,
        review_labels=item.review_labels,
        reviewed_at=item.reviewed_at,
    )


def get_item(rt, key, item_id: str, reveal: bool, reason: str | None):
    """Load an item; a reveal needs a reason, written to the audit log before the text is returned."""
    if reveal and not reason:
        raise BadInputError("a reveal needs a reason (`&reason=...`, 3 to 200 characters); it is audited")
    item = repo.get_item(rt.url, item_id)
    if reveal:
        repo.audit(rt.url, key.id, "reveal", item_id, reason)
    return item


def revision_header(value: str | None) -> int | None:
    """The revision an `If-Match` header names (`"3"`), or None for no header or `*`."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip().strip('"')
    if not tag.isdigit():
        raise BadInputError(f'If-Match must be the item\'s ETag as read, such as "2"; got {value[:40]!r}')
    return int(tag)


@router.get("/{item_id:path}", responses=ERRORS)
async def read_item(
    item_id: ItemPath,
    rt: RuntimeDep,
    key: ReviewKey,
    response: Response,
    reveal: bool = False,
    reason: Annotated[RevealReason | None, Query()] = None,
) -> ItemPublic:
    """The item, identifiers masked; `?reveal=true&reason=...` shows the original and is audited with the reason."""
    item = await anyio.to_thread.run_sync(get_item, rt, key, item_id, reveal, reason)
    response.headers["ETag"] = f'"{item.revision}"'
    response.headers["Cache-Control"] = NO_STORE
    return item_public(rt, item, reveal)


@router.post("/{item_id:path}/claim", responses=ERRORS)
async def claim_item(item_id: ItemPath, rt: RuntimeDep, key: ReviewKey) -> QueueItemPublic:
    """Claim the item for this key (a claim expires after COMMENTS_CLAIM_SECONDS)."""
    item = await anyio.to_thread.run_sync(repo.claim, rt.url, item_id, key.id, rt.settings.claim_seconds)
    return QueueItemPublic.model_validate(item, from_attributes=True)


@router.post("/{item_id:path}/decision", responses=ERRORS)
async def decide_item(
    item_id: ItemPath,
    body: DecisionCreate,
    rt: RuntimeDep,
    key: ReviewKey,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> DecisionPublic:
    """Record a decision, committed before the answer; a repeated Idempotency-Key returns the first one.

    `If-Match` with the ETag the item was read with makes an edit since then a 412, not a decision on unread text.
    """
    revision = revision_header(if_match)

    def write():
        labels = body.labels
        if labels is None:
            labels = service.default_labels(repo.get_item(rt.url, item_id), body.action)
        return repo.record_decision(
            rt.url,
            item_id,
            key.id,
            body.action,
            dict(labels),
            body.note,
            idempotency_key,
            rt.settings.claim_seconds,
            revision,
        )

    made, created = await anyio.to_thread.run_sync(write)
    if created:
        rt.metrics.reviews.labels(body.action).inc()
    response.status_code = 201 if created else 200
    return DecisionPublic.model_validate(made, from_attributes=True)

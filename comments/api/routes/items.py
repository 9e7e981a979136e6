"""One queued item: view (masked), reveal (with a reason, audited), claim, decide.

Ids may contain "/" (the routes take the rest of the path), so clients' own ids work as they are.
An item's ETag is its revision; a decision sent with `If-Match` is refused (412) once the text is edited.
A reveal is a POST with the reason in its body: never in a URL, so never in access logs or browser history.
"""

from __future__ import annotations

import re
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Path, Response
from pydantic import AfterValidator

from comments.api import service
from comments.api.deps import ReviewKey, RuntimeDep
from comments.api.schemas import (
    DecisionCreate,
    DecisionPublic,
    ErrorPublic,
    ItemPublic,
    QueueItemPublic,
    RevealCreate,
    clean,
)
from comments.errors import BadInputError
from comments.store import repo

router = APIRouter(prefix="/v1/items", tags=["review"])
ItemPath = Annotated[str, Path(min_length=1, max_length=200), AfterValidator(clean)]
ERRORS = {c: {"model": ErrorPublic} for c in (401, 403, 404, 409, 412, 422)}
NO_STORE = "no-store"  # item text, masked or not, stays out of browser and proxy caches
_ETAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')


def item_public(rt, item, reveal: bool, response: Response) -> ItemPublic:
    """The item with masked (or revealed) text; its revision goes out as the ETag, and nothing is cached."""
    text, _ = service.view(item, rt.cipher, reveal)
    base = QueueItemPublic.model_validate(item, from_attributes=True).model_dump()
    response.headers["ETag"] = f'"{item.revision}"'
    response.headers["Cache-Control"] = NO_STORE
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


def if_match(value: str | None) -> frozenset[int] | None:
    """The revisions an `If-Match` header accepts: None without one or for `*`, else those of its strong
    ETags (`"3"`, `"3", "4"`); a weak tag (`W/"3"`) never matches, as HTTP's strong comparison has it."""
    if value is None or value.strip() == "*":
        return None
    value, found, pos = value.strip(), set(), 0
    if not value:
        raise BadInputError('If-Match is empty; send the ETag as read, such as "2", or leave the header out')
    while pos < len(value):
        m = _ETAG.match(value, pos)
        if m is None or m.end() == pos:
            raise BadInputError(f'If-Match must list ETags as read, such as "2"; got {value[:40]!r}')
        tag = m.group(2)
        if not m.group(1) and tag.isascii() and tag.isdigit() and tag == str(int(tag)):  # "01" is not "1"
            found.add(int(tag))
        pos = m.end()
    return frozenset(found)


@router.get("/{item_id:path}", responses=ERRORS)
async def read_item(
    item_id: ItemPath, rt: RuntimeDep, _: ReviewKey, response: Response, reveal: bool = False
) -> ItemPublic:
    """The item, identifiers masked (`POST .../reveal` shows the original)."""
    if reveal:
        raise BadInputError("reveal with POST /v1/items/{id}/reveal and a JSON `reason`; it is audited")
    item = await anyio.to_thread.run_sync(repo.get_item, rt.url, item_id)
    return item_public(rt, item, False, response)


@router.post("/{item_id:path}/reveal", responses=ERRORS)
async def reveal(
    item_id: ItemPath, body: RevealCreate, rt: RuntimeDep, key: ReviewKey, response: Response
) -> ItemPublic:
    """The item with its original text and context; the reveal is audited with `reason` first."""
    item = await anyio.to_thread.run_sync(repo.reveal, rt.url, key.id, item_id, body.reason)
    return item_public(rt, item, True, response)


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
    if_match_header: Annotated[list[str] | None, Header(alias="if-match")] = None,
) -> DecisionPublic:
    """Record a decision, committed before the answer; a repeated Idempotency-Key returns the first one.

    `If-Match` with the ETag the item was read with makes an edit since then a 412, not a decision on unread text.
    """
    revisions = if_match(", ".join(if_match_header) if if_match_header else None)  # header lines form one list

    labels = None if body.labels is None else dict(body.labels)
    made, created = await anyio.to_thread.run_sync(
        repo.record_decision,
        rt.url,
        item_id,
        key.id,
        body.action,
        labels,
        body.note,
        idempotency_key,
        rt.settings.claim_seconds,
        revisions,
    )
    if created:
        rt.metrics.reviews.labels(body.action).inc()
    response.status_code = 201 if created else 200
    return DecisionPublic.model_validate(made, from_attributes=True)

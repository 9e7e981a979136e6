"""The review queue: filter by label, decision and status; ordered by priority; cursor pagination."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query

from comments.api.deps import ReviewKey, RuntimeDep
from comments.api.schemas import Decision, ErrorPublic, Label, QueueItemPublic, QueuePublic, Status
from comments.store import repo

router = APIRouter(prefix="/v1/queue", tags=["review"])


def queue_item(item) -> QueueItemPublic:
    """A table row as a queue entry (no text)."""
    return QueueItemPublic.model_validate(item, from_attributes=True)


@router.get("", responses={c: {"model": ErrorPublic} for c in (401, 403, 422)})
async def list_queue(
    rt: RuntimeDep,
    _: ReviewKey,
    label: Label | None = None,
    decision: Decision | None = None,
    status: Status | None = None,
    min_priority: Annotated[float | None, Query(ge=0, le=1)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> QueuePublic:
    """Open items (or those with `status`), highest priority first; follow `next_cursor` for more."""
    rows, nxt = await anyio.to_thread.run_sync(
        lambda: repo.list_queue(
            rt.url, label=label, decision=decision, status=status, min_priority=min_priority, cursor=cursor, limit=limit
        )
    )
    return QueuePublic(data=[queue_item(r) for r in rows], count=len(rows), next_cursor=nxt)

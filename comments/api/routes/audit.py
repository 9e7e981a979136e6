"""The audit log over HTTP (admin): reveals with their reasons, decisions, requeues, key and list changes."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query
from pydantic import AfterValidator

from comments.api.deps import AdminKey, RuntimeDep
from comments.api.schemas import AuditPage, AuditPublic, ErrorPublic, clean
from comments.store import repo

router = APIRouter(prefix="/v1/audit", tags=["admin"])


@router.get("", responses={c: {"model": ErrorPublic} for c in (401, 403, 422)})
async def list_audit(
    rt: RuntimeDep,
    _: AdminKey,
    item_id: Annotated[str | None, Query(min_length=1, max_length=200), AfterValidator(clean)] = None,
    action: Annotated[str | None, Query(min_length=1, max_length=32), AfterValidator(clean)] = None,
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,  # seq is a 32-bit column on PostgreSQL
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Entries after sequence number `after`, oldest first, optionally of one item or one action (`reveal`)."""
    rows = await anyio.to_thread.run_sync(
        lambda: repo.audit_entries(rt.url, item_id, action=action, after=after, limit=limit + 1)
    )
    page = [AuditPublic.model_validate(r, from_attributes=True) for r in rows[:limit]]
    return AuditPage(data=page, count=len(page), next_after=page[-1].seq if len(rows) > limit else None)

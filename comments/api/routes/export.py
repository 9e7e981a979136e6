"""Reviewed items as training rows (JSON lines), admin scope, audited."""

from __future__ import annotations

import json

import anyio
from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from comments.api import service
from comments.api.deps import AdminKey, RuntimeDep
from comments.api.schemas import ErrorPublic
from comments.store import repo

router = APIRouter(prefix="/v1/export", tags=["admin"])


@router.get(
    "/labels",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}, **{c: {"model": ErrorPublic} for c in (401, 403)}},
)
async def export_labels(rt: RuntimeDep, key: AdminKey) -> StreamingResponse:
    """One JSON object per reviewed item: id, text, a 0/1 column per label, the action, the model version."""
    await anyio.to_thread.run_sync(repo.audit, rt.url, key.id, "export")

    def lines():
        for row in service.export_rows(rt.url, rt.cipher):
            yield json.dumps(row, ensure_ascii=False) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")

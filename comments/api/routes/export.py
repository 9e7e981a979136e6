"""Reviewed items as training rows (JSON lines): admin scope, a reason, audited."""

from __future__ import annotations

import json

import anyio
from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from comments.api import service
from comments.api.deps import AdminKey, RuntimeDep
from comments.api.routes.items import NO_STORE
from comments.api.schemas import ErrorPublic, RevealCreate
from comments.store import repo

router = APIRouter(prefix="/v1/export", tags=["admin"])


@router.post(
    "/labels",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}, **{c: {"model": ErrorPublic} for c in (401, 403, 422)}},
)
async def export_labels(body: RevealCreate, rt: RuntimeDep, key: AdminKey) -> StreamingResponse:
    """One JSON object per reviewed item: id, original text, a 0/1 column per label, the action, the model
    version. The text is revealed, so the export is audited with `reason` first, then each item as a
    `reveal` before its row is sent, and never cached."""
    await anyio.to_thread.run_sync(lambda: repo.audit(rt.url, key.id, "export", reason=body.reason))

    def lines():
        for row in service.export_rows(rt.url, rt.cipher, key.id, body.reason):
            yield json.dumps(row, ensure_ascii=False) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson", headers={"Cache-Control": NO_STORE})

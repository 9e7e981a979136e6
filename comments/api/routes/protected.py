"""The protected-identity list over HTTP (admin): only keyed digests are stored, ids are listed.

A change here reaches this replica's pipeline before the answer; other replicas (and changes
made with `comments protected`) follow within `protected_sync.POLL_SECONDS`.
`comments.store.protected` imports the NLP stack, so it is imported inside the handlers.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Path, Response

from comments.api.deps import AdminKey, RuntimeDep
from comments.api.schemas import ErrorPublic, ProtectedCreate, ProtectedList, ProtectedPublic
from comments.store import repo

router = APIRouter(prefix="/v1/protected", tags=["admin"])
ERRORS = {c: {"model": ErrorPublic} for c in (401, 403, 404, 422)}


@router.get("", responses=ERRORS)
async def list_protected(rt: RuntimeDep, _: AdminKey) -> ProtectedList:
    """Ids and creation dates (never the identities)."""
    from comments.store import protected

    rows = await anyio.to_thread.run_sync(protected.list_ids, rt.url)
    return ProtectedList(data=[ProtectedPublic(id=i, created_at=c) for i, c in rows], count=len(rows))


@router.post("", status_code=201, responses=ERRORS)
async def add_protected(body: ProtectedCreate, rt: RuntimeDep, key: AdminKey) -> ProtectedPublic:
    """Protect an identity; scoring on this replica uses it from the answer on."""
    from comments.store import protected

    secret = rt.settings.hmac_key.get_secret_value().encode()

    def write() -> str:
        ident = protected.add(rt.url, secret, body.name, body.handles, body.aliases)
        repo.audit(rt.url, key.id, "protected:add")
        rt.protected.refresh(rt.pipeline, force=True)
        return ident

    ident = await anyio.to_thread.run_sync(write)
    rows = dict(await anyio.to_thread.run_sync(protected.list_ids, rt.url))
    return ProtectedPublic(id=ident, created_at=rows[ident])


@router.delete("/{ident}", status_code=204, responses=ERRORS)
async def remove_protected(ident: str = Path(max_length=32), *, rt: RuntimeDep, key: AdminKey) -> Response:
    """Remove one identity by id; scoring on this replica stops matching it from the answer on."""
    from comments.store import protected

    def write() -> None:
        protected.remove(rt.url, ident)
        repo.audit(rt.url, key.id, "protected:remove")
        rt.protected.refresh(rt.pipeline, force=True)

    await anyio.to_thread.run_sync(write)
    return Response(status_code=204)

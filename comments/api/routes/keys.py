"""API keys over HTTP (admin): list them, revoke one; tokens are never shown again."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Path

from comments.api.deps import AdminKey, RuntimeDep
from comments.api.schemas import ErrorPublic, KeyPublic, KeysPublic
from comments.store import repo
from comments.store.repo import KeyRecord

router = APIRouter(prefix="/v1/keys", tags=["admin"])
ERRORS = {c: {"model": ErrorPublic} for c in (401, 403, 404, 422)}


def key_public(key: KeyRecord) -> KeyPublic:
    """The listed form of a key."""
    return KeyPublic(
        id=key.id, name=key.name, scopes=sorted(key.scopes), created_at=key.created_at, revoked_at=key.revoked_at
    )


@router.get("", responses=ERRORS)
async def list_keys(rt: RuntimeDep, _: AdminKey) -> KeysPublic:
    """Ids, names, scopes and dates of every key."""
    rows = await anyio.to_thread.run_sync(repo.list_api_keys, rt.url)
    return KeysPublic(data=[key_public(k) for k in rows], count=len(rows))


@router.delete("/{key_id}", responses=ERRORS)
async def revoke_key(key_id: Annotated[str, Path(max_length=32)], rt: RuntimeDep, key: AdminKey) -> KeyPublic:
    """Revoke a key (idempotent): at once on this replica, within COMMENTS_KEY_CACHE_SECONDS on others."""

    def write() -> KeyRecord:
        revoked = repo.revoke_api_key(rt.url, key_id)
        repo.audit(rt.url, key.id, "apikey:revoke")
        return revoked

    revoked = await anyio.to_thread.run_sync(write)
    rt.verifier.forget(revoked.id)
    return key_public(revoked)

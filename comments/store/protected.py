"""Repository for the protected-identity list: add, remove, list, and all digests for matching."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from comments.errors import BadInputError, NotFoundError
from comments.signals.protected import digest, variants
from comments.store.db import session_scope
from comments.store.tables import ProtectedIdentity


def add(url: str, key: bytes, name: str, handles: list[str] = (), aliases: list[str] = ()) -> str:
    """Store the digests of one identity's variants; return its new id. The identity itself is not kept."""
    found = variants(name, handles, aliases)
    if not found:
        raise BadInputError("the identity has no usable name, handle or alias (each needs 3+ letters or digits)")
    ident = uuid.uuid4().hex
    with session_scope(url) as s:
        s.add(ProtectedIdentity(id=ident, digests=sorted(digest(key, v) for v in found)))
    return ident


def remove(url: str, ident: str) -> None:
    """Delete one identity by id."""
    with session_scope(url) as s:
        row = s.get(ProtectedIdentity, ident)
        if row is None:
            raise NotFoundError(f"no protected identity with id {ident}; `comments protected list` shows the ids")
        s.delete(row)


def list_ids(url: str) -> list[tuple[str, datetime]]:
    """Ids and creation dates, oldest first. Nothing else is shown."""
    with session_scope(url) as s:
        return [
            (r.id, r.created_at) for r in s.scalars(select(ProtectedIdentity).order_by(ProtectedIdentity.created_at))
        ]


def all_digests(url: str) -> frozenset[str]:
    """Every stored digest, for the matcher."""
    with session_scope(url) as s:
        return frozenset(d for row in s.scalars(select(ProtectedIdentity.digests)) for d in row)

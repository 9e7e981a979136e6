"""API-key authentication: bearer token (or the reviewer page's cookie), scopes, a short verify cache."""

from __future__ import annotations

import time

from comments.errors import AuthError, ScopeError
from comments.store import repo
from comments.store.repo import KeyRecord

COOKIE = "comments_key"


class KeyVerifier:
    """Verifies tokens against the store, caching successes for `ttl` seconds.

    A key revoked through this process (`forget`) stops working at once; one revoked
    elsewhere (the CLI, another replica) stops within `ttl` (COMMENTS_KEY_CACHE_SECONDS).
    """

    def __init__(self, url: str, ttl: float, size: int = 1024) -> None:
        self.url, self.ttl, self.size = url, ttl, size
        self._cache: dict[str, tuple[KeyRecord, float]] = {}

    def cached(self, token: str) -> KeyRecord | None:
        """The key for `token` when verified within the last `ttl` seconds (no database call)."""
        hit = self._cache.get(token)
        return hit[0] if hit and hit[1] > time.monotonic() else None

    def verify(self, token: str | None) -> KeyRecord:
        """The key behind `token`, or AuthError saying why not."""
        if not token:
            raise AuthError("missing API key: send `Authorization: Bearer <token>`")
        now = time.monotonic()
        if (hit := self.cached(token)) is not None:
            return hit
        key = repo.lookup_token(self.url, token)
        if key is None:
            raise AuthError("API key not recognised; create one with `comments apikey create`")
        if key.revoked_at is not None:
            when = key.revoked_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            raise AuthError(f"API key {key.id} was revoked at {when}; ask an admin for a new one")
        if len(self._cache) >= self.size:
            self._cache.clear()
        if self.ttl > 0:
            self._cache[token] = (key, now + self.ttl)
        return key

    def forget(self, key_id: str) -> None:
        """Drop cached verifications of one key (called when this process revokes it)."""
        for token in [t for t, (k, _) in list(self._cache.items()) if k.id == key_id]:
            self._cache.pop(token, None)


def require_scope(key: KeyRecord, scope: str) -> KeyRecord:
    """`key` when it carries `scope`, else ScopeError."""
    if scope not in key.scopes:
        raise ScopeError(f"this API key lacks the `{scope}` scope")
    return key

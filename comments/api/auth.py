"""API-key authentication: bearer token (or the reviewer page's cookie), scopes, a short verify cache."""

from __future__ import annotations

import time

from comments.errors import AuthError, ScopeError
from comments.store import repo
from comments.store.repo import KeyRecord

COOKIE = "comments_key"


class KeyVerifier:
    """Verifies tokens against the store, caching successes for `ttl` seconds (revocation lags by that much)."""

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
        key = repo.verify_token(self.url, token)
        if key is None:
            raise AuthError("API key not recognised or revoked; create one with `comments apikey create`")
        if len(self._cache) >= self.size:
            self._cache.clear()
        self._cache[token] = (key, now + self.ttl)
        return key


def require_scope(key: KeyRecord, scope: str) -> KeyRecord:
    """`key` when it carries `scope`, else ScopeError."""
    if scope not in key.scopes:
        raise ScopeError(f"this API key lacks the `{scope}` scope")
    return key

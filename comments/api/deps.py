"""Typed dependencies: settings, the app's runtime state, the pipeline, and scoped API keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from fastapi import Depends, Request

from comments.api.auth import COOKIE, KeyVerifier, require_scope
from comments.api.batcher import ScoreBatcher
from comments.api.crypto import TextCipher
from comments.api.metrics import Metrics
from comments.api.protected_sync import ProtectedSync
from comments.errors import AuthError, ModelLoadError
from comments.settings import Settings
from comments.store.repo import KeyRecord
from comments.store.scores import ScoreLogWriter

if TYPE_CHECKING:
    from comments.pipeline import Pipeline

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "x-comments-csrf"


@dataclass
class Runtime:
    """Everything the app holds while it runs."""

    settings: Settings
    cipher: TextCipher
    verifier: KeyVerifier
    metrics: Metrics
    protected: ProtectedSync
    pipeline: Pipeline | None = None  # noqa: F821 - typing only
    load_error: str | None = None
    batcher: ScoreBatcher | None = None  # the scoring threads, made in the lifespan
    score_log: ScoreLogWriter | None = None  # likewise
    extras: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The database URL."""
        return self.settings.database_url


# Dependencies are `async def` on purpose: a plain `def` runs in the threadpool, one thread hop each.
async def get_runtime(request: Request) -> Runtime:
    """The app's runtime state."""
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_pipeline(rt: RuntimeDep) -> Pipeline:
    """The loaded pipeline, or 503 when this replica has none."""
    if rt.pipeline is None:
        raise ModelLoadError(rt.load_error or "no model is loaded on this replica (COMMENTS_LOAD_MODEL=false)")
    return rt.pipeline


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("malformed Authorization header: use `Authorization: Bearer <token>`")
        return token.strip()
    token = request.cookies.get(COOKIE)
    # A cookie rides along on cross-site requests; a custom header cannot without CORS, so demand one.
    if token and request.method in UNSAFE and request.headers.get(CSRF_HEADER) != "1":
        raise AuthError(f"cookie-authenticated writes need the `{CSRF_HEADER}: 1` header")
    return token


async def current_key(request: Request, rt: RuntimeDep) -> KeyRecord:
    """The caller's verified API key (a cache hit skips the database and the thread hop)."""
    token = _token(request)
    if token and (key := rt.verifier.cached(token)) is not None:
        return key
    return await anyio.to_thread.run_sync(rt.verifier.verify, token)


KeyDep = Annotated[KeyRecord, Depends(current_key)]


def _scoped(scope: str):
    async def dep(key: KeyDep) -> KeyRecord:
        return require_scope(key, scope)

    dep.__name__ = f"require_{scope}"
    return dep


@dataclass(frozen=True)
class ScoreCall:
    """What a scoring route needs: the runtime, the loaded pipeline and the caller's key."""

    rt: Runtime
    pipeline: Any  # typed as Any so importing the API does not import the pipeline (and spaCy)
    key: KeyRecord


async def score_call(request: Request) -> ScoreCall:
    """The score routes' one dependency: FastAPI resolves each dependency per request, so the hot path has one."""
    rt: Runtime = request.app.state.runtime
    key = require_scope(await current_key(request, rt), "score")
    return ScoreCall(rt, await get_pipeline(rt), key)


ScoreCallDep = Annotated[ScoreCall, Depends(score_call)]
ReviewKey = Annotated[KeyRecord, Depends(_scoped("review"))]
AdminKey = Annotated[KeyRecord, Depends(_scoped("admin"))]

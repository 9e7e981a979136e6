"""The app factory: `create_app(settings)`; the pipeline loads in the lifespan, never at import."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
from anyio import CapacityLimiter
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from comments.api import handlers
from comments.api.auth import KeyVerifier
from comments.api.crypto import TextCipher
from comments.api.deps import Runtime
from comments.api.metrics import Metrics
from comments.api.middleware import BodyLimit, RequestMetrics
from comments.api.routes import export, health, items, protected, queue, review, score
from comments.errors import CommentsError
from comments.settings import Settings, get_settings
from comments.store.db import migrate

if TYPE_CHECKING:
    from comments.pipeline import Pipeline

log = logging.getLogger("comments.api")
STATIC = Path(__file__).parent / "static"


def _load(settings: Settings) -> Pipeline:
    from comments.pipeline import load_pipeline

    return load_pipeline(settings.model_dir)


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """Build the app; `pipeline` skips loading the bundle (tests hand in a fake)."""
    settings = settings or get_settings()
    key = settings.encryption_key.get_secret_value() if settings.encryption_key else None
    rt = Runtime(
        settings=settings,
        cipher=TextCipher(key),
        verifier=KeyVerifier(settings.database_url, settings.key_cache_seconds),
        metrics=Metrics(),
        limiter=CapacityLimiter(2),
        pipeline=pipeline,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await anyio.to_thread.run_sync(migrate, settings.database_url)
        if rt.pipeline is None and settings.load_model:
            try:
                rt.pipeline = await anyio.to_thread.run_sync(_load, settings)
            except CommentsError as exc:
                rt.load_error = str(exc)
                log.error("model not loaded (%s): %s", exc.code, exc)
                raise
        if rt.pipeline is not None:
            rt.metrics.model.labels(rt.pipeline.version).set(1)
        yield

    app = FastAPI(
        title="comments",
        version="1",
        summary="Scores comments that re-victimise survivors, and queues them for review.",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    handlers.install(app)
    for module in (health, score, queue, items, export, protected, review):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestMetrics, metrics=rt.metrics)
    return app

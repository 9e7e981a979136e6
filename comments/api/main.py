"""The app factory: `create_app(settings)`; the pipeline loads in the lifespan, never at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from comments.api import handlers, service
from comments.api.auth import KeyVerifier
from comments.api.batcher import ScoreBatcher
from comments.api.crypto import TextCipher
from comments.api.deps import Runtime
from comments.api.metrics import Metrics
from comments.api.middleware import BodyLimit, RequestMetrics, Unhandled
from comments.api.protected_sync import ProtectedSync, protected_signal
from comments.api.routes import audit, export, health, items, keys, protected, queue, review, score
from comments.errors import CommentsError
from comments.settings import Settings, get_settings
from comments.store.db import migrate
from comments.store.scores import ScoreLogWriter

if TYPE_CHECKING:
    from comments.pipeline import Pipeline

log = logging.getLogger("comments.api")
STATIC = Path(__file__).parent / "static"
SCORING_THREADS = 2  # this machine's cores; more threads only contend for the GIL


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
        protected=ProtectedSync(settings.database_url),
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
        poller = None
        if rt.pipeline is not None:
            rt.metrics.model.labels(rt.pipeline.version).set(1)
            if protected_signal(rt.pipeline) is not None:
                # This app's database is the list's source (the bundle loader read COMMENTS_DATABASE_URL).
                await anyio.to_thread.run_sync(lambda: rt.protected.refresh(rt.pipeline, force=True))
                poller = asyncio.create_task(rt.protected.poll(rt))
        rt.score_log = ScoreLogWriter(settings.database_url)
        rt.batcher = ScoreBatcher(
            lambda calls: service.score(rt.pipeline, rt.url, rt.cipher, rt.score_log, calls), SCORING_THREADS
        )
        try:
            yield
        finally:
            if poller is not None:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
            rt.batcher.close()
            await anyio.to_thread.run_sync(rt.score_log.close)

    app = FastAPI(
        title="comments",
        version="1",
        summary="Scores comments that re-victimise survivors, and queues them for review.",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    handlers.install(app)
    for module in (health, score, queue, items, export, protected, keys, audit, review):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestMetrics, metrics=rt.metrics)
    app.add_middleware(Unhandled)  # added last, so outermost
    return app

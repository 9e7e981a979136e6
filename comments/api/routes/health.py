"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from comments.api.deps import RuntimeDep
from comments.store import repo

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "model not loaded or database unreachable"}})
async def readyz(rt: RuntimeDep) -> JSONResponse:
    """Ready when the model is loaded and the database answers."""
    checks = {"model": rt.pipeline is not None, "database": True}
    try:
        await anyio.to_thread.run_sync(repo.ping, rt.url)
    except Exception:  # noqa: BLE001 - any failure means not ready
        checks["database"] = False
    ok = all(checks.values())
    version = rt.pipeline.version if rt.pipeline else None
    return JSONResponse({"ready": ok, "checks": checks, "model_version": version}, status_code=200 if ok else 503)


@router.get("/metrics", response_class=Response)
async def metrics(rt: RuntimeDep) -> Response:
    """Prometheus exposition: request counts and latency, decisions per label, queue depth, model version."""
    try:
        rt.metrics.queue_depth.set(await anyio.to_thread.run_sync(repo.queue_depth, rt.url))
    except Exception:  # noqa: BLE001 - keep the last value when the database is away
        pass
    return Response(generate_latest(rt.metrics.registry), media_type=CONTENT_TYPE_LATEST)

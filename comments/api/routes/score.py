"""Scoring: one comment or a batch; non-`allow` results go to the review queue."""

from __future__ import annotations

import anyio
from fastapi import APIRouter

from comments.api import service
from comments.api.batcher import ScoreBatcher
from comments.api.deps import PipelineDep, RuntimeDep, ScoreKey
from comments.api.schemas import BatchPublic, BatchRequest, ErrorPublic, ScorePublic, ScoreRequest
from comments.errors import BadInputError

router = APIRouter(prefix="/v1/score", tags=["score"])
ERRORS = {c: {"model": ErrorPublic} for c in (401, 403, 413, 422, 503)}


def _count(rt, results: list[ScorePublic]) -> None:
    for res in results:
        for label, decision in res.decisions.items():
            rt.metrics.decisions.labels(label, decision).inc()


def _batcher(rt, pipeline) -> ScoreBatcher:
    if rt.batcher is None:
        rt.batcher = ScoreBatcher(lambda reqs: service.score(pipeline, rt.url, rt.cipher, reqs), rt.limiter)
    return rt.batcher


@router.post("", responses=ERRORS)
async def score_one(body: ScoreRequest, rt: RuntimeDep, pipeline: PipelineDep, _: ScoreKey) -> ScorePublic:
    """Score one comment (batched with concurrent requests behind the scenes)."""
    result = await _batcher(rt, pipeline).submit(body)
    _count(rt, [result])
    return result


@router.post("/batch", responses=ERRORS)
async def score_batch(body: BatchRequest, rt: RuntimeDep, pipeline: PipelineDep, _: ScoreKey) -> BatchPublic:
    """Score up to 256 comments; results come back in request order."""
    if len(body.items) > rt.settings.max_batch:
        raise BadInputError(f"batch has {len(body.items)} items; the limit is {rt.settings.max_batch}")
    # CPU-bound: off the event loop, sharing the scoring threads with the batcher.
    results = await anyio.to_thread.run_sync(service.score, pipeline, rt.url, rt.cipher, body.items, limiter=rt.limiter)
    _count(rt, results)
    return BatchPublic(results=results)

"""Scoring: one comment or a batch; non-`allow` results go to the review queue.

The answers are encoded straight from the validated models (`model_dump_json`), which
spares FastAPI's second validation and JSON pass on the hottest route.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from comments.api import service
from comments.api.deps import ScoreCallDep
from comments.api.schemas import BatchPublic, BatchRequest, ErrorPublic, ScorePublic, ScoreRequest
from comments.errors import BadInputError

router = APIRouter(prefix="/v1/score", tags=["score"])
ERRORS = {c: {"model": ErrorPublic} for c in (401, 403, 413, 422, 503)}
JSON = "application/json"


@router.post("", responses=ERRORS, response_model=ScorePublic)
async def score_one(body: ScoreRequest, call: ScoreCallDep) -> Response:
    """Score one comment (batched with concurrent requests behind the scenes)."""
    result = await call.rt.batcher.submit((call.key, body))
    call.rt.metrics.count_decisions([result])
    return Response(result.model_dump_json(), media_type=JSON)


@router.post("/batch", responses=ERRORS, response_model=BatchPublic)
async def score_batch(body: BatchRequest, call: ScoreCallDep) -> Response:
    """Score up to 256 comments; results come back in request order."""
    rt = call.rt
    if len(body.items) > rt.settings.max_batch:
        raise BadInputError(f"batch has {len(body.items)} items; the limit is {rt.settings.max_batch}")
    # CPU-bound: off the event loop, on the scoring threads the single-score batches use.
    calls = [(call.key, item) for item in body.items]
    results = await rt.batcher.run(service.score, call.pipeline, rt.url, rt.cipher, rt.score_log, calls, True)
    rt.metrics.count_decisions(results)
    return Response(BatchPublic(results=results).model_dump_json(), media_type=JSON)

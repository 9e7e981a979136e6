"""Pure ASGI middleware (cheaper than BaseHTTPMiddleware): body-size cap, request metrics, unhandled errors."""

from __future__ import annotations

import json
import logging
import time
import traceback
from pathlib import Path

from comments.api.metrics import Metrics

log = logging.getLogger("comments.api")
APP = Path(__file__).resolve().parents[1].as_posix()  # the `comments` package


async def _send_error(send, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Answers 413 when a request body exceeds `limit` bytes, whether declared or streamed."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        message = f"request body exceeds {self.limit} bytes; send fewer items per batch"
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.limit:
                    return await _send_error(send, 413, "payload_too_large", message)
        chunks, size, more = [], 0, True
        while more:
            msg = await receive()
            if msg["type"] != "http.request":
                return await self.app(scope, _replay([], msg, receive), send)
            chunks.append(msg.get("body", b""))
            size += len(chunks[-1])
            more = msg.get("more_body", False)
            if size > self.limit:
                return await _send_error(send, 413, "payload_too_large", message)
        await self.app(scope, _replay(chunks, None, receive), send)


def _replay(chunks: list[bytes], first, receive):
    """A receive that hands the buffered body over once, then defers to the real one."""
    pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}] if first is None else [first]

    async def replay():
        return pending.pop() if pending else await receive()

    return replay


class RequestMetrics:
    """Counts requests and observes latency per route template (never the raw path: ids are not labels)."""

    def __init__(self, app, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), [500]

        async def observe(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            count, latency = self.metrics.request_children(scope["method"], path, status[0])
            count.inc()
            latency.observe(time.perf_counter() - started)


class Unhandled:
    """The outermost middleware: an exception no handler took becomes a JSON 500, logged without its message.

    Starlette's own last resort re-raises to the server, which logs the full exception; its message
    can quote a comment. This logs the type, the route and where it was raised (file, line, function).
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = [False]

        async def tracked(message) -> None:
            if message["type"] == "http.response.start":
                started[0] = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # noqa: BLE001 - the last resort: answer, log, do not re-raise
            where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in _frames(exc))
            log.error("unhandled %s on %s %r at %s", type(exc).__name__, scope["method"], scope["path"], where)
            if not started[0]:
                await _send_error(send, 500, "internal", "internal error; the server log has the error type")


def _frames(exc: Exception) -> list[traceback.FrameSummary]:
    """Where `exc` was raised, innermost first: three frames, and this project's innermost one when a
    library raised it deeper down (the place to start reading)."""
    frames = traceback.extract_tb(exc.__traceback__)[::-1]
    ours = next((f for f in frames if f"{APP}/" in Path(f.filename).as_posix()), None)
    return frames[:3] + ([ours] if ours is not None and ours not in frames[:3] else [])

"""The one exception handler family: every error becomes `{code, message}` with its status.

Messages never carry comment text or a traceback; anything else is `middleware.Unhandled`'s 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from comments.errors import AuthError, CommentsError

log = logging.getLogger("comments.api")
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
JSON_ONLY = "send the body as JSON with `Content-Type: application/json`"


def _error(status: int, code: str, message: str, fields=None, headers=None) -> JSONResponse:
    body = {"code": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    return JSONResponse(body, status_code=status, headers=headers)


async def comments_error(_: Request, exc: CommentsError) -> JSONResponse:
    """Our own errors: status and code from the class, the message as written (it names no text)."""
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError) else None
    return _error(exc.http_status, exc.code, str(exc), headers=headers)


async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with the path and reason of each bad field; the offending input is not echoed.

    A body left as bytes is one FastAPI did not parse because its Content-Type is not JSON: 415.
    """
    if isinstance(exc.body, bytes) and exc.body:
        return _error(415, "unsupported_media_type", JSON_ONLY)
    fields = [{"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")} for e in exc.errors()]
    first = fields[0] if fields else {"loc": [], "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return _error(422, "validation", f"{where}: {first['msg']}", fields)


async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
    """Starlette's own errors (unknown route, wrong method, unparseable body)."""
    code = HTTP_CODES.get(exc.status_code, "http_error")
    message = str(exc.detail)
    if isinstance(exc.__cause__, UnicodeDecodeError):  # FastAPI's 400 for a body json.loads cannot decode
        message = "the body is not valid UTF-8; send UTF-8 encoded JSON"
    return _error(exc.status_code, code, message, headers=getattr(exc, "headers", None))


async def database_unavailable(request: Request, exc: OperationalError) -> JSONResponse:
    """The database is down or locked: 503, worth a retry (the SQL and its parameters are not shown)."""
    log.error("database unavailable on %s %s", request.method, request.url.path)
    return _error(
        503, "database_unavailable", "the database is unavailable; retry shortly", headers={"Retry-After": "1"}
    )


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""
    app.add_exception_handler(CommentsError, comments_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(OperationalError, database_unavailable)

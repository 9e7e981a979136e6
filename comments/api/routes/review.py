"""The reviewer page: server-rendered queue and item views (Jinja2 + a little plain JS)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import AfterValidator

from comments.api import service
from comments.api.auth import require_scope
from comments.api.deps import RuntimeDep, current_key
from comments.api.routes.items import NO_STORE
from comments.api.schemas import clean
from comments.errors import AuthError, NotFoundError, ScopeError
from comments.store import repo

router = APIRouter(prefix="/review", include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
STATIC = Path(__file__).resolve().parents[1] / "static"
# Asset URLs carry a digest of the files, so a browser never runs a cached script against a newer page.
templates.env.globals["asset_version"] = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted(STATIC.glob("review.*")))
).hexdigest()[:12]


async def _reviewer(request: Request, rt):
    try:
        return require_scope(await current_key(request, rt), "review"), None
    except (AuthError, ScopeError) as exc:
        return None, str(exc)


def _login(request: Request, why: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html", {"why": why}, status_code=401)


@router.get("", response_class=HTMLResponse)
async def queue_page(request: Request, rt: RuntimeDep, cursor: Annotated[str | None, Query(max_length=200)] = None):
    """The open queue, highest priority first."""
    key, why = await _reviewer(request, rt)
    if key is None:
        return _login(request, why)
    rows, nxt = await anyio.to_thread.run_sync(lambda: repo.list_queue(rt.url, cursor=cursor, limit=100))
    return templates.TemplateResponse(request, "queue.html", {"items": rows, "next_cursor": nxt, "key": key})


@router.get("/items/{item_id:path}", response_class=HTMLResponse)
async def item_page(request: Request, item_id: Annotated[str, AfterValidator(clean)], rt: RuntimeDep) -> Response:
    """One item: masked text with reason spans highlighted, scores, rules. The page's reveal form posts
    the reviewer's reason to `POST /v1/items/{id}/reveal` (audited) and shows the answer in place."""
    key, why = await _reviewer(request, rt)
    if key is None:
        return _login(request, why)
    try:
        item = await anyio.to_thread.run_sync(repo.get_item, rt.url, item_id)
    except NotFoundError:
        return templates.TemplateResponse(request, "missing.html", {}, status_code=404)
    text, spans = service.view(item, rt.cipher, False)
    rows, _ = await anyio.to_thread.run_sync(lambda: repo.list_queue(rt.url, limit=200))
    ids = [r.id for r in rows]
    here = ids.index(item_id) if item_id in ids else -1
    context = {
        "item": item,
        "segments": service.segments(text, spans),
        "key": key,
        "prev_id": ids[here - 1] if here > 0 else None,
        "next_id": ids[here + 1] if 0 <= here < len(ids) - 1 else (ids[0] if here < 0 and ids else None),
    }
    return templates.TemplateResponse(request, "item.html", context, headers={"Cache-Control": NO_STORE})


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    """A form that stores the reviewer's API key in a same-site cookie."""
    return templates.TemplateResponse(request, "login.html", {"why": None})

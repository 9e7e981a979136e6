"""`comments apikey create|list|revoke` and `comments purge`: a typer sub-app; `register(app)` adds it to the CLI."""

from __future__ import annotations

import typer
from rich.console import Console

from comments.errors import CommentsError
from comments.errors import cli_exit as _fail

apikey_app = typer.Typer(help="API keys (only a hash of each is stored).", no_args_is_help=True)
err = Console(stderr=True, soft_wrap=True)


def _url() -> str:
    from comments.settings import get_settings
    from comments.store.db import migrate

    url = get_settings().database_url
    migrate(url)
    return url


@apikey_app.command("create")
def apikey_create(
    name: str = typer.Option(
        ..., "--name", help="The client using the key: keys of one name share the ids they queue (reuse it to rotate)."
    ),
    scope: list[str] = typer.Option(..., "--scope", help="score, review or admin; repeat for several."),
) -> None:
    """Create a key and print its token once, as the last line (it cannot be shown again)."""
    from comments.store import repo

    try:
        key_id, token = repo.create_api_key(_url(), name, scope)
    except CommentsError as exc:
        raise _fail(exc) from None
    err.print(f"created key {key_id} ({', '.join(sorted(set(scope)))}); store the token now:")
    typer.echo(token)


@apikey_app.command("list")
def apikey_list() -> None:
    """List keys: id, name, scopes, created, revoked (tab-separated; secrets are never shown)."""
    from comments.store import repo

    try:
        keys = repo.list_api_keys(_url())
    except CommentsError as exc:
        raise _fail(exc) from None
    typer.echo("id\tname\tscopes\tcreated\trevoked")
    for k in keys:
        revoked = k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "-"
        created = k.created_at.isoformat(timespec="seconds")
        typer.echo(f"{k.id}\t{k.name}\t{','.join(sorted(k.scopes))}\t{created}\t{revoked}")


@apikey_app.command("revoke")
def apikey_revoke(key_id: str = typer.Argument(..., help="Id shown by `comments apikey list`.")) -> None:
    """Revoke a key (again is fine); running servers refuse it within COMMENTS_KEY_CACHE_SECONDS."""
    from comments.settings import get_settings
    from comments.store import repo

    try:
        key = repo.revoke_api_key(_url(), key_id)
    except CommentsError as exc:
        raise _fail(exc) from None
    when = key.revoked_at.isoformat(timespec="seconds")
    wait = get_settings().key_cache_seconds
    typer.echo(f"revoked key {key.id} ({key.name}) at {when}; servers refuse it within {wait:g} s")


def purge(
    days: int = typer.Option(None, "--days", min=0, help="Keep this many days (default COMMENTS_RETENTION_DAYS)."),
) -> None:
    """Delete queued items and their decisions older than the retention period."""
    from comments.settings import get_settings
    from comments.store import repo

    keep = get_settings().retention_days if days is None else days
    try:
        n = repo.purge(_url(), keep)
    except CommentsError as exc:
        raise _fail(exc) from None
    typer.echo(f"purged {n} item(s) older than {keep} day(s)")


def register(app: typer.Typer) -> None:
    """Add `apikey` and `purge` to the main CLI."""
    app.add_typer(apikey_app, name="apikey")
    app.command("purge")(purge)

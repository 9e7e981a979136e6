"""`comments apikey create` and `comments purge`: a typer sub-app; `register(app)` adds it to the main CLI."""

from __future__ import annotations

import typer
from rich.console import Console

from comments.errors import CommentsError

apikey_app = typer.Typer(help="API keys (only a hash of each is stored).", no_args_is_help=True)
err = Console(stderr=True)


def _url() -> str:
    from comments.settings import get_settings
    from comments.store.db import migrate

    url = get_settings().database_url
    migrate(url)
    return url


def _fail(exc: CommentsError) -> typer.Exit:
    err.print(f"[red]error[/red] ({exc.code}): {exc}")
    return typer.Exit(exc.exit_code)


@apikey_app.command("create")
def apikey_create(
    name: str = typer.Option(..., "--name", help="Who or what uses the key."),
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

"""The one home for errors: a root error and a few kinds, each with an exit code and an HTTP status.

Messages say what to do next and never contain comment text.
"""


class CommentsError(Exception):
    """Root of every error this package raises on purpose."""

    code = "error"
    exit_code = 1
    http_status = 500


class BadInputError(CommentsError):
    """The caller's input is malformed or out of bounds."""

    code = "bad_input"
    exit_code = 2
    http_status = 422


class NotFoundError(CommentsError):
    """A named thing (item, key, model, file) does not exist."""

    code = "not_found"
    exit_code = 3
    http_status = 404


class ConflictError(CommentsError):
    """The request conflicts with the current state."""

    code = "conflict"
    exit_code = 4
    http_status = 409


class ConfigurationError(CommentsError):
    """Settings, rule files or family files are invalid."""

    code = "configuration"
    exit_code = 5
    http_status = 500


class ModelLoadError(CommentsError):
    """A model bundle is missing, incomplete or fails its integrity check."""

    code = "model_load"
    exit_code = 6
    http_status = 503


class AuthError(CommentsError):
    """No usable API key was sent."""

    code = "unauthorized"
    exit_code = 7
    http_status = 401


class ScopeError(CommentsError):
    """The API key lacks the scope the request needs."""

    code = "forbidden"
    exit_code = 8
    http_status = 403


class StaleError(CommentsError):
    """The item changed since the caller read it (`If-Match` names an older revision)."""

    code = "stale"
    exit_code = 9
    http_status = 412


def cli_exit(exc: CommentsError):
    """Print `exc` as one line on stderr and return the `typer.Exit` for the CLI to raise."""
    import typer
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, soft_wrap=True).print(f"[red]error[/red] ({exc.code}): {escape(str(exc))}")
    return typer.Exit(exc.exit_code)

"""`comments drift`, `comments queue suggest` and `comments labels export|import`; `register(app)` adds them."""

from __future__ import annotations

import getpass
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from comments.errors import CommentsError, ConflictError, NotFoundError
from comments.errors import cli_exit as _fail

drift_app = typer.Typer(help="Score drift against the training distribution (PSI).")
queue_app = typer.Typer(help="Pick what reviewers should label next.", no_args_is_help=True)
labels_app = typer.Typer(help="Exchange items and labels with Label Studio or Argilla.", no_args_is_help=True)
err = Console(stderr=True, soft_wrap=True)  # a message stays on one line; errors go through cli_exit
DEFAULT_MODEL = Path("models/default")


def _store():
    """(database url, settings, text cipher), the database migrated to the newest schema."""
    from comments.api.crypto import TextCipher
    from comments.settings import get_settings
    from comments.store.db import migrate

    settings = get_settings()
    migrate(settings.database_url)
    key = settings.encryption_key.get_secret_value() if settings.encryption_key else None
    return settings.database_url, settings, TextCipher(key)


def _actor() -> str:
    return f"cli:{getpass.getuser()}"[:32]


@contextmanager
def _output(path: Path | None):
    if path is None:
        yield sys.stdout
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        yield fh


@drift_app.callback(invoke_without_command=True)
def drift(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD, UTC); default 30 days ago.")] = None,
    model: Annotated[Path, typer.Option(help="Bundle whose score_reference.json is the baseline.")] = DEFAULT_MODEL,
    out: Annotated[Path, typer.Option(help="Folder for drift.md, psi.csv and drift.png.")] = Path("reports/drift"),
    min_rows: Annotated[int, typer.Option(min=1, help="Leave out days with fewer scored comments than this.")] = 100,
) -> None:
    """Daily PSI per label of stored scores against the training reference; warns when PSI > 0.2."""
    if ctx.invoked_subcommand is not None:
        return
    from comments import drift as lib

    try:
        start = lib.parse_since(since)
        lib.load_reference(model)
        url, _, _ = _store()
        rows, others = lib.run(url, model, start, out, min_rows)
    except CommentsError as exc:
        raise _fail(exc) from None
    for v, n in sorted(others.items()):
        err.print(f"note: left out {n} score(s) from model {v} (the reference is for another version)")
    for r in rows:
        if r.alarm:
            typer.echo(f"WARNING drift: {r.label} PSI={r.psi:.3f} on {r.day}")
    days = len({r.day for r in rows})
    err.print(f"{days} day(s) compared; wrote {out / 'drift.md'}, {out / 'psi.csv'}, {out / 'drift.png'}")


@drift_app.command("reference")
def drift_reference(
    model: Annotated[Path, typer.Option(help="Bundle directory to add score_reference.json to.")] = DEFAULT_MODEL,
    corpus: Annotated[Path, typer.Option(help="Corpus whose dev split is scored.")] = Path("data/corpus.parquet"),
) -> None:
    """Score the corpus dev split with the bundle and store its score histograms (re-writes the manifest)."""
    from comments.drift import write_reference

    try:
        path = write_reference(model, corpus)
    except CommentsError as exc:
        raise _fail(exc) from None
    err.print(f"wrote {path} and re-wrote {model / 'manifest.json'}")


@queue_app.command("suggest")
def queue_suggest(
    n: Annotated[int, typer.Option("--n", help="How many items (1..10000).")] = 200,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (.csv or .jsonl); default stdout.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default from the file suffix, else jsonl).")
    ] = None,
) -> None:
    """The unreviewed items the model is least sure of (max label entropy), masked text only."""
    from comments import suggest as lib

    try:
        kind = lib.format_for(output, fmt)
        lib.check_n(n)
        url, _, cipher = _store()
        rows = lib.suggest(url, cipher, n)
    except CommentsError as exc:
        raise _fail(exc) from None
    with _output(output) as fh:
        lib.write(rows, fh, kind)
    err.print(f"{len(rows)} item(s), most uncertain first" + (f"; wrote {output}" if output else ""))


@labels_app.command("export")
def labels_export(
    fmt: Annotated[str, typer.Option("--format", help="labelstudio or argilla.")] = "labelstudio",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="JSON file to write; default stdout.")] = None,
    status: Annotated[str, typer.Option(help="queued (not yet finally reviewed), reviewed or all.")] = "queued",
    reveal: Annotated[
        str | None,
        typer.Option(
            metavar="REASON", help="Original text instead of masked, for this reason; every item revealed is audited."
        ),
    ] = None,
    config_out: Annotated[
        Path | None, typer.Option(help="Also write the Label Studio labelling config (XML) here.")
    ] = None,
) -> None:
    """Items as Label Studio tasks (or Argilla records) with the model's flags as pre-annotations."""
    from comments import labeling

    try:
        url, _, cipher = _store()
        tasks = labeling.export(url, cipher, fmt, status, reveal, _actor())
    except CommentsError as exc:
        raise _fail(exc) from None
    with _output(output) as fh:
        json.dump(tasks, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    if config_out is not None:
        config_out.parent.mkdir(parents=True, exist_ok=True)
        config_out.write_text(labeling.labeling_config(), encoding="utf-8")
    err.print(f"{len(tasks)} item(s) exported" + (" with ORIGINAL text (audited)" if reveal else ", masked"))


@labels_app.command("import")
def labels_import(
    path: Annotated[Path, typer.Argument(help="A Label Studio JSON export (or Argilla records JSON).")],
    fmt: Annotated[str, typer.Option("--format", help="labelstudio or argilla.")] = "labelstudio",
    skip_unknown: Annotated[bool, typer.Option(help="Exit 0 even when some ids are not in the database.")] = False,
) -> None:
    """Record each item's latest annotation as a reviewer decision; importing the same file again changes nothing."""
    from comments.labeling import import_file

    try:
        url, settings, _ = _store()
        rep = import_file(url, path, fmt, settings.claim_seconds)
    except CommentsError as exc:
        raise _fail(exc) from None
    typer.echo(
        f"recorded {rep.recorded}, unchanged {rep.unchanged}, unannotated {rep.unannotated}, "
        f"unknown {len(rep.unknown)}, conflicts {len(rep.conflicts)}"
    )
    if rep.unknown:
        err.print(f"unknown id(s): {escape(', '.join(rep.unknown[:20]))}" + (" ..." if len(rep.unknown) > 20 else ""))
    if rep.conflicts:
        err.print(
            "not recorded (claimed by a reviewer, answered otherwise before, or edited since the export): "
            + escape(", ".join(rep.conflicts[:20]))
        )
    if rep.unknown and not skip_unknown:
        raise _fail(NotFoundError(f"{len(rep.unknown)} id(s) are not in the database; --skip-unknown accepts that"))
    if rep.conflicts:
        raise _fail(ConflictError(f"{len(rep.conflicts)} annotation(s) were not recorded; see the ids above"))


def register(app: typer.Typer) -> None:
    """Add `drift`, `queue` and `labels` to the main command line."""
    app.add_typer(drift_app, name="drift")
    app.add_typer(queue_app, name="queue")
    app.add_typer(labels_app, name="labels")

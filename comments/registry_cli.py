"""`comments retrain` and `comments models list|promote|rollback`; `register(app)` adds them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from comments.errors import BadInputError, CommentsError
from comments.errors import cli_exit as _fail

RESTART = "Running API processes load models/default when they start: restart them to serve the new default."
models_app = typer.Typer(help=f"List, promote and roll back model bundles in models/. {RESTART}", no_args_is_help=True)
err = Console(stderr=True, soft_wrap=True)  # a message stays on one line; errors go through cli_exit
MODELS = Path("models")
CORPUS = Path("data/corpus.parquet")
CHALLENGE = Path("data/challenge.jsonl")


def _progress() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    logging.getLogger("comments").setLevel(logging.INFO)


def _labels(labels: Path | None, from_db: bool):
    """Reviewer rows from the file or the database (decrypted with COMMENTS_ENCRYPTION_KEY, as the API does)."""
    from comments import retrain as lib

    if (labels is None) == (not from_db):
        raise BadInputError("pass exactly one of --labels FILE and --from-db")
    if labels is not None:
        return lib.read_label_file(labels)
    from comments.api.crypto import TextCipher
    from comments.settings import get_settings
    from comments.store.db import migrate

    settings = get_settings()
    migrate(settings.database_url)
    key = settings.encryption_key.get_secret_value() if settings.encryption_key else None
    return lib.read_label_db(settings.database_url, TextCipher(key))


def retrain(
    labels: Annotated[Path | None, typer.Option(help="Reviewer labels: JSONL, CSV or Parquet (export format).")] = None,
    from_db: Annotated[bool, typer.Option("--from-db", help="Read reviewed items from COMMENTS_DATABASE_URL.")] = False,
    config: Annotated[Path | None, typer.Option(help="JSON or YAML file overriding TrainConfig fields.")] = None,
    models_dir: Annotated[Path, typer.Option(help="Registry folder; its default/ is the parent.")] = MODELS,
    reports_dir: Annotated[Path, typer.Option(help="compare.md and plots go to <reports-dir>/<version>/.")] = Path(
        "reports"
    ),
    version: Annotated[str, typer.Option(help="Name of the new bundle (default retrain-<UTC time>).")] = "",
    holdout_share: Annotated[float, typer.Option(help="Share of reviewer rows kept as a gate.")] = 0.2,
    replay: Annotated[int, typer.Option(help="Synthetic rows replayed per reviewer row (warm start).")] = 4,
    epochs: Annotated[int, typer.Option(help="Epochs of continued fine-tuning (warm start).")] = 2,
) -> None:
    """Retrain on reviewer labels + the synthetic corpus into models/<version>; compare with the default.

    Never changes models/default: promote the result with `comments models promote`.
    """
    from comments import retrain as lib
    from comments.models.train import load_config

    _progress()
    try:
        rows = _labels(labels, from_db)
        opts = lib.RetrainOptions(
            models_dir=models_dir,
            reports_dir=reports_dir,
            holdout_share=holdout_share,
            replay_per_row=replay,
            warm_epochs=epochs,
            version=version,
        )
        out = lib.retrain(rows, load_config(config), opts)
    except CommentsError as exc:
        raise _fail(exc) from None
    from comments.registry import read_metadata

    meta = read_metadata(out)
    verdict = "promotable" if meta["verdict"]["promotable"] else "refused: " + "; ".join(meta["verdict"]["reasons"])
    err.print(f"wrote {out} and {meta['report']}; {verdict}")


@models_app.command("list")
def list_models(models_dir: Annotated[Path, typer.Option(help="Registry folder.")] = MODELS) -> None:
    """Bundles with version, created, parent, macro-F1 per gate; * marks the default."""
    from comments.registry import listing

    if not models_dir.is_dir():
        raise _fail(BadInputError(f"{models_dir} is not a folder; pass --models-dir"))
    rows = listing(models_dir)
    gates = sorted({g for r in rows for g in r["macro_f1"]})
    table = Table("", "name", "version", "created", "parent", *[f"macro-F1 {g}" for g in gates])
    for r in rows:
        f1 = [f"{r['macro_f1'][g]:.3f}" if g in r["macro_f1"] else "-" for g in gates]
        parent = r["parent"] or ("legacy" if r["legacy"] else "-")
        table.add_row("*" if r["default"] else "", r["name"], r["version"], r["created"] or "-", parent, *f1)
    Console(width=200).print(table)


@models_app.command(
    "promote",
    help="Make models/VERSION the default, refused if on any gate a label loses more than 0.01 F1 or the "
    f"macro-F1 drops at all (unless --force --reason). {RESTART}",
)
def promote(
    version: Annotated[str, typer.Argument(help="A folder name under models/.")],
    force: Annotated[bool, typer.Option("--force", help="Promote even if the rule refuses (needs --reason).")] = False,
    reason: Annotated[str | None, typer.Option(help="Why, recorded in models/HISTORY.jsonl.")] = None,
    models_dir: Annotated[Path, typer.Option(help="Registry folder.")] = MODELS,
    corpus: Annotated[Path, typer.Option(help="Corpus whose test split is a gate.")] = CORPUS,
    challenge: Annotated[Path, typer.Option(help="Challenge set gate.")] = CHALLENGE,
) -> None:
    """Promote a bundle to models/default if the promotion rule allows it."""
    from comments.registry import promote as run

    _progress()
    try:
        entry = run(models_dir, version, force, reason, corpus, challenge)
    except CommentsError as exc:
        raise _fail(exc) from None
    forced = " (forced: " + "; ".join(entry["rule_failures"]) + ")" if entry["rule_failures"] else ""
    err.print(f"{version} is the default (previous: {entry['previous']}){forced}. {RESTART}")


@models_app.command("rollback", help=f"Restore the default the latest promotion replaced. {RESTART}")
def rollback(models_dir: Annotated[Path, typer.Option(help="Registry folder.")] = MODELS) -> None:
    """Restore the previous default recorded in models/HISTORY.jsonl."""
    from comments.registry import rollback as run

    try:
        entry = run(models_dir)
    except CommentsError as exc:
        raise _fail(exc) from None
    err.print(f"{entry['version']} is the default again (was {entry['previous']}). {RESTART}")


def register(app: typer.Typer) -> None:
    """Add `retrain` and the `models` group to the main command line."""
    app.command("retrain")(retrain)
    app.add_typer(models_app, name="models")

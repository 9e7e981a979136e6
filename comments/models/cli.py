"""The `train` and `evaluate` commands; `register(app)` adds them to the main typer app."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from rich.console import Console

from comments.errors import CommentsError
from comments.errors import cli_exit as _fail

err = Console(stderr=True, soft_wrap=True)


def train(config: Path = typer.Option(None, help="JSON or YAML file overriding TrainConfig fields.")) -> None:
    """Train the baseline and the transformer, export int8 ONNX and write models/<version> and models/default."""
    from comments.models.build import run_training
    from comments.models.train import load_config

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    logging.getLogger("comments").setLevel(logging.INFO)  # progress; onnxruntime's INFO chatter stays off
    try:
        out = run_training(load_config(config))
    except CommentsError as exc:
        raise _fail(exc) from None
    err.print(f"wrote {out}")


def evaluate(
    model: Path = typer.Option(Path("models/default"), help="Bundle directory."),
    data: Path = typer.Option(..., help="Labelled .jsonl or .parquet file."),
    split: str = typer.Option(None, help="Keep one split of a corpus (train, dev or test)."),
    out: Path = typer.Option(None, help="Report folder; default reports/<run>."),
    thresholds: Path = typer.Option(None, help="thresholds.json overriding the bundle's."),
) -> None:
    """Score a labelled file and write report.md, PR curves, confusion matrices and the worst errors."""
    from comments.models.evaluate import evaluate as run

    try:
        path = run(model, data, out, split, thresholds)
    except CommentsError as exc:
        raise _fail(exc) from None
    err.print(f"wrote {path / 'report.md'}")


def register(app: typer.Typer) -> None:
    """Add `train` and `evaluate` to the main command line."""
    app.command("train")(train)
    app.command("evaluate")(evaluate)

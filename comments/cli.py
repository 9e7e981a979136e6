"""The `comments` command line: thin commands that call the library.

A user error exits with its own code and a one-line message, never a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

from comments.errors import CommentsError
from comments.errors import cli_exit as fail
from comments.synth import DEFAULT_ROWS, DEFAULT_SEED

app = typer.Typer(help="Find comments that identify, promote or endanger survivors.", no_args_is_help=True)
data_app = typer.Typer(help="Generate and describe the synthetic corpus.", no_args_is_help=True)
app.add_typer(data_app, name="data")
protected_app = typer.Typer(help="The protected-identity list (only keyed hashes are stored).", no_args_is_help=True)
app.add_typer(protected_app, name="protected")
err = Console(stderr=True, soft_wrap=True)  # a message stays on one line; errors go through cli_exit


def _register_subapps() -> None:
    from comments.api.cli import register as register_api
    from comments.learning_cli import register as register_learning
    from comments.models.cli import register as register_models
    from comments.registry_cli import register as register_registry

    register_models(app)
    register_api(app)
    register_learning(app)
    register_registry(app)


DATA_DIR = Path("data")


@data_app.command("generate")
def data_generate(
    rows: int = typer.Option(DEFAULT_ROWS, min=1, help="Number of synthetic comments (hand-written ones are added)."),
    seed: int = typer.Option(DEFAULT_SEED, help="Random seed; the same seed gives the same bytes."),
    out: Path = typer.Option(DATA_DIR, help="Output folder for corpus.parquet and DATA_CARD.md."),
    families: Path = typer.Option(
        None,
        help="Only these families (a YAML file or folder, e.g. comments/synth/demo_families/orchard.yaml): "
        "writes <out>/<name>.parquet with a review/heldout split and no data card.",
    ),
) -> None:
    """Generate the labelled synthetic corpus (Parquet) and its data card."""
    from comments.synth.card import render_card
    from comments.synth.generate import HANDWRITTEN_FAMILY, generate, with_handwritten, write_corpus

    if families is not None:
        from comments.synth.demo import generate_demo, write_demo

        try:
            path = write_demo(generate_demo(families, rows, seed), out, families.stem)
        except CommentsError as exc:
            raise fail(exc) from None
        err.print(f"wrote {path} ({rows:,} rows from {families})")
        return
    started = time.perf_counter()
    try:
        with err.status(f"generating {rows:,} comments"):
            df = with_handwritten(generate(rows, seed))
            path = write_corpus(df, out)
            (out / "DATA_CARD.md").write_text(render_card(df, rows, seed), encoding="utf-8")
    except CommentsError as exc:
        raise fail(exc) from None
    secs = time.perf_counter() - started
    hand = df.family == HANDWRITTEN_FAMILY
    err.print(
        f"wrote {path} ({len(df):,} rows: {(~hand).sum():,} from {df.family[~hand].nunique()} families, "
        f"{hand.sum():,} hand-written) and {out / 'DATA_CARD.md'} in {secs:.1f}s"
    )


@data_app.command("card")
def data_card(
    corpus: Path = typer.Option(DATA_DIR / "corpus.parquet", help="Corpus to describe."),
    out: Path = typer.Option(DATA_DIR / "DATA_CARD.md", help="Where to write the card."),
    seed: int = typer.Option(13, help="Seed the corpus was generated with (shown in the card)."),
) -> None:
    """Rewrite DATA_CARD.md from an existing corpus."""
    import pandas as pd

    from comments.synth.card import render_card
    from comments.synth.generate import HANDWRITTEN_FAMILY

    if not corpus.exists():
        err.print(f"[red]error[/red]: {corpus} does not exist; run `comments data generate` (or `make data`) first")
        raise typer.Exit(3)
    df = pd.read_parquet(corpus)
    synthetic = int((df.family != HANDWRITTEN_FAMILY).sum())  # `--rows` counts the generated rows, as `generate` does
    out.write_text(render_card(df, synthetic, seed), encoding="utf-8")
    err.print(f"wrote {out}")


@data_app.command("check")
def data_check(files: list[Path] = typer.Argument(..., help="Family YAML files to validate.")) -> None:
    """Validate family files and print sample expansions."""
    from comments.synth.check import main

    raise typer.Exit(main([str(f) for f in files]))


def _store_url() -> str:
    from comments.settings import get_settings
    from comments.store.db import migrate

    url = get_settings().database_url
    migrate(url)
    return url


@protected_app.command("add")
def protected_add() -> None:
    """Protect an identity read from stdin, so it stays out of shell history.

    First line: the full name. Further lines: `handle: @x` or `alias: y`, one per line.
    """
    import sys

    from comments.settings import get_settings
    from comments.store import protected

    lines = [ln.strip() for ln in sys.stdin.read().splitlines() if ln.strip()]
    if not lines:
        err.print("[red]error[/red]: give the identity on stdin: the name, then `handle: ...` / `alias: ...` lines")
        raise typer.Exit(2)
    handles = [ln.split(":", 1)[1].strip() for ln in lines[1:] if ln.lower().startswith("handle:")]
    aliases = [ln.split(":", 1)[1].strip() for ln in lines[1:] if ln.lower().startswith("alias:")]
    try:
        key = get_settings().hmac_key.get_secret_value().encode()
        ident = protected.add(_store_url(), key, lines[0], handles, aliases)
    except CommentsError as exc:
        raise fail(exc) from None
    typer.echo(ident)


@protected_app.command("remove")
def protected_remove(ident: str = typer.Argument(..., help="Id printed by `add` or shown by `list`.")) -> None:
    """Remove one protected identity."""
    from comments.store import protected

    try:
        protected.remove(_store_url(), ident)
    except CommentsError as exc:
        raise fail(exc) from None
    err.print(f"removed {ident}")


@protected_app.command("list")
def protected_list() -> None:
    """List ids and creation dates (never the identities)."""
    from comments.store import protected

    for ident, created in protected.list_ids(_store_url()):
        typer.echo(f"{ident}\t{created.isoformat()}")


@app.command("score")
def score(
    source: Path = typer.Argument(..., help="Input .csv, .jsonl or .parquet with a text column."),
    output: Path = typer.Option(..., "-o", "--output", help="Output .csv, .jsonl or .parquet."),
    text_column: str = typer.Option("text", help="Name of the column holding the comment."),
    model: Path = typer.Option(None, help="Model bundle (default: COMMENTS_MODEL_DIR or models/default)."),
    skip_invalid: bool = typer.Option(False, help="Exit 0 even when some rows had no usable text."),
    chunk: int = typer.Option(2_000, min=1, help="Rows per chunk (memory stays bounded)."),
) -> None:
    """Score a file in chunks; output has one row per input row, in order."""
    import sys

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from comments.batch import score_file
    from comments.pipeline import load_pipeline

    try:
        pipeline = load_pipeline(model)
        with Progress(
            TextColumn("scoring"),
            BarColumn(),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=err,
            disable=not sys.stderr.isatty(),
        ) as bar:
            task = bar.add_task("score", total=None)
            summary = score_file(pipeline, source, output, text_column, chunk, lambda n: bar.advance(task, n))
    except CommentsError as exc:
        raise fail(exc) from None
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.decisions.items()))
    err.print(f"wrote {output}: {summary.rows:,} rows ({counts})")
    if summary.invalid:
        shown = ", ".join(f"row {n} ({why})" for n, why in summary.invalid[:20])
        more = f" and {len(summary.invalid) - 20} more" if len(summary.invalid) > 20 else ""
        err.print(f"[yellow]{len(summary.invalid)} invalid row(s)[/yellow]: {shown}{more}")
        if not skip_invalid:
            raise typer.Exit(2)


rules_app = typer.Typer(help="The rules half on its own.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("report")
def rules_report(
    corpus: Path = typer.Option(DATA_DIR / "corpus.parquet", help="Corpus with a split column."),
    challenge: Path = typer.Option(DATA_DIR / "challenge.jsonl", help="Hand-written challenge set."),
    out: Path = typer.Option(Path("reports/rules.md"), help="Markdown report to write."),
) -> None:
    """Rules-only precision/recall at their own levels on unseen families and the challenge set."""
    from comments.signals.registry import RuleEngine
    from comments.signals.report import precision_recall

    engine = RuleEngine()
    _write_report(
        out,
        "# Rules alone: precision and recall at the rules' own levels",
        corpus,
        challenge,
        lambda part: [precision_recall(engine, part).set_index("label")],
    )


def _write_report(out: Path, title: str, corpus: Path, challenge: Path, table_of) -> None:
    """A Markdown report with the tables `table_of` makes for each evaluation set: unseen-family test
    split, then the challenge set."""
    import pandas as pd

    from comments.synth.card import markdown_table

    if not corpus.exists():
        err.print(f"[red]error[/red]: {corpus} does not exist; run `make data` first")
        raise typer.Exit(3)
    df = pd.read_parquet(corpus)
    parts = {
        "test split (unseen families)": df[df.split == "test"],
        challenge.name: pd.read_json(challenge, lines=True),
    }
    lines = [title, ""]
    for name, part in parts.items():
        lines += [f"## {name} ({len(part):,} comments)", ""]
        lines += [line for table in table_of(part) for line in (markdown_table(table, table.index.name), "")]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    err.print(f"wrote {out}")


@app.command("fuse")
def fuse(
    model: Path = typer.Option(Path("models/default"), help="Model bundle to add fusion.json to."),
    corpus: Path = typer.Option(DATA_DIR / "corpus.parquet", help="Corpus whose dev split fits the combiner."),
) -> None:
    """Fit the combiner, fused thresholds and the cascade gate on the dev split."""
    from comments.fusion import fit_fusion

    try:
        result = fit_fusion(model, corpus)
    except CommentsError as exc:
        raise fail(exc) from None
    err.print(
        f"wrote {model / 'fusion.json'}; combiner {result['combiner']}; thresholds {result['thresholds']}; "
        f"gate {result['gate']}"
    )


@app.command("quality")
def quality(
    corpus: Path = typer.Option(DATA_DIR / "corpus.parquet", help="Corpus; its test split is used."),
    challenge: Path = typer.Option(DATA_DIR / "challenge.jsonl", help="Hand-written challenge set."),
    out: Path = typer.Option(Path("reports/quality.md"), help="Markdown report to write."),
    model: Path = typer.Option(None, help="Model bundle (default: COMMENTS_MODEL_DIR or models/default)."),
) -> None:
    """Compare rules-only, baseline, transformer and fused per label on unseen families and the
    challenge set, and the cascade's recall against running the transformer on every comment."""

    from comments.pipeline import load_pipeline
    from comments.quality import cascade, compare, language_table, macro

    try:
        pipeline = load_pipeline(model)
    except CommentsError as exc:
        raise fail(exc) from None

    def tables(part):
        texts = part.text.tolist()
        always, gated = pipeline.score_batch(texts, run_all=True), pipeline.score_batch(texts)
        return [
            compare(part, always).set_index("system"),
            macro(part, always).set_index("system"),
            cascade(part, always, gated).set_index("label"),
            language_table(part, always, gated).set_index("language"),
        ]

    _write_report(out, "# Quality: each part and the fused pipeline", corpus, challenge, tables)


@app.command("invariance")
def invariance(
    data: list[Path] = typer.Argument(..., help="Labelled .jsonl files of comments people wrote."),
    corpus: Path = typer.Option(DATA_DIR / "corpus.parquet", help="Corpus whose train split's styles are counted."),
    out: Path = typer.Option(Path("reports/invariance.md"), help="Markdown report to write."),
    model: Path = typer.Option(None, help="Model bundle (default: COMMENTS_MODEL_DIR or models/default)."),
) -> None:
    """Rewrite hand-written comments in ways the taxonomy ignores (a final full stop, case, an emoji)
    and report how far the model's scores and the served flags move, beside the corpus's styles."""
    from comments.invariance import report
    from comments.models.data import load_labelled
    from comments.pipeline import load_pipeline

    try:
        sets = {path.stem: load_labelled(path) for path in data}
        train = load_labelled(corpus, "train")
        pipeline = load_pipeline(model)
    except CommentsError as exc:
        raise fail(exc) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report(pipeline.version, sets, train, pipeline.score_batch), encoding="utf-8")
    err.print(f"wrote {out}")


@app.command("real-text")
def real_text(
    path: Path = typer.Argument(..., help="CSV, JSONL or Parquet file of real comments, none in the taxonomy."),
    text_column: str = typer.Option("text", help="Column holding the comment."),
    group_column: str = typer.Option(None, help="Column to break rates down by (e.g. a toxicity class)."),
    name: str = typer.Option(None, help="Data set name for the report title (default: the file name)."),
    out: Path = typer.Option(Path("reports/real_text.md"), help="Markdown report to write."),
    per_group: int = typer.Option(0, min=0, help="Score a fixed random sample of this many per group (0: all)."),
    model: Path = typer.Option(None, help="Model bundle (default: COMMENTS_MODEL_DIR or models/default)."),
    flagged: Path = typer.Option(None, help="Also write the flagged comments, with their text, to this JSONL file."),
) -> None:
    """Flag rates on real comments (every flag is a false positive). The report holds counts and rule
    ids only, never text; --flagged lists the flagged comments themselves for error analysis."""
    from comments.pipeline import load_pipeline
    from comments.realtext import flag_rates, read_comments, report, write_flagged

    try:
        df = read_comments(path, text_column, group_column, per_group)
        pipeline = load_pipeline(model)
    except CommentsError as exc:
        raise fail(exc) from None
    table, rules, listed = flag_rates(pipeline, df)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report(name or path.name, table, rules, pipeline.version), encoding="utf-8")
    err.print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    err.print(f"wrote {out}")
    if flagged:
        write_flagged(listed, flagged)
        err.print(f"wrote {flagged}: {len(listed)} flagged comments")


_register_subapps()

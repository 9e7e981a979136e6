"""A tiny registry (models/default = a tiny fused bundle with its checkpoint), built once per test process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from comments.labels import LABELS
from comments.registry_cli import register
from tests.conftest import ROOT
from tests.models.conftest import tiny_config

_BUILT: dict[str, Path] = {}
PARENT = "tiny-v1"

app = typer.Typer()
register(app)
runner = CliRunner()


def said(result) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture()
def no_protected_list(tmp_path, monkeypatch):
    """No database, so no protected list: results do not depend on what var/ holds."""
    from comments.settings import get_settings

    monkeypatch.setenv("COMMENTS_DATABASE_URL", f"sqlite:///{tmp_path / 'absent.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def tiny_registry(tmp_path_factory) -> Path:
    """A folder with data/corpus.parquet, models/default and models/tiny-v1 (same bundle), checkpoints/."""
    if "root" not in _BUILT:
        from comments.fusion import fit_fusion
        from comments.models.build import run_training
        from comments.synth.generate import generate, write_corpus

        root = tmp_path_factory.mktemp("registry")
        corpus = write_corpus(generate(400, 3), root / "data")
        cfg = tiny_config(corpus, root / "models", **small_training(root), version=PARENT, max_train_rows=120)
        out = run_training(cfg)
        fit_fusion(out, corpus)
        shutil.copytree(out, root / "models" / "default")
        _BUILT["root"] = root
    return _BUILT["root"]


def small_training(root: Path) -> dict:
    """TrainConfig fields that keep a tiny run to a few seconds."""
    return {
        "challenge": str(ROOT / "data" / "challenge.jsonl"),
        "checkpoint_dir": str(root / "checkpoints"),
        "eval_every": 1000,
        "eval_rows": 60,
        "parity_rows": 60,
        "benchmark_rows": 10,
    }


def copy_registry(source: Path, dest: Path) -> Path:
    """A private copy of the registry folder for one test; returns the copy's models/."""
    shutil.copytree(source / "models", dest / "models")
    return dest / "models"


def reviewer_rows(n: int, seed: int) -> pd.DataFrame:
    """Export-format rows (id, text, labels, action, model_version) from `n` distinct generated comments."""
    from comments.retrain import dedupe_keys
    from comments.synth.generate import generate

    df = generate(2 * n, seed)
    df = df[~pd.Series(dedupe_keys(df.text.tolist()), index=df.index).duplicated()].head(n).reset_index(drop=True)
    action = ["remove" if any(r[lab] for lab in LABELS) else "allow" for _, r in df.iterrows()]
    return pd.DataFrame(
        {"id": [f"item-{i}" for i in range(len(df))], "text": df.text}
        | {lab: df[lab].astype(int) for lab in LABELS}
        | {"action": action, "model_version": PARENT}
    )


def write_jsonl(df: pd.DataFrame, path: Path) -> Path:
    """Rows as JSON lines."""
    path.write_text("".join(json.dumps(r) + "\n" for r in df.to_dict("records")), encoding="utf-8")
    return path


def tree_bytes(directory: Path) -> dict[str, bytes]:
    """Every file's bytes by name, to compare bundles byte for byte."""
    return {p.name: p.read_bytes() for p in sorted(Path(directory).iterdir()) if p.is_file()}

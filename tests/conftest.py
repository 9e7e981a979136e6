"""Shared fixtures: the repository root and the default corpus, generated once per session."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def data_rows(name: str) -> list[dict]:
    """The rows of a hand-written JSONL file under data/ (challenge.jsonl, the holdouts)."""
    lines = (ROOT / "data" / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def default_corpus():
    """The default corpus (60,000 rows, seed 13), generated once for the whole run."""
    from comments.synth import DEFAULT_ROWS, DEFAULT_SEED
    from comments.synth.generate import generate

    return generate(DEFAULT_ROWS, DEFAULT_SEED)

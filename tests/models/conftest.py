"""A tiny bundle, built once per session by the real training code on a small generated corpus."""

from pathlib import Path

import pytest

TINY_BERT = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}


def tiny_config(corpus: Path, out: Path, **overrides):
    """A TrainConfig that trains the tiny random BERT for a few steps."""
    from comments.models.train import TrainConfig

    fields = {
        "corpus": str(corpus),
        "out_dir": str(out),
        "version": "tiny",
        "ship_default": False,
        "tiny_bert": TINY_BERT,
        "seed": 13,  # the tests' own draw, apart from the seed the shipped model is trained with
        "max_train_rows": 200,
        "epochs": 1,
        "batch_size": 16,
        "lr": 1e-3,
        "eval_every": 5,
        "eval_rows": 100,
        "parity_rows": 300,
        "benchmark_rows": 50,
        "baseline_max_features": 5000,
        "checkpoint_dir": str(out / "checkpoints"),
    } | overrides
    return TrainConfig(**fields)


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    """400 generated rows written as corpus.parquet."""
    from comments.synth.generate import generate, write_corpus

    return write_corpus(generate(400, 3), tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def tiny_bundle(tiny_corpus, tmp_path_factory) -> Path:
    """A complete bundle directory trained, exported and quantised by `run_training`."""
    from comments.models.build import run_training

    return run_training(tiny_config(tiny_corpus, tmp_path_factory.mktemp("models")))

"""The systems the benchmark compares, each built the way a user would build it.

`build(name)` returns a function `score(texts) -> None`; building is part of
the cold start the benchmark reports.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

MODEL_DIR = Path("models/default")


def _rules() -> Callable[[list[str]], None]:
    """Normalise, rules, identity signals and (behind a cue) NER: the rules half on its own."""
    from comments.signals.registry import RuleEngine

    engine = RuleEngine()
    return engine.analyze_batch


def _normalize() -> Callable[[list[str]], None]:
    """Normalisation alone: the floor under every system, measured as the rules' peer."""
    from comments.normalize import normalize

    return lambda texts: [normalize(t) for t in texts]


def _baseline() -> Callable[[list[str]], None]:
    from comments.models.bundle import load_bundle
    from comments.normalize import normalize

    bundle = load_bundle(MODEL_DIR)
    return lambda texts: bundle.baseline.predict_proba([normalize(t).text for t in texts])


def _transformer_onnx() -> Callable[[list[str]], None]:
    from comments.models.bundle import load_bundle
    from comments.normalize import normalize

    bundle = load_bundle(MODEL_DIR)
    return lambda texts: bundle.transformer.predict([normalize(t).text for t in texts])


def _fused() -> Callable[[list[str]], None]:
    from comments import load_pipeline

    pipeline = load_pipeline(MODEL_DIR)
    return pipeline.score_batch


def _hf_pipeline() -> Callable[[list[str]], None]:
    """The transformers text-classification pipeline on torch: the installed MiniLM (sha256 checked)
    with a fresh 3-label head, the shipped transformer's architecture and cost. Its fine-tuned torch
    weights are not shipped (too large) and speed does not depend on the weights' values, so this
    measures the same work on any machine, with or without a `make train` behind it."""
    import torch
    from transformers import BertForSequenceClassification, pipeline
    from transformers.utils import logging as hf_logging

    from comments.labels import LABELS
    from comments.models.train import TrainConfig, base_model_dir

    hf_logging.set_verbosity_error()  # "newly initialized" head: intended
    torch.set_num_threads(2)
    torch.manual_seed(0)
    minilm = base_model_dir(TrainConfig())
    model = BertForSequenceClassification.from_pretrained(minilm, num_labels=len(LABELS))
    clf = pipeline("text-classification", model=model, tokenizer=str(minilm), top_k=None, device="cpu")
    return lambda texts: clf(texts, batch_size=64, truncation=True, max_length=128)


SYSTEMS: dict[str, Callable[[], Callable[[list[str]], None]]] = {
    "fused": _fused,
    "rules_only": _rules,
    "normalize": _normalize,
    "baseline": _baseline,
    "transformer_onnx": _transformer_onnx,
    "hf_pipeline": _hf_pipeline,
}

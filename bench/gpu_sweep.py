"""Fine-tuning sweep on a lent GPU: how much do more data, epochs and unfrozen embeddings buy?

The shipped default is trained on CPU by `comments train` (25-minute budget). This sweep answers whether
the gap to the targets is compute (more steps would close it) or data (it would not). Two steps:

    python -m bench.gpu_sweep prepare            # here: normalised splits + MiniLM weights -> .gpu/
    python bench/gpu_sweep.py run .gpu OUT_DIR   # on the GPU machine: torch, transformers, tokenizers only

`SWEEP_CONFIGS` (names, comma-separated) picks configurations and `SWEEP_ROWS` another corpus prepared
beside the first (`rows_<name>.parquet`); each corpus's results go to `OUT_DIR/sweep-<rows>.json`.
The run side imports nothing from `comments` (the GPU machine has none of its dependencies).

`prepare` stores the embedding matrix as int8 per row and the rest in fp16 so that the folder fits the
device tool's 64 MiB transfer; every configuration starts from the same weights, so they compare fairly.
Scores are raw sigmoid at 0.5 and at the dev-best threshold per label (no calibration, no ONNX).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

LABELS = ("victim_identification", "promotion", "safety_concern")  # comments.labels.LABELS, not imported
CONFIGS = [  # name, max train rows (0 = all), epochs, lr, freeze embeddings
    ("cpu_default", 0, 2, 8e-5, True),
    ("epochs4", 0, 4, 8e-5, True),
    ("epochs4_unfrozen_lr5e-5", 0, 4, 5e-5, False),
    ("epochs6_lr5e-5", 0, 6, 5e-5, True),
    ("rows10k_epochs2", 10_000, 2, 8e-5, True),
]


def prepare(out: Path = Path(".gpu")) -> None:
    """Write normalised train/dev/test/challenge rows and compact MiniLM weights to `out`."""
    import pandas as pd
    import torch
    from safetensors.torch import load_file, save_file

    from comments.models.data import load_labelled, normalise_texts
    from comments.models.train import TrainConfig, base_model_dir

    out.mkdir(exist_ok=True)
    cfg = TrainConfig()
    df = load_labelled(Path(cfg.corpus))
    ch = load_labelled(Path(cfg.challenge)).assign(split="challenge")
    rows = pd.concat([df[["text", "split", *LABELS]], ch[["text", "split", *LABELS]]], ignore_index=True)
    rows["text"] = normalise_texts(rows["text"].tolist())
    rows.to_parquet(out / "rows.parquet", index=False)
    d = base_model_dir(cfg)
    for name in ("config.json", "tokenizer.json"):
        (out / name).write_bytes((d / name).read_bytes())
    packed = {}
    for key, value in load_file(d / "model.safetensors").items():
        if key.endswith("word_embeddings.weight"):
            scale = value.abs().amax(dim=1, keepdim=True).clamp(min=1e-8) / 127
            packed[key + ".q"] = torch.round(value / scale).to(torch.int8)
            packed[key + ".scale"] = scale.to(torch.float32)
        else:
            packed[key] = value.to(torch.float16)
    save_file(packed, out / "weights.safetensors")
    print(f"wrote {out}: {len(rows)} rows")


def _f1(y: np.ndarray, s: np.ndarray, t: float) -> float:
    p = s >= t
    tp, fp, fn = (p & (y == 1)).sum(), (p & (y == 0)).sum(), (~p & (y == 1)).sum()
    return float(2 * tp / max(1, 2 * tp + fp + fn))


def run(src: Path, out: Path) -> None:
    """Fine-tune each configuration (`SWEEP_CONFIGS`, default all) on `SWEEP_ROWS`; write `out/sweep-<rows>.json`."""
    import pandas as pd
    import torch
    from safetensors.torch import load_file
    from tokenizers import Tokenizer
    from transformers import BertConfig, BertForSequenceClassification

    dev = torch.device("cuda")
    rows_file = os.environ.get("SWEEP_ROWS", "rows.parquet")  # another corpus prepared beside it
    names = os.environ.get("SWEEP_CONFIGS", ",".join(c[0] for c in CONFIGS)).split(",")
    rows = pd.read_parquet(src / rows_file)
    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.enable_truncation(max_length=128)
    tok.enable_padding(pad_id=tok.token_to_id("[PAD]") or 0, pad_token="[PAD]")
    packed = load_file(src / "weights.safetensors")
    state = {}
    for key, value in packed.items():
        if key.endswith(".q"):
            state[key[:-2]] = value.float() * packed[key[:-2] + ".scale"]
        elif not key.endswith(".scale"):
            state[key] = value.float()
    split = {s: rows[rows.split == s] for s in ("train", "dev", "test", "challenge")}
    ys = {s: part[list(LABELS)].to_numpy(dtype=np.float32) for s, part in split.items()}
    texts = {s: part.text.tolist() for s, part in split.items()}

    def encode(batch):
        encs = tok.encode_batch(batch)
        return {
            "input_ids": torch.tensor([e.ids for e in encs], device=dev),
            "attention_mask": torch.tensor([e.attention_mask for e in encs], device=dev),
            "token_type_ids": torch.tensor([e.type_ids for e in encs], device=dev),
        }

    def predict(model, batch_texts):
        model.eval()
        scores = []
        with torch.inference_mode():
            for i in range(0, len(batch_texts), 256):
                scores.append(torch.sigmoid(model(**encode(batch_texts[i : i + 256])).logits).float().cpu().numpy())
        return np.concatenate(scores)

    results = []
    for name, max_rows, epochs, lr, freeze in [c for c in CONFIGS if c[0] in names]:
        torch.manual_seed(13)
        rng = np.random.default_rng(13)
        config = BertConfig.from_json_file(str(src / "config.json"))
        config.num_labels = 3
        model = BertForSequenceClassification(config)
        missing = model.bert.load_state_dict(state, strict=False)
        model.to(dev)
        if freeze:
            for p in model.bert.embeddings.parameters():
                p.requires_grad = False
        pick = rng.permutation(len(texts["train"]))
        if max_rows:
            pick = pick[:max_rows]
        tr_texts, tr_y = [texts["train"][i] for i in pick], ys["train"][pick]
        pos = tr_y.sum(axis=0)
        pos_weight = torch.tensor(np.clip((len(tr_y) - pos) / np.maximum(pos, 1), 1.0, 10.0), device=dev)
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
        steps = -(-len(tr_texts) // 32) * epochs
        warm = max(1, int(steps * 0.06))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s, n=steps, w=warm: min((s + 1) / w, max(0.0, (n - s) / (n - w)))
        )
        started, history, best_dev, best_state = time.perf_counter(), [], -1.0, None
        for epoch in range(epochs):
            order = rng.permutation(len(tr_texts))
            for i in range(0, len(order), 32):
                idx = order[i : i + 32]
                model.train()
                logits = model(**encode([tr_texts[j] for j in idx])).logits
                loss = loss_fn(logits, torch.from_numpy(tr_y[idx]).to(dev))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                sched.step()
                opt.zero_grad()
            dev_scores = predict(model, texts["dev"])
            dev_f1 = float(np.mean([_f1(ys["dev"][:, j], dev_scores[:, j], 0.5) for j in range(3)]))
            history.append({"epoch": epoch + 1, "dev_macro_f1": round(dev_f1, 4)})
            if dev_f1 > best_dev:
                best_dev, best_state = dev_f1, {k: v.detach().clone() for k, v in model.state_dict().items()}
        model.load_state_dict(best_state)
        dev_scores = predict(model, texts["dev"])
        grid = np.linspace(0.05, 0.95, 19)
        tuned = [float(grid[np.argmax([_f1(ys["dev"][:, j], dev_scores[:, j], t) for t in grid])]) for j in range(3)]
        result = {
            "name": name,
            "train_rows": len(tr_texts),
            "epochs": epochs,
            "lr": lr,
            "freeze_embeddings": freeze,
            "seconds": round(time.perf_counter() - started, 1),
            "history": history,
            "unexpected_keys": len(missing.unexpected_keys),
            "dev_tuned_thresholds": tuned,
        }
        for s in ("dev", "test", "challenge"):
            sc = predict(model, texts[s])
            at_half = [round(_f1(ys[s][:, j], sc[:, j], 0.5), 4) for j in range(3)]
            at_tuned = [round(_f1(ys[s][:, j], sc[:, j], tuned[j]), 4) for j in range(3)]
            result[s] = {
                "f1_at_0.5": dict(zip(LABELS, at_half, strict=True)),
                "macro_at_0.5": round(float(np.mean(at_half)), 4),
                "f1_at_dev_tuned": dict(zip(LABELS, at_tuned, strict=True)),
                "macro_at_dev_tuned": round(float(np.mean(at_tuned)), 4),
            }
        print(json.dumps(result), flush=True)
        results.append(result)
        (out / f"sweep-{Path(rows_file).stem}.json").write_text(
            json.dumps({"device": torch.cuda.get_device_name(), "rows": rows_file, "results": results}, indent=2)
        )


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare()
    else:
        run(Path(sys.argv[2]), Path(sys.argv[3]))

"""`comments train` end to end: data, baseline, fine-tuning, export, calibration, thresholds, card, manifest.

Imports torch only through `train` and `export`, inside `run_training`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from comments.errors import ModelLoadError
from comments.gloss import glossaries_sha256
from comments.labels import LABELS
from comments.models import bundle
from comments.models.baseline import TfidfBaseline
from comments.models.calibrate import Calibrator, choose_thresholds
from comments.models.data import NORMALISER, label_matrix, load_labelled, normalise_texts
from comments.models.evaluate import error_breakdown, label_metrics

log = logging.getLogger(__name__)


def _split(df, name: str):
    part = df[df["split"] == name]
    return normalise_texts(part["text"].tolist()), label_matrix(part), part


def run_training(cfg, data=None, finetune_rows=None) -> Path:
    """Train, export and write the bundle to `<out_dir>/<version>/` (and `<out_dir>/default/` if `ship_default`).

    `data` replaces the corpus file's rows and `finetune_rows` (positions in its train split) the
    subsample (`train.pick_rows`) the transformer is fine-tuned on; `comments retrain` passes both.
    """
    import torch

    from comments.models import export, qat, train
    from comments.models.onnx_runtime import OnnxTransformer

    train.check_inputs(cfg)
    clock = {"started": time.perf_counter()}
    train.seed_everything(cfg.seed)
    torch.set_num_threads(cfg.threads)
    version = train.version_name(cfg)
    df = load_labelled(Path(cfg.corpus)) if data is None else data
    tr_texts, tr_y, tr_df = _split(df, "train")
    dev_texts, dev_y, dev_df = _split(df, "dev")
    te_texts, te_y, te_df = _split(df, "test")
    log.info("corpus: %d train, %d dev, %d test rows", len(tr_texts), len(dev_texts), len(te_texts))

    baseline = TfidfBaseline(max_features=cfg.baseline_max_features, seed=cfg.seed).fit(tr_texts, tr_y)
    clock["baseline_s"] = time.perf_counter() - clock["started"]

    pick, dev_pick = train.pick_rows(tr_y, len(dev_texts), cfg)
    if finetune_rows is not None:
        pick = np.sort(np.asarray(finetune_rows, dtype=np.int64))
    tok_path = train.tokenizer_path(cfg)
    tokenizer = train.tokenizer_for(tok_path, cfg)
    t0 = time.perf_counter()
    if cfg.finetuned:
        model, history = train.load_checkpoint(Path(cfg.finetuned))
    else:
        model, history = train.fine_tune(
            train.build_model(cfg),
            tokenizer,
            [tr_texts[i] for i in pick],
            tr_y[pick],
            [dev_texts[i] for i in dev_pick],
            dev_y[dev_pick],
            cfg,
        )
        train.save_checkpoint(model, history, Path(cfg.checkpoint_dir) / version)
    clock["fine_tune_s"] = time.perf_counter() - t0

    out = Path(cfg.out_dir) / version
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = export.export_onnx(model, tokenizer, Path(tmp) / "fp32.onnx")
        heads, hidden = model.config.num_attention_heads, model.config.hidden_size
        export.quantize(fp32, out / bundle.MODEL, heads, hidden)
        shutil.copyfile(tok_path, out / bundle.TOKENIZER)
        int8 = OnnxTransformer(out / bundle.MODEL, out / bundle.TOKENIZER, cfg.max_length, threads=cfg.threads)
        fp32_model = OnnxTransformer(fp32, out / bundle.TOKENIZER, cfg.max_length, threads=cfg.threads)
        parity_texts = (te_texts + dev_texts)[: cfg.parity_rows]
        torch_scores = train.torch_predict(model, tokenizer, parity_texts)  # with the int8 rounding (`qat`)
        with qat.plain(model):
            plain_scores = train.torch_predict(model, tokenizer, parity_texts)
        int8_scores = int8.predict(parity_texts)
        parity = {
            "int8": export.parity(torch_scores, int8_scores),
            "fp32": export.parity(plain_scores, fp32_model.predict(parity_texts)),
            "int8_vs_unrounded_torch": export.parity(plain_scores, int8_scores),
        }
    try:
        export.check_parity(parity[cfg.parity_on], cfg.parity_max_diff, cfg.parity_max_flip, f"{cfg.parity_on} ONNX")
    except ModelLoadError:
        shutil.rmtree(out)  # no half-written bundle stays behind
        raise
    bench_texts = (te_texts + dev_texts)[: cfg.benchmark_rows]
    speed = export.benchmark(model, tokenizer, int8, bench_texts)
    # The torch model against itself in float64 (the last use of `model`): how far fp32 arithmetic alone
    # moves a score, the floor under any export's largest difference (the card's int8 section).
    exact = train.torch_predict(model.double(), tokenizer, parity_texts)
    parity["torch_fp32_vs_fp64"] = export.parity(torch_scores, exact)
    parity["int8_vs_torch_fp64"] = export.parity(exact, int8_scores)
    log.info("parity %s; speed %s", parity, speed)

    dev_raw = int8.predict(dev_texts)
    calibrator = Calibrator(cfg.calibration).fit(dev_raw, dev_y)
    thresholds, notes = choose_thresholds(calibrator.transform(dev_raw), dev_y, cfg.remove_precision, cfg.review_recall)
    # Decisions at the chosen thresholds, torch vs int8, on the parity rows.
    cal_t, cal_o = calibrator.transform(torch_scores), calibrator.transform(int8_scores)
    parity["int8_at_thresholds_flip_rate"] = float(
        np.mean(
            [
                ((cal_t[:, j] >= thresholds[lab][a]) != (cal_o[:, j] >= thresholds[lab][a])).mean()
                for j, lab in enumerate(LABELS)
                for a in ("review", "remove")
            ]
        )
    )

    metrics = {
        "version": version,
        "dev": label_metrics(dev_y, calibrator.transform(dev_raw), thresholds, dev_df.family),
    }
    te_scores = calibrator.transform(int8.predict(te_texts))
    metrics["test_unseen_families"] = label_metrics(te_y, te_scores, thresholds, te_df.family)
    metrics["errors_test_by_family"] = error_breakdown(te_df, te_y, te_scores, "family")
    metrics["by_language"] = {"test_unseen_families": _by_language(te_df, te_y, te_scores)}
    metrics["baseline_test_unseen_families"] = label_metrics(
        te_y, baseline.predict_proba(te_texts), thresholds, te_df.family
    )
    if Path(cfg.challenge).exists():
        ch = load_labelled(Path(cfg.challenge))
        ch_texts, ch_y = normalise_texts(ch["text"].tolist()), label_matrix(ch)
        ch_scores = calibrator.transform(int8.predict(ch_texts))
        metrics["challenge"] = label_metrics(ch_y, ch_scores, thresholds)
        metrics["errors_challenge_by_kind"] = error_breakdown(ch, ch_y, ch_scores, "kind")
        metrics["by_language"]["challenge"] = _by_language(ch, ch_y, ch_scores)
        metrics["baseline_challenge"] = label_metrics(ch_y, baseline.predict_proba(ch_texts), thresholds)
    clock["total_s"] = time.perf_counter() - clock["started"]
    metrics |= {
        "thresholds": thresholds,
        "threshold_notes": notes,
        "parity": parity,
        "int8_aware": bool(getattr(model.config, "int8_aware", False)),  # fine-tuned under `qat`'s rounding
        "benchmark": speed,
        "history": history,
        "timing_s": {k: round(v, 1) for k, v in clock.items() if k != "started"},
        "train_rows_used": len(pick),
        "train_rows_available": len(tr_texts),
        "train_positives_used": int(tr_y[pick].any(axis=1).sum()),
        "train_positives_available": int(tr_y.any(axis=1).sum()),
        "families": {s: int(df[df.split == s].family.nunique()) for s in ("train", "dev", "test")},
        "normaliser": NORMALISER,
        "config": dataclasses.asdict(cfg),
        "machine": {
            "cpu_threads": cfg.threads,
            "platform": platform.platform(),
            "torch": torch.__version__,
            "int8_instructions": export.int8_instructions(),
            "int8_products_exact": export.int8_products_exact(),
        },
    }
    baseline.save(out / bundle.BASELINE)
    calibrator.save(out / bundle.CALIBRATION)
    (out / bundle.THRESHOLDS).write_text(json.dumps(thresholds, indent=2) + "\n", encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    from comments.models.card import render_card

    (out / "MODEL_CARD.md").write_text(render_card(metrics), encoding="utf-8")
    bundle.write_manifest(
        out,
        version,
        {
            "max_length": cfg.max_length,
            "base_model": "all-MiniLM-L6-v2" if cfg.tiny_bert is None else "tiny random BERT (test)",
            "normaliser": NORMALISER,
            "glossaries": glossaries_sha256(),
        },
    )
    bundle.load_bundle(out)  # the bundle must load before it is shipped
    if cfg.ship_default:
        default = Path(cfg.out_dir) / "default"
        if default.exists():
            shutil.rmtree(default)
        shutil.copytree(out, default)
    return out


def _by_language(df, y: np.ndarray, scores: np.ndarray) -> list[dict]:
    """F1 per label at calibrated 0.5, by language group (see `quality.by_language`)."""
    from comments.quality import by_language, languages

    table = by_language(languages(df), y == 1, {"transformer": scores >= 0.5})
    return table.astype(object).where(table.notna(), None).to_dict("records")  # NaN -> null in metrics.json

import numpy as np

from comments.models import export, train
from comments.models.data import label_matrix, load_labelled, normalise_texts
from comments.models.onnx_runtime import OnnxTransformer
from tests.models.conftest import tiny_config


def test_when_tiny_model_is_exported_then_onnx_and_int8_match_torch(tiny_corpus, tmp_path):
    cfg = tiny_config(tiny_corpus, tmp_path, max_train_rows=160, eval_every=1000)
    train.seed_everything(cfg.seed)
    df = load_labelled(tiny_corpus)
    texts, y = normalise_texts(df["text"].tolist()), label_matrix(df)
    model, tok_path = train.build_model(cfg)
    tokenizer = train.tokenizer_for(tok_path, cfg)
    model, _ = train.fine_tune(model, tokenizer, texts[:160], y[:160], texts[160:200], y[160:200], cfg)
    fp32 = export.export_onnx(model, tokenizer, tmp_path / "fp32.onnx")
    int8 = export.quantize(fp32, tmp_path / "int8.onnx", num_heads=2, hidden_size=32)
    reference = train.torch_predict(model, tokenizer, texts)
    # The tiny model's scores sit near 0.5, where a diff within 0.02 may flip a decision; flips are
    # only allowed there (the real model's 0.5 % bound is measured at export, see the model card).
    near = (np.abs(reference - 0.5) <= 0.02).mean()
    for path in (fp32, int8):
        result = export.parity(reference, OnnxTransformer(path, tok_path).predict(texts))
        assert result["max_abs_diff"] <= 0.02, (path.name, result)
        assert result["flip_rate"] <= max(0.005, near), (path.name, result)
    assert int8.stat().st_size < fp32.stat().st_size


def test_when_batches_are_built_then_every_row_appears_once():
    lengths = list(np.random.default_rng(0).integers(3, 60, size=333))
    batches = train._train_batches(lengths, 16, np.random.default_rng(1))
    assert sorted(np.concatenate(batches).tolist()) == list(range(333))

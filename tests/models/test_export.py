import numpy as np
import pytest

from comments.models import export, qat, train
from comments.models.data import label_matrix, load_labelled, normalise_texts
from comments.models.onnx_runtime import OnnxTransformer
from tests.models.conftest import tiny_config


def test_when_tiny_model_is_exported_then_onnx_and_int8_match_torch(tiny_corpus, tmp_path):
    import onnx

    cfg = tiny_config(tiny_corpus, tmp_path, max_train_rows=160, eval_every=1000)
    train.seed_everything(cfg.seed)
    df = load_labelled(tiny_corpus)
    texts, y = normalise_texts(df["text"].tolist()), label_matrix(df)
    model, tok_path = train.build_model(cfg), train.tokenizer_path(cfg)
    tokenizer = train.tokenizer_for(tok_path, cfg)
    model, _ = train.fine_tune(model, tokenizer, texts[:160], y[:160], texts[160:200], y[160:200], cfg)
    scoring = model.config._attn_implementation
    fp32 = export.export_onnx(model, tokenizer, tmp_path / "fp32.onnx")
    int8 = export.quantize(fp32, tmp_path / "int8.onnx", 2, 32)
    reference = train.torch_predict(model, tokenizer, texts)  # with the export's int8 rounding (`qat`)
    with qat.plain(model):
        unrounded = train.torch_predict(model, tokenizer, texts)
    # int8 ONNX scores what the torch model scores, fp32 ONNX what it scores without the rounding
    int8_scores = OnnxTransformer(int8, tok_path).predict(texts)
    for ref, scores in ((reference, int8_scores), (unrounded, OnnxTransformer(fp32, tok_path).predict(texts))):
        result = export.parity(ref, scores)
        assert result["max_abs_diff"] <= 1e-3 and result["flip_rate"] <= (np.abs(ref - 0.5) <= 1e-3).mean(), result
    # ... and the rounding is there to mimic: without it torch and int8 part several times as far (5.5x
    # on this draw of the tiny corpus, 10x on the draw before its comments' full stops were redrawn)
    gap = export.parity(reference, int8_scores)["max_abs_diff"]
    assert export.parity(unrounded, int8_scores)["max_abs_diff"] > 3 * gap
    assert int8.stat().st_size < fp32.stat().st_size
    assert _int8_weights_within_bound(int8)
    # One fused, quantised attention op per layer, layer norms unfused (`onnx_runtime.SLOW_FUSIONS`);
    # the torch model keeps the attention it scores with.
    ops = [n.op_type for n in onnx.load(str(int8)).graph.node]
    assert ops.count("QAttention") == cfg.tiny_bert["num_hidden_layers"], sorted(set(ops))
    assert "SkipLayerNormalization" not in ops and "LayerNormalization" in ops, sorted(set(ops))
    assert model.config._attn_implementation == scoring != "eager"


def test_when_batches_are_built_then_every_row_appears_once():
    lengths = list(np.random.default_rng(0).integers(3, 60, size=333))
    batches = train._train_batches(lengths, 16, np.random.default_rng(1))
    assert sorted(np.concatenate(batches).tolist()) == list(range(333))


def test_when_averaged_weights_are_swapped_in_then_they_are_used_inside_and_restored_after():
    import pytest
    import torch

    params = [torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.zeros(2))]
    averaged = [torch.full((3,), 5.0), torch.full((2,), -1.0)]
    with pytest.raises(RuntimeError), train._weights(params, averaged):
        assert params[0].tolist() == [5.0] * 3 and params[1].tolist() == [-1.0] * 2
        raise RuntimeError("a failing dev check")
    assert params[0].tolist() == [1.0] * 3 and params[1].tolist() == [0.0] * 2


def test_when_weights_are_averaged_then_each_step_counts_by_its_decayed_weight_from_the_first_update():
    import torch

    param = torch.nn.Parameter(torch.zeros(2))
    average = train.WeightAverage([param], 0.5)
    for value in (1.0, 3.0):
        with torch.no_grad():
            param.fill_(value)
        average.update()
    # 0.5 * 1 + 1 * 3, over 0.5 + 1: the starting zeros carry no weight
    assert np.allclose(average.value()[0].numpy(), [7 / 3, 7 / 3])
    assert param.tolist() == [3.0, 3.0]


def test_when_weights_are_averaged_then_fine_tune_keeps_the_average(tiny_corpus, tmp_path):
    df = load_labelled(tiny_corpus)
    texts, y = normalise_texts(df["text"].tolist()), label_matrix(df)

    def tuned(decay: float) -> list:
        cfg = tiny_config(tiny_corpus, tmp_path, max_train_rows=96, eval_every=1000, ema_decay=decay)
        train.seed_everything(cfg.seed)
        model = train.build_model(cfg)
        tokenizer = train.tokenizer_for(train.tokenizer_path(cfg), cfg)
        model, _ = train.fine_tune(model, tokenizer, texts[:96], y[:96], texts[96:136], y[96:136], cfg)
        return [p.detach().clone() for p in model.parameters()]

    cfg = tiny_config(tiny_corpus, tmp_path)
    train.seed_everything(cfg.seed)
    start = [p.detach().clone() for p in train.build_model(cfg).parameters()]
    last, barely_averaged, averaged = tuned(0.0), tuned(1e-12), tuned(0.9)
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(last, barely_averaged, strict=True))
    assert not all(np.allclose(a, b, atol=1e-4) for a, b in zip(last, averaged, strict=True))
    assert not all(np.allclose(a, b, atol=1e-4) for a, b in zip(start, averaged, strict=True))
    assert all(np.isfinite(a).all() for a in averaged)


def test_when_ema_decay_is_one_or_negative_then_training_is_refused(tiny_corpus, tmp_path):
    import pytest

    from comments.errors import BadInputError

    for decay in (1.0, -0.1):
        with pytest.raises(BadInputError, match="ema_decay"):
            train.check_inputs(tiny_config(tiny_corpus, tmp_path, ema_decay=decay))


def test_when_the_device_is_unknown_then_training_is_refused(tiny_corpus, tmp_path):
    import pytest

    from comments.errors import BadInputError

    with pytest.raises(BadInputError, match="device must be cpu or cuda"):
        train.check_inputs(tiny_config(tiny_corpus, tmp_path, device="gpu0"))


def test_when_rows_are_picked_then_the_seed_fixes_them_the_caps_hold_and_the_cut_falls_on_negatives():
    y = np.zeros((200, 3), dtype=np.int8)
    y[::5, 1] = 1  # 40 positives
    cfg = train.TrainConfig(max_train_rows=50, eval_rows=20, seed=3)
    pick, dev_pick = train.pick_rows(y, 100, cfg)
    assert len(pick) == 50 and len(dev_pick) == 20
    assert (np.diff(pick) > 0).all() and pick.max() < 200 and dev_pick.max() < 100
    assert set(np.flatnonzero(y.any(axis=1))) <= set(pick)  # every positive, 10 random negatives
    again = train.pick_rows(y, 100, cfg)
    assert (again[0] == pick).all() and (again[1] == dev_pick).all()
    assert not (train.pick_rows(y, 100, train.TrainConfig(max_train_rows=50, eval_rows=20, seed=4))[0] == pick).all()
    assert len(train.pick_rows(y, 100, train.TrainConfig(max_train_rows=30, eval_rows=20, seed=3))[0]) == 30


def test_int8_products_of_the_exported_weight_range_are_exact_on_any_cpu():
    # 255 x 64 x 2 fits in 16 bits, so even a CPU that adds pairs of products in 16 bits is exact.
    assert export.WEIGHT_MAX == 64 and export.int8_products_exact() is True


def test_int8_products_of_full_range_weights_saturate_on_an_x86_cpu_with_avx2_only():
    if export.int8_instructions() != ["avx2"]:
        pytest.skip("only an x86 CPU with AVX2 and neither VNNI nor AMX adds int8 products in 16 bits")
    assert export.int8_products_exact(127) is False


def test_when_the_int8_probe_cannot_run_then_it_says_none_instead_of_stopping_training(monkeypatch):
    def broken(weight_max):
        raise RuntimeError("Unsupported model IR version")

    monkeypatch.setattr(export, "_product_probe", broken)
    assert export.int8_products_exact() is None


def _int8_weights_within_bound(path) -> int:
    """Asserts an int8 model's weights are within ±WEIGHT_MAX; returns its number of int8 weight tensors."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    weights = [numpy_helper.to_array(w) for w in model.graph.initializer if w.data_type == onnx.TensorProto.INT8]
    assert weights and max(int(np.abs(w.astype(int)).max()) for w in weights) <= export.WEIGHT_MAX
    return len(weights)


def test_the_shipped_model_keeps_its_int8_weights_within_the_bound_that_cannot_saturate():
    # six layers of Q, K, V, output and two feed-forward MatMuls
    assert _int8_weights_within_bound("models/default/model.onnx") >= 36

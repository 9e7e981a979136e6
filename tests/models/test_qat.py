import numpy as np

from comments.models import qat, train
from comments.models.onnx_runtime import encode
from tests.models.conftest import TINY_BERT, tiny_config

TEXTS = [
    "x",
    "where does she live now, anyone know",
    "great match last night, the keeper was unreal and the crowd never stopped singing",
    "dm me for the set",
]


def _tiny(tiny_corpus, tmp_path):
    cfg = tiny_config(tiny_corpus, tmp_path)
    train.seed_everything(cfg.seed)
    return train.build_model(cfg), train.tokenizer_for(train.tokenizer_path(cfg), cfg)


def test_when_comments_share_a_padded_batch_then_each_scores_as_it_would_alone(tiny_corpus, tmp_path):
    # Serving runs one comment at a time, so padding must not widen a comment's rounding range.
    model, tokenizer = _tiny(tiny_corpus, tmp_path)
    batched = train.torch_predict(model, tokenizer, TEXTS, batch_size=len(TEXTS))
    alone = np.concatenate([train.torch_predict(model, tokenizer, [t]) for t in TEXTS])
    assert np.abs(batched - alone).max() < 1e-6


def test_plain_turns_the_rounding_off_inside_the_block_only(tiny_corpus, tmp_path):
    model, tokenizer = _tiny(tiny_corpus, tmp_path)
    rounded = train.torch_predict(model, tokenizer, TEXTS)
    with qat.plain(model):
        unrounded = train.torch_predict(model, tokenizer, TEXTS)
    assert np.abs(rounded - unrounded).max() > 1e-6
    assert np.array_equal(train.torch_predict(model, tokenizer, TEXTS), rounded)


def test_when_a_model_is_trained_then_gradients_pass_the_rounding_to_every_weight(tiny_corpus, tmp_path):
    import torch

    model, tokenizer = _tiny(tiny_corpus, tmp_path)
    model.train()
    feed = {k: torch.from_numpy(v) for k, v in encode(tokenizer, TEXTS).items()}
    model(**feed).logits.sum().backward()
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert linears and all(m.weight.grad is not None and m.weight.grad.abs().sum() > 0 for m in linears)
    assert model.bert.embeddings.word_embeddings.weight.grad.abs().sum() > 0


def test_when_weights_change_between_scorings_then_scoring_rounds_the_new_weights(tiny_corpus, tmp_path):
    # Scoring without autograd keeps each rounded weight until the weight changes in place, as an
    # optimiser step or the averaged weights of a dev check change it.
    import torch

    model, tokenizer = _tiny(tiny_corpus, tmp_path)
    before = train.torch_predict(model, tokenizer, TEXTS)
    with torch.no_grad():
        model.classifier.weight.mul_(-1)
        model.bert.encoder.layer[0].output.dense.weight.mul_(0.5)
    after = train.torch_predict(model, tokenizer, TEXTS)
    feed = {k: torch.from_numpy(v) for k, v in encode(tokenizer, TEXTS).items()}
    uncached = torch.sigmoid(model(**feed).logits).detach().double().numpy()  # with autograd: rounded afresh
    assert np.abs(after - before).max() > 1e-3
    assert np.abs(after - uncached).max() < 1e-6


def test_when_a_checkpoint_is_saved_and_loaded_then_it_rounds_as_before(tiny_corpus, tmp_path):
    from transformers import BertConfig, BertForSequenceClassification

    model, tokenizer = _tiny(tiny_corpus, tmp_path)
    train.save_checkpoint(model, [], tmp_path / "ckpt")
    loaded, _ = train.load_checkpoint(tmp_path / "ckpt")
    assert loaded.int8_mimic is not None
    assert np.array_equal(train.torch_predict(loaded, tokenizer, TEXTS), train.torch_predict(model, tokenizer, TEXTS))
    # a checkpoint fine-tuned before the rounding was mimicked loads as it was trained: unrounded
    BertForSequenceClassification(BertConfig(num_labels=3, **TINY_BERT)).save_pretrained(tmp_path / "old")
    assert getattr(train.load_checkpoint(tmp_path / "old")[0], "int8_mimic", None) is None


def _onnx_dynamic_uint8(x: np.ndarray) -> np.ndarray:
    """`x` through ONNX Runtime's DynamicQuantizeLinear and back: what the int8 export computes."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [
            helper.make_node("DynamicQuantizeLinear", ["x"], ["q", "scale", "zero"]),
            helper.make_node("DequantizeLinear", ["q", "scale", "zero"], ["y"]),
        ],
        "round",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(x.shape))],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def test_rounded_activations_equal_onnx_runtimes_bit_for_bit_and_pass_gradients_unchanged():
    import torch

    rng = np.random.default_rng(0)
    for x in (rng.normal(0, 3, (1, 7, 384)), rng.uniform(0.5, 4, (1, 5, 64)), rng.normal(-2, 1, (1, 1536))):
        x = torch.tensor(x, dtype=torch.float32, requires_grad=True)
        rounded = qat._activation(x, None)
        assert np.array_equal(rounded.detach().numpy(), _onnx_dynamic_uint8(x.detach().numpy()))
        rounded.mul(torch.arange(x.numel(), dtype=torch.float32).view(x.shape)).sum().backward()
        assert np.array_equal(x.grad.numpy().ravel(), np.arange(x.numel(), dtype=np.float32))


def test_a_comments_rounding_range_leaves_out_its_padding():
    import torch

    x = torch.tensor([[[1.0, -2.0], [3.0, 0.5], [90.0, -90.0]]])  # the last token is padding
    rounded = qat._activation(x, torch.tensor([[1, 1, 0]]))
    alone = qat._activation(x[:, :2], torch.tensor([[1, 1]]))
    assert torch.equal(rounded[:, :2], alone)
    assert np.array_equal(alone.numpy(), _onnx_dynamic_uint8(x[:, :2].numpy()))

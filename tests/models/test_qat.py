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

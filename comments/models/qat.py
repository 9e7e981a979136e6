"""Quantisation-aware fine-tuning: the torch model computes what its int8 ONNX export will compute.

ONNX Runtime's dynamic int8 (`export.quantize_int8`) rounds four things: each weight MatMul's
weights (per output column, symmetric, within ±64), its input (uint8, one scale per run, which is
one comment in serving), and the embedding tables and the embedding layer norm's weights (uint8,
one scale per tensor). `attach` makes a BERT classifier round the same numbers the same way in
its own forward pass, passing gradients straight through the rounding (fake quantisation, as in
Q8BERT, Zafrir et al. 2019). Fine-tuning then learns weights that work after the rounding, and the
exported int8 model scores what the torch model scores, up to the last bit of fp32 arithmetic
between roundings, which a few comments amplify: on the 1,000 parity rows a mean score difference
of 0.0003 and no flipped decision, against 0.0037 and 0.27 % before (models/RELEASES.md).

Imports torch inside functions only, like `train`.
"""

from __future__ import annotations

import contextlib
import functools
import types

from comments.models.export import WEIGHT_MAX


class Int8Mimic:
    """What `attach` leaves on a model: the switch and the current batch's attention mask."""

    def __init__(self) -> None:
        self.enabled = True
        self.mask = None  # (batch, tokens): padding is no part of a comment's range
        self.kept: dict = {}  # id(tensor) -> (its data pointer and version, what was computed from it)

    def kept_for(self, w, compute):
        """`compute(w)`, computed again only once `w` changes in place or moves (its data pointer and
        version): the embedding tables' ranges (the tables are mostly frozen) and, while no gradient is
        taken (dev checks, parity), the rounded Linear weights, whose rounding for every batch took a
        tenth of a dev check on an Intel Xeon with AMX."""
        version = (w.data_ptr(), w._version)
        cached = self.kept.get(id(w))
        if cached is None or cached[0] != version:
            cached = (version, compute(w))
            self.kept[id(w)] = cached
        return cached[1]


def attach(model) -> None:
    """Make `model` (a `BertForSequenceClassification`) compute as its int8 export; idempotent."""
    import torch

    if getattr(model, "int8_mimic", None) is not None:
        return
    mimic = Int8Mimic()
    model.int8_mimic = mimic
    model.config.int8_aware = True  # saved with the checkpoint: `train.load_checkpoint` attaches again

    def keep_mask(module, args, kwargs):
        mimic.mask = kwargs.get("attention_mask")

    model.bert.register_forward_pre_hook(keep_mask, with_kwargs=True)  # heads that call `bert` directly too
    embeddings = model.bert.embeddings
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            module.forward = types.MethodType(_linear(mimic), module)
        elif isinstance(module, torch.nn.Embedding):
            module.forward = types.MethodType(_embedding(mimic), module)
    embeddings.LayerNorm.forward = types.MethodType(_layer_norm(mimic), embeddings.LayerNorm)


@contextlib.contextmanager
def plain(model):
    """Run the block with `model` in plain fp32 (export traces the unrounded graph), if it mimics int8."""
    mimic = getattr(model, "int8_mimic", None)
    if mimic is None:
        yield
        return
    before, mimic.enabled = mimic.enabled, False
    try:
        yield
    finally:
        mimic.enabled = before


def _uint8(x, lo, hi):
    """`x` rounded to 256 levels spanning [min(lo, 0), max(hi, 0)], as ONNX's DynamicQuantizeLinear;
    the gradient passes straight through."""
    import torch

    with torch.no_grad():
        lo, hi = lo.clamp(max=0), hi.clamp(min=0)
        scale = _step(hi - lo, 255)
        zero = torch.clamp(torch.round(-lo / scale), 0, 255)
        rounded = (x / scale).round_().add_(zero).clamp_(0, 255).sub_(zero).mul_(scale)
    return _straight_through().apply(x, rounded)


def _step(spread, levels: int):
    """`spread / levels`, one rounding step; 1 where the spread is 0 (all zeros round to themselves)."""
    import torch

    step = spread / levels
    return torch.where(step == 0, torch.ones_like(step), step)


@functools.cache
def _straight_through():
    """An autograd function whose value is its second argument and whose gradient goes to its first,
    unchanged: the rounded value, computed under `no_grad`, without autograd recording its arithmetic."""
    import torch

    class StraightThrough(torch.autograd.Function):
        @staticmethod
        def forward(x, rounded):
            return rounded

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    return StraightThrough


def _activation(x, mask):
    """`x` (batch, [tokens,] channels) rounded with one scale per comment, over its real tokens."""
    import torch

    with torch.no_grad():
        if x.dim() == 3 and mask is not None and mask.shape == x.shape[:2]:
            real, big = mask.bool(), torch.finfo(x.dtype).max  # per token, then over its real tokens
            lo = torch.where(real, x.amin(dim=2), big).amin(dim=1)[:, None, None]
            hi = torch.where(real, x.amax(dim=2), -big).amax(dim=1)[:, None, None]
        else:
            dims = tuple(range(1, x.dim()))
            lo, hi = x.amin(dim=dims, keepdim=True), x.amax(dim=dims, keepdim=True)
    return _uint8(x, lo, hi)


def _weight(w):
    """A Linear's weight (out, in) rounded per output row to ±`WEIGHT_MAX` steps of max|row| / `WEIGHT_MAX`."""
    import torch

    with torch.no_grad():
        scale = _step(w.abs().amax(dim=1, keepdim=True), WEIGHT_MAX)
        rounded = (w / scale).round_().clamp_(-WEIGHT_MAX, WEIGHT_MAX).mul_(scale)
    return _straight_through().apply(w, rounded)


def _linear(mimic: Int8Mimic):
    import torch
    from torch.nn import functional

    def forward(self, x):
        if not mimic.enabled:
            return functional.linear(x, self.weight, self.bias)
        w = _weight(self.weight) if torch.is_grad_enabled() else mimic.kept_for(self.weight, _weight)
        return functional.linear(_activation(x, mimic.mask), w, self.bias)

    return forward


def _embedding(mimic: Int8Mimic):
    """Rounding the looked-up rows with the whole table's scale equals looking up the rounded table."""
    from torch.nn import functional

    def forward(self, ids):
        rows = functional.embedding(ids, self.weight, self.padding_idx)
        if not mimic.enabled:
            return rows
        lo, hi = mimic.kept_for(self.weight, lambda w: (w.detach().min(), w.detach().max()))
        return _uint8(rows, lo, hi)

    return forward


def _layer_norm(mimic: Int8Mimic):
    from torch.nn import functional

    def forward(self, x):
        w, b = self.weight, self.bias
        if mimic.enabled:
            w, b = _uint8(w, w.min(), w.max()), _uint8(b, b.min(), b.max())
        return functional.layer_norm(x, self.normalized_shape, w, b, self.eps)

    return forward

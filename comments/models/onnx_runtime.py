"""Serving the transformer: ONNX Runtime and `tokenizers` only (no torch, no transformers)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from comments.errors import ModelLoadError
from comments.gloss import transformer_inputs

MAX_LENGTH = 128
# ONNX Runtime's fused SkipLayerNormalization kernel took a quarter of an int8 comment's time on the CPU
# (about 66 µs a call for 23 tokens, against 17 µs for Add + LayerNormalization): without the fusion,
# here and in `export.fuse`, one comment runs 20-30 % faster, as close to torch as before.
SLOW_FUSIONS = ["SkipLayerNormFusion"]


def load_tokenizer(path: Path, max_length: int = MAX_LENGTH):
    """A `tokenizers.Tokenizer` from `tokenizer.json`, truncating to `max_length` and padding per batch."""
    from tokenizers import Tokenizer

    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception on a bad file
        raise ModelLoadError(f"{path} is not a tokenizer file ({exc}); retrain with `comments train`") from None
    tok.enable_truncation(max_length=max_length)
    tok.enable_padding(pad_id=tok.token_to_id("[PAD]") or 0, pad_token="[PAD]")
    return tok


def encode(tokenizer, texts: list[str]) -> dict[str, np.ndarray]:
    """Token ids, attention mask and type ids as int64 arrays, padded to the longest text, of what the
    transformer reads for `texts`: English as it is, other languages glossed (`comments.gloss`)."""
    encs = tokenizer.encode_batch(transformer_inputs(texts))
    return {
        "input_ids": np.array([e.ids for e in encs], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encs], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encs], dtype=np.int64),
    }


def token_lengths(tokenizer, texts: list[str]) -> list[int]:
    """How many tokens `encode` gives each of `texts` before padding."""
    return [sum(e.attention_mask) for e in tokenizer.encode_batch(transformer_inputs(texts))]


def length_batches(tokenizer, texts: list[str], batch_size: int) -> list[np.ndarray]:
    """Indices of `texts` grouped into batches of similar token length (less padding)."""
    order = np.argsort(token_lengths(tokenizer, texts), kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def _done(fn: Callable, *args) -> Future:
    """`fn(*args)` run here and now, as a finished future."""
    future: Future = Future()
    future.set_result(fn(*args))
    return future


class OnnxTransformer:
    """The fine-tuned MiniLM classifier in ONNX Runtime; `predict` gives raw sigmoid scores (n, 3)."""

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        max_length: int = MAX_LENGTH,
        threads: int | None = None,
        batch_size: int = 1,
    ) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # One thread per run, and runs side by side on `threads` threads (default: the usable cores).
        # For one comment (a few ms) ORT's own threads cost more in hand-offs than they save:
        # two single-threaded runs at once do 1.6x the work of one run on two threads.
        opts.intra_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(
                str(model_path), opts, providers=["CPUExecutionProvider"], disabled_optimizers=SLOW_FUSIONS
            )
        except Exception as exc:  # onnxruntime raises its own unrelated classes
            raise ModelLoadError(
                f"{model_path} cannot be loaded by ONNX Runtime ({type(exc).__name__}); "
                "re-export it with `comments train`"
            ) from None
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.tokenizer = load_tokenizer(tokenizer_path, max_length)
        # One comment per run by default: dynamic int8 quantisation scales activations over the
        # whole batch, so batched scores would depend on a comment's neighbours (and on padding).
        self.batch_size = batch_size
        workers = threads or len(os.sched_getaffinity(0))
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="comments-onnx") if workers > 1 else None

    def _run(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(None, feed)[0]  # releases the GIL

    def submit(self, texts: list[str]) -> Callable[[], np.ndarray]:
        """Start scoring `texts` on the worker threads and return at once; calling the returned
        function waits for the raw sigmoid scores (n, 3), in input order. Lets the caller do
        other work (the next comments' rules) while ONNX Runtime, which releases the GIL, runs.
        Tokenising happens here, so the threads need the GIL only to start and end a run
        (3,110 -> about 3,300 comments/s on the benchmark mix)."""
        if self.batch_size > 1:
            batches = length_batches(self.tokenizer, texts, self.batch_size)
        else:
            batches = [np.array([i]) for i in range(len(texts))]
        feeds = [
            {k: v for k, v in encode(self.tokenizer, [texts[i] for i in idx]).items() if k in self.inputs}
            for idx in batches
        ]
        # A lone run goes inline: a hand-off to a thread would cost more than it overlaps.
        start = self.pool.submit if self.pool is not None and len(feeds) > 1 else _done
        futures = [start(self._run, feed) for feed in feeds]

        def collect() -> np.ndarray:
            out = np.zeros((len(texts), 3), dtype=np.float64)
            for idx, future in zip(batches, futures, strict=True):
                out[idx] = future.result()
            return 1.0 / (1.0 + np.exp(-out))

        return collect

    def predict(self, texts: list[str]) -> np.ndarray:
        """Raw sigmoid probabilities (n, 3) for normalised texts, in input order."""
        return self.submit(texts)()

"""The baseline: TF-IDF on word and character n-grams, one logistic regression per label.

Fitted with scikit-learn, saved as plain NumPy arrays (`.npz`, no pickle): the vocabularies,
the idf weights and the regression coefficients. Scoring needs neither scikit-learn nor SciPy:
a comment has a few hundred n-grams, and building sparse matrices for it cost more than the
arithmetic (about 3 ms a comment, and 2 s of imports at start). The two analyzers below are
scikit-learn's `word` (1-2 grams) and `char_wb` (2-5 grams), written out; a test checks them
against scikit-learn's own on the corpus.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np

from comments.errors import ModelLoadError
from comments.labels import LABELS

ANALYZERS = {"word": ("word", (1, 2)), "char": ("char_wb", (2, 5))}
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # CountVectorizer's default token_pattern
_SPACES = re.compile(r"\s\s+")


def word_ngrams(text: str) -> list[str]:
    """scikit-learn's `word` analyzer, ngram_range (1, 2), lowercase."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def char_wb_ngrams(text: str) -> list[str]:
    """scikit-learn's `char_wb` analyzer, ngram_range (2, 5), lowercase: n-grams inside padded words."""
    out = []
    for w in _SPACES.sub(" ", text.lower()).split():
        w = f" {w} "
        for n in range(2, 6):
            if len(w) <= n:
                out.append(w)  # a word shorter than n counts once, as itself
                break
            out += [w[i : i + n] for i in range(len(w) - n + 1)]
    return out


ANALYZE = {"word": word_ngrams, "char": char_wb_ngrams}


class TfidfBaseline:
    """TF-IDF (word 1-2 grams + char_wb 2-5 grams) and one logistic regression per label.

    Columns of `predict_proba` follow `LABELS`. Inputs are normalised texts.
    """

    def __init__(self, c: float = 4.0, max_features: int = 60_000, seed: int = 13) -> None:
        self.c = c
        self.max_features = max_features
        self.seed = seed

    def fit(self, texts: list[str], y: np.ndarray) -> TfidfBaseline:
        """Fit on normalised texts and an (n, 3) 0/1 label matrix; returns self."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts, y = list(texts), np.asarray(y)
        self.vocab_, self.idf_ = {}, {}
        for name, (analyzer, ngrams) in ANALYZERS.items():
            vec = TfidfVectorizer(
                analyzer=analyzer, ngram_range=ngrams, min_df=2, sublinear_tf=True, max_features=self.max_features
            )
            vec.fit(texts)
            self.vocab_[name] = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            self.idf_[name] = vec.idf_.astype(np.float64)
        x = self._features(texts)
        coef, intercept = [], []
        for j in range(y.shape[1]):
            lr = LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000, random_state=self.seed)
            lr.fit(x, y[:, j])
            coef.append(lr.coef_[0])
            intercept.append(lr.intercept_[0])
        self.coef_, self.intercept_ = np.array(coef), np.array(intercept)
        return self

    def _index(self) -> dict[str, tuple[dict[str, int], np.ndarray, int]]:
        """Per analyzer: term -> column, idf, and where its columns start among the coefficients; built once."""
        if getattr(self, "_index_for", None) is not self.vocab_:
            blocks, offset = {}, 0
            for name in ANALYZERS:
                vocab = self.vocab_[name]
                blocks[name] = ({t: i for i, t in enumerate(vocab)}, self.idf_[name], offset)
                offset += len(vocab)
            self._index_, self._index_for = blocks, self.vocab_
        return self._index_

    def _rows(self, text: str):
        """(columns, tf-idf values) of one text per analyzer, columns numbered across both analyzers,
        values scaled to unit length per analyzer as TfidfVectorizer does."""
        for name, (index, idf, offset) in self._index().items():
            counts = Counter(j for g in ANALYZE[name](text) if (j := index.get(g)) is not None)
            cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[cols]
            norm = np.sqrt(values @ values)
            yield cols + offset, values / norm if norm else values

    def _features(self, texts: list[str]):
        """The sparse design matrix (n, word + char columns), for fitting."""
        from scipy import sparse

        rows, cols, vals = [], [], []
        for i, text in enumerate(texts):
            for c, v in self._rows(text):
                rows.append(np.full(len(c), i))
                cols.append(c)
                vals.append(v)
        shape = (len(texts), sum(len(v) for v in self.vocab_.values()))
        return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=shape)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probabilities, shape (n, 3), columns in `LABELS` order."""
        z = np.tile(self.intercept_, (len(texts), 1))
        for i, text in enumerate(texts):
            for cols, values in self._rows(text):
                z[i] += self.coef_[:, cols] @ values
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: Path) -> None:
        """Write vocabularies, idf and coefficients to one `.npz` file (no pickled objects)."""
        arrays = {f"vocab_{k}": np.array(v, dtype=str) for k, v in self.vocab_.items()}
        arrays |= {f"idf_{k}": v for k, v in self.idf_.items()}
        meta = {"labels": list(LABELS), "c": self.c, "max_features": self.max_features, "seed": self.seed}
        with Path(path).open("wb") as fh:
            np.savez_compressed(
                fh, coef=self.coef_, intercept=self.intercept_, meta=np.array(json.dumps(meta)), **arrays
            )

    @classmethod
    def load(cls, path: Path) -> TfidfBaseline:
        """Load a file written by `save`; pickled objects are refused."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                obj = cls(meta["c"], meta["max_features"], meta["seed"])
                obj.vocab_ = {k: z[f"vocab_{k}"].tolist() for k in ANALYZERS}
                obj.idf_ = {k: z[f"idf_{k}"] for k in ANALYZERS}
                obj.coef_, obj.intercept_ = z["coef"], z["intercept"]
        except (OSError, ValueError, KeyError) as exc:
            raise ModelLoadError(
                f"{path} is not a baseline file ({type(exc).__name__}); retrain with `comments train`"
            ) from None
        if tuple(meta["labels"]) != LABELS:
            raise ModelLoadError(f"{path} was trained for labels {meta['labels']}; retrain with `comments train`")
        return obj

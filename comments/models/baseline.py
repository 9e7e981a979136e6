"""The baseline: TF-IDF on word and character n-grams, one logistic regression per label.

Fitted with scikit-learn, saved as plain NumPy arrays (`.npz`, no pickle): the vocabularies,
the idf weights and the regression coefficients. Scoring needs neither scikit-learn nor SciPy
(2 s of imports at start): a batch's n-gram columns are counted and weighted in a few NumPy calls,
and each distinct word's char n-gram columns are looked up once and kept. The two analyzers below are
scikit-learn's `word` (1-2 grams) and `char_wb` (2-5 grams), written out; a test checks them
against scikit-learn's own on the corpus.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from comments.errors import ModelLoadError
from comments.labels import LABELS

ANALYZERS = {"word": ("word", (1, 2)), "char": ("char_wb", (2, 5))}
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # CountVectorizer's default token_pattern
WORD_CACHE = 50_000  # distinct words whose char n-gram columns are kept; cleared when full
CACHED_WORD = 32  # longer words (almost always one-offs) are not kept: an entry grows with the word
BLOCK = 2_048  # texts per step of predict_proba, which bounds its arrays (about 30 MB)


def word_ngrams(text: str) -> list[str]:
    """scikit-learn's `word` analyzer, ngram_range (1, 2), lowercase."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def _padded_word_ngrams(word: str) -> list[str]:
    """The char_wb 2-5 grams of one lowercased word, padded with a space either side."""
    w, out = f" {word} ", []
    for n in range(2, 6):
        if len(w) <= n:
            out.append(w)  # a word shorter than n counts once, as itself
            break
        out += [w[i : i + n] for i in range(len(w) - n + 1)]
    return out


def char_wb_ngrams(text: str) -> list[str]:
    """scikit-learn's `char_wb` analyzer, ngram_range (2, 5), lowercase: n-grams inside padded words.
    (scikit-learn first folds runs of whitespace, which `split` ignores anyway.)"""
    return [g for w in text.lower().split() for g in _padded_word_ngrams(w)]


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

    def _index(self) -> tuple[dict[str, int], dict[str, int], np.ndarray]:
        """Word term -> column, char term -> column (numbered after the words), and the idf of all
        columns; built once per fitted vocabulary."""
        if getattr(self, "_index_for", None) is not self.vocab_:
            words, chars = self.vocab_["word"], self.vocab_["char"]
            self._index_ = (
                {t: i for i, t in enumerate(words)},
                {t: i + len(words) for i, t in enumerate(chars)},
                np.concatenate([self.idf_["word"], self.idf_["char"]]),
            )
            self._word_chars = {}
            self._index_for = self.vocab_  # last: another thread may use the index once this is set
        return self._index_

    def _columns(self, text: str) -> np.ndarray:
        """The columns of every known n-gram of `text`, repeated as often as it occurs."""
        words, chars, _ = self._index()
        parts = [np.array([j for g in word_ngrams(text) if (j := words.get(g)) is not None], dtype=np.int64)]
        cache = self._word_chars  # a word's char n-gram columns, looked up once per distinct word
        for w in text.lower().split():
            cols = cache.get(w)
            if cols is None:
                grams = _padded_word_ngrams(w)
                cols = np.array([j for g in grams if (j := chars.get(g)) is not None], dtype=np.int64)
                if len(w) <= CACHED_WORD:
                    if len(cache) >= WORD_CACHE:
                        cache.clear()
                    cache[w] = cols
            parts.append(cols)
        return np.concatenate(parts)

    def _tfidf(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the tf-idf matrix: sublinear tf times idf, scaled to unit length
        per analyzer, as TfidfVectorizer does with each analyzer's block."""
        words, _, idf = self._index()
        cols = [self._columns(t) for t in texts]
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), [len(c) for c in cols])
        width = len(idf)
        keys, counts = np.unique(rows * width + np.concatenate([np.zeros(0, np.int64), *cols]), return_counts=True)
        rows, cols = np.divmod(keys, width)
        values = (1.0 + np.log(counts)) * idf[cols]
        block = rows * 2 + (cols >= len(words))
        values /= np.sqrt(np.bincount(block, weights=values * values, minlength=2 * len(texts)))[block]
        return rows, cols, values

    def _features(self, texts: list[str]):
        """The sparse design matrix (n, word + char columns), for fitting."""
        from scipy import sparse

        rows, cols, values = self._tfidf(texts)
        return sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(self._index()[2])))

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probabilities, shape (n, 3), columns in `LABELS` order."""
        z = np.zeros((len(texts), len(self.coef_)))
        for start in range(0, len(texts), BLOCK):
            block = texts[start : start + BLOCK]
            rows, cols, values = self._tfidf(block)
            for j, coef in enumerate(self.coef_):
                z[start : start + len(block), j] = np.bincount(rows, weights=values * coef[cols], minlength=len(block))
        return 1.0 / (1.0 + np.exp(-(z + self.intercept_)))

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

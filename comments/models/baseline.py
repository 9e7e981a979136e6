"""The baseline: TF-IDF on word and character n-grams, one logistic regression per label.

Fitted with scikit-learn, saved as plain NumPy arrays (`.npz`, no pickle): the vocabularies,
the idf weights and the regression coefficients. Loading rebuilds the same arithmetic.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import sparse

from comments.errors import ModelLoadError
from comments.labels import LABELS

ANALYZERS = {"word": ("word", (1, 2)), "char": ("char_wb", (2, 5))}


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf times idf, rows scaled to unit length (what TfidfVectorizer does)."""
    x = counts.astype(np.float64).tocsr()
    x.data = 1.0 + np.log(x.data)
    x = x @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ x


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

    def _vectorizers(self) -> dict:
        """One CountVectorizer per analyzer over the fitted vocabulary, built once (scoring is hot)."""
        from sklearn.feature_extraction.text import CountVectorizer

        if getattr(self, "_vectorizers_for", None) is not self.vocab_:
            self._vectorizers_ = {
                name: CountVectorizer(
                    analyzer=analyzer,
                    ngram_range=ngrams,
                    vocabulary={term: i for i, term in enumerate(self.vocab_[name])},
                )
                for name, (analyzer, ngrams) in ANALYZERS.items()
            }
            self._vectorizers_for = self.vocab_
        return self._vectorizers_

    def _features(self, texts: list[str]) -> sparse.csr_matrix:
        vectorizers = self._vectorizers()
        blocks = [_tfidf(vectorizers[name].transform(texts), self.idf_[name]) for name in ANALYZERS]
        return sparse.hstack(blocks).tocsr()

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probabilities, shape (n, 3), columns in `LABELS` order."""
        z = self._features(list(texts)) @ self.coef_.T + self.intercept_
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

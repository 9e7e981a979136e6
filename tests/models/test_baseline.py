from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from comments.errors import ModelLoadError
from comments.models.baseline import ANALYZERS, TfidfBaseline

TEXTS = [
    "who has the rest of the set",
    "dm me for links",
    "reported this to ncmec",
    "sending love to survivors",
    "she lives on elm street now",
    "trading, hit me up",
    "is this the same girl from the series",
    "great recipe thanks",
] * 4
Y = np.array([[0, 1, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0], [1, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 0]] * 4)


def test_when_baseline_is_saved_and_loaded_then_probabilities_are_identical(tmp_path):
    model = TfidfBaseline(max_features=500).fit(TEXTS, Y)
    model.save(tmp_path / "baseline.npz")
    loaded = TfidfBaseline.load(tmp_path / "baseline.npz")
    probe = [*TEXTS[:8], "an unseen comment about links", ""]
    assert np.array_equal(model.predict_proba(probe), loaded.predict_proba(probe))


def test_when_baseline_is_fitted_then_it_learns_the_training_labels():
    model = TfidfBaseline(max_features=500).fit(TEXTS, Y)
    assert ((model.predict_proba(TEXTS) >= 0.5) == Y).mean() > 0.9


def test_when_file_is_not_a_baseline_then_load_is_refused(tmp_path):
    path = tmp_path / "baseline.npz"
    path.write_bytes(b"not an npz file")
    with pytest.raises(ModelLoadError, match="comments train"):
        TfidfBaseline.load(path)


def test_when_file_holds_pickled_objects_then_load_is_refused(tmp_path):
    path = tmp_path / "baseline.npz"
    np.savez(path, meta=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(ModelLoadError):
        TfidfBaseline.load(path)


def test_when_analyzers_run_on_the_corpus_then_they_equal_scikit_learns():
    from sklearn.feature_extraction.text import CountVectorizer

    from comments.models.baseline import ANALYZE

    texts = [*TEXTS, "  Tabs\tand  spaces ", "a b", "ÜBER café — x", "", "@handle #tag https://x.example/a?b=1"]
    corpus = Path("data/corpus.parquet")
    if corpus.exists():
        texts += pd.read_parquet(corpus, columns=["text"]).text.sample(2000, random_state=1).tolist()
    for name, (analyzer, ngrams) in ANALYZERS.items():
        reference = CountVectorizer(analyzer=analyzer, ngram_range=ngrams).build_analyzer()
        for text in texts:
            assert sorted(ANALYZE[name](text)) == sorted(reference(text)), (name, text)


def test_when_baseline_scores_then_it_matches_scikit_learns_tfidf_and_regression():
    from sklearn.feature_extraction.text import TfidfVectorizer

    model = TfidfBaseline(max_features=500).fit(TEXTS, Y)
    probe = [*TEXTS[:8], "an unseen comment about links", ""]
    blocks = []
    for name, (analyzer, ngrams) in ANALYZERS.items():
        vocabulary = {t: i for i, t in enumerate(model.vocab_[name])}
        vec = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, vocabulary=vocabulary)
        vec.fit(TEXTS).idf_ = model.idf_[name]  # the model's idf, not this fit's
        blocks.append(vec.transform(probe).toarray())
    z = np.hstack(blocks) @ model.coef_.T + model.intercept_
    assert np.allclose(model.predict_proba(probe), 1 / (1 + np.exp(-z)), atol=1e-12)


def test_when_the_word_cache_overflows_then_scores_are_unchanged(monkeypatch):
    import comments.models.baseline as baseline

    model = TfidfBaseline(max_features=500).fit(TEXTS, Y)
    expected = model.predict_proba(TEXTS)
    monkeypatch.setattr(baseline, "WORD_CACHE", 3)  # fills and clears many times over
    small = TfidfBaseline(max_features=500).fit(TEXTS, Y)
    assert np.allclose(small.predict_proba(TEXTS), expected, atol=1e-12)
    assert len(small._word_chars) <= 3


def test_when_a_word_is_very_long_then_its_columns_are_not_kept():
    from comments.models.baseline import CACHED_WORD

    model = TfidfBaseline(max_features=500).fit(TEXTS, Y)
    long_word = "links" * 2_000  # one 10,000-character word: its entry would hold thousands of columns
    model.predict_proba([f"dm me for {long_word}", "dm me for links"])
    assert "links" in model._word_chars and all(len(w) <= CACHED_WORD for w in model._word_chars)

import numpy as np
import pytest

from comments.errors import ModelLoadError
from comments.models.baseline import TfidfBaseline

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

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from comments.errors import ModelLoadError
from comments.labels import LABELS
from comments.models.bundle import MANIFEST, REQUIRED, load_bundle
from tests.conftest import ROOT


@pytest.fixture
def bundle_copy(tiny_bundle, tmp_path):
    return shutil.copytree(tiny_bundle, tmp_path / "bundle")


def test_when_bundle_is_built_then_it_has_every_file_under_40_mib(tiny_bundle):
    for name in (*REQUIRED, "metrics.json", "MODEL_CARD.md", MANIFEST):
        assert (tiny_bundle / name).stat().st_size < 40 * 2**20, name


def test_when_bundle_loads_then_every_part_scores_three_labels(tiny_bundle):
    bundle = load_bundle(tiny_bundle)
    texts = ["who has the rest of the set", "reported this account to ncmec", "she lives on elm street"]
    raw = bundle.transformer.predict(texts)
    assert raw.shape == (3, 3) and np.all((raw >= 0) & (raw <= 1))
    assert bundle.baseline.predict_proba(texts).shape == (3, 3)
    assert bundle.calibrator.transform(raw).shape == (3, 3)
    assert bundle.labels == LABELS and bundle.version == "tiny"
    assert all(0 <= t["review"] <= t["remove"] <= 1 for t in bundle.thresholds.values())


def test_when_file_is_tampered_then_load_is_refused(bundle_copy):
    path = bundle_copy / "thresholds.json"
    path.write_text(path.read_text().replace("0.", "0.0", 1))
    with pytest.raises(ModelLoadError, match="thresholds.json.*sha256"):
        load_bundle(bundle_copy)


def test_when_model_bytes_change_then_load_is_refused(bundle_copy):
    data = bytearray((bundle_copy / "model.onnx").read_bytes())
    data[-1] ^= 1
    (bundle_copy / "model.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="model.onnx"):
        load_bundle(bundle_copy)


def test_when_file_is_missing_then_load_is_refused(bundle_copy):
    (bundle_copy / "calibration.json").unlink()
    with pytest.raises(ModelLoadError, match="calibration.json is missing"):
        load_bundle(bundle_copy)


def test_when_the_glossaries_changed_since_training_then_load_is_refused(bundle_copy):
    from comments.gloss import glossaries_sha256
    from comments.models.bundle import write_manifest

    manifest = json.loads((bundle_copy / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["glossaries"] == glossaries_sha256()
    extra = {k: v for k, v in manifest.items() if k not in ("version", "labels", "created", "files")}
    write_manifest(bundle_copy, manifest["version"], extra | {"glossaries": "0" * 64})
    with pytest.raises(ModelLoadError, match="other glossaries"):
        load_bundle(bundle_copy)
    del extra["glossaries"]  # a bundle from before the glossaries loads
    write_manifest(bundle_copy, manifest["version"], extra)
    assert load_bundle(bundle_copy).version == "tiny"


def test_when_manifest_is_missing_then_load_says_how_to_fix_it(bundle_copy):
    (bundle_copy / MANIFEST).unlink()
    with pytest.raises(ModelLoadError, match="comments train"):
        load_bundle(bundle_copy)


def test_when_directory_does_not_exist_then_load_is_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_bundle(tmp_path / "nowhere")


def test_when_thresholds_are_overridden_then_bundle_uses_them(tiny_bundle, tmp_path):
    override = {label: {"review": 0.3, "remove": 0.9} for label in LABELS}
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps(override))
    assert load_bundle(tiny_bundle, thresholds_path=path).thresholds == override


def test_when_override_has_review_above_remove_then_it_is_refused(tiny_bundle, tmp_path):
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps({label: {"review": 0.9, "remove": 0.3} for label in LABELS}))
    with pytest.raises(ModelLoadError, match="review <= remove"):
        load_bundle(tiny_bundle, thresholds_path=path)


def test_when_the_serving_modules_are_imported_then_torch_and_transformers_stay_out():
    code = (
        "import sys, comments.models.bundle, comments.models.evaluate, comments.pipeline, serve; "
        "print(any(m in sys.modules for m in ('torch', 'transformers')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_when_bundle_is_built_then_int8_parity_and_metrics_are_recorded(tiny_bundle):
    metrics = json.loads((tiny_bundle / "metrics.json").read_text())
    assert metrics["parity"]["fp32"]["max_abs_diff"] < 1e-4
    assert metrics["parity"]["int8"]["max_abs_diff"] <= 0.02
    # A few steps leave the tiny random model's scores for a label at 0.5 give or take 0.001 on
    # every row, so a diff far within 0.02 flips any share of its decisions: the share is recorded,
    # not bounded, here. The real model's share is recorded in its card against the 0.5 % target.
    assert 0 <= metrics["parity"]["int8"]["flip_rate"] <= 1
    assert 0 <= metrics["parity"]["int8_at_thresholds_flip_rate"] <= 1
    own = metrics["parity"]["torch_fp32_vs_fp64"]  # the torch model against itself in float64
    assert own["rows"] == metrics["parity"]["int8"]["rows"] and 0 < own["max_abs_diff"] <= 0.02
    assert metrics["parity"]["int8_vs_torch_fp64"]["max_abs_diff"] <= 0.02
    assert set(metrics["test_unseen_families"]["labels"]) == set(LABELS)
    assert metrics["benchmark"]["speedup"] > 0


def test_when_training_restarts_from_its_checkpoint_then_it_exports_the_same_model_without_fine_tuning(
    tiny_bundle, tiny_corpus, monkeypatch
):
    from comments.models import train
    from comments.models.build import run_training
    from tests.models.conftest import tiny_config

    def no_fine_tuning(*args, **kwargs):
        raise AssertionError("`finetuned` must skip building and fine-tuning a model")

    monkeypatch.setattr(train, "build_model", no_fine_tuning)
    monkeypatch.setattr(train, "fine_tune", no_fine_tuning)
    checkpoint = tiny_bundle.parent / "checkpoints" / "tiny"
    again = run_training(tiny_config(tiny_corpus, tiny_bundle.parent, version="tiny-again", finetuned=str(checkpoint)))
    texts = ["who has the rest of the set", "reported this account to ncmec", "she lives on elm street"]
    before, after = load_bundle(tiny_bundle), load_bundle(again)
    assert np.array_equal(before.transformer.predict(texts), after.transformer.predict(texts))
    history = json.loads((tiny_bundle / "metrics.json").read_text())["history"]
    assert json.loads((again / "metrics.json").read_text())["history"] == history

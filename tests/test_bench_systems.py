"""`make bench`'s systems build on a fresh clone, with nothing `make train` leaves behind."""

from bench.systems import SYSTEMS
from comments.labels import LABELS


def test_the_torch_pipeline_builds_without_a_training_run_and_scores_every_label(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no var/checkpoints here
    score = SYSTEMS["hf_pipeline"]()
    out = score(["great game last night", "who has the set"])
    assert len(out) == 2
    assert all(sorted(s["label"] for s in row) == sorted(f"LABEL_{i}" for i in range(len(LABELS))) for row in out)

"""The shipped pipeline: batching must not change a result."""

import json
import shutil

import pytest

from comments.pipeline import CHUNK, load_pipeline
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def pipeline():
    return load_pipeline(ROOT / "models/default")


@pytest.fixture(scope="module")
def texts():
    rows = [json.loads(line) for line in (ROOT / "data/challenge.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r["text"] for r in rows[: 2 * CHUNK + 17]]


def test_when_a_batch_spans_several_chunks_then_each_result_equals_scoring_it_alone(pipeline, texts):
    batched = pipeline.score_batch(texts)
    assert [r.to_dict() for r in batched] == [pipeline.score(t).to_dict() for t in texts]
    assert any(r.transformer_ran for r in batched) and not all(r.transformer_ran for r in batched)


def test_when_the_gate_is_bypassed_then_the_transformer_scores_every_comment(pipeline, texts):
    assert all(r.transformer_ran for r in pipeline.score_batch(texts, run_all=True))
    assert pipeline.score_batch([]) == []


def _non_english_challenge():
    from comments.language import non_english

    rows = [json.loads(line) for line in (ROOT / "data/challenge.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows if r["language"] != "en"]
    other = non_english(texts)
    assert other.sum() >= 20
    return [t for t, o in zip(texts, other, strict=True) if o]


def test_when_a_comment_is_not_in_english_then_the_transformer_does_not_run(pipeline):
    texts = _non_english_challenge()
    assert not any(r.transformer_ran for r in pipeline.score_batch(texts))
    assert all(r.transformer_ran for r in pipeline.score_batch(texts, run_all=True))


def test_when_an_older_combiner_reads_the_transformer_outside_english_then_it_still_runs_there(tmp_path):
    from comments.models.bundle import write_manifest

    bundle = tmp_path / "older"
    shutil.copytree(ROOT / "models/default", bundle)
    fusion = json.loads((bundle / "fusion.json").read_text(encoding="utf-8"))
    fusion["coef"]["other"], fusion["intercept"]["other"] = fusion["coef"]["en"], fusion["intercept"]["en"]
    (bundle / "fusion.json").write_text(json.dumps(fusion), encoding="utf-8")
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    extra = {k: v for k, v in manifest.items() if k not in ("version", "labels", "created", "files")}
    write_manifest(bundle, manifest["version"], extra)
    older = load_pipeline(bundle)
    assert any(r.transformer_ran for r in older.score_batch(_non_english_challenge()))

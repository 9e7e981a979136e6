"""The shipped pipeline: batching must not change a result."""

import json

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

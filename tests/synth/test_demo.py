"""The orchard demo: a code word kept out of the default corpus, generated on its own for the retraining loop."""

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from comments.errors import BadInputError
from comments.labels import LABELS
from comments.synth.demo import DEMO_COLUMNS, generate_demo, load_family_source
from comments.synth.grammar import load_families
from tests.conftest import ROOT
from tests.synth.test_corpus import content_violations

ORCHARD = ROOT / "comments/synth/demo_families/orchard.yaml"
COMMENTS = str(Path(sys.executable).parent / "comments")


@pytest.fixture(scope="module")
def demo():
    return generate_demo(ORCHARD, 400, 13)


def test_when_demo_is_generated_then_it_has_a_review_and_heldout_split(demo):
    assert tuple(demo.columns) == DEMO_COLUMNS
    assert demo.split.value_counts().to_dict() == {"review": 300, "heldout": 100}
    for split in ("review", "heldout"):
        part = demo[demo.split == split]
        assert all(part[label].sum() > 0 for label in LABELS), split


def test_demo_is_about_forty_percent_benign_and_uses_the_code_word_both_ways(demo):
    benign = ~demo[list(LABELS)].any(axis=1)
    assert 0.3 <= benign.mean() <= 0.5
    has_word = demo.text.str.contains("orchard", case=False)
    assert has_word[benign].mean() > 0.5 and has_word[~benign].mean() > 0.5


def test_demo_families_never_reach_the_default_corpus(default_corpus):
    demo_ids = {f.id for f in load_family_source(ORCHARD)}
    assert not demo_ids & {f.id for f in load_families()}
    assert not demo_ids & set(default_corpus.family)
    positives = default_corpus[default_corpus[list(LABELS)].any(axis=1)]
    assert not positives.text.str.contains(r"\borchard\b", case=False, regex=True).any()


def test_demo_obeys_the_content_rules(demo):
    assert not list(content_violations(demo.text))


def test_when_family_source_is_missing_then_bad_input(tmp_path):
    with pytest.raises(BadInputError):
        load_family_source(tmp_path / "nope.yaml")


def test_when_generate_gets_families_then_cli_writes_the_same_bytes_twice(tmp_path):
    digests = []
    for out in ("a", "b"):
        args = ["data", "generate", "--families", str(ORCHARD), "--rows", "120", "--out", str(tmp_path / out)]
        res = subprocess.run([COMMENTS, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        digests.append(hashlib.sha256((tmp_path / out / "orchard.parquet").read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    assert len(pd.read_parquet(tmp_path / "a" / "orchard.parquet")) == 120
    assert not (tmp_path / "a" / "DATA_CARD.md").exists()


def test_when_families_path_is_missing_then_cli_exits_2_without_traceback(tmp_path):
    res = subprocess.run(
        [COMMENTS, "data", "generate", "--families", str(tmp_path / "x.yaml"), "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert re.search(r"does not\s+exist", res.stderr)


def test_when_family_file_has_only_negatives_then_bad_input_says_so(tmp_path):
    path = tmp_path / "negatives.yaml"
    path.write_text('- id: neg_x\n  labels: []\n  kind: everyday\n  templates: ["a", "b c", "d e f"]\n')
    with pytest.raises(BadInputError, match="only negative"):
        load_family_source(path)

"""`comments models list|promote|rollback` on a tiny registry; promotion measures candidates on the gates."""

import json
import shutil

import numpy as np
import pytest

from comments.models.bundle import rehash_manifest
from comments.registry import HISTORY, history, seal
from tests.conftest import ROOT
from tests.retrain_helpers import (  # noqa: F401 - no_protected_list is a fixture
    PARENT,
    app,
    copy_registry,
    no_protected_list,
    runner,
    said,
    tiny_registry,
    tree_bytes,
)

pytestmark = pytest.mark.usefixtures("no_protected_list")


@pytest.fixture()
def registry(tmp_path_factory, tmp_path):
    """(models folder, corpus) of a private copy of the tiny registry."""
    root = tiny_registry(tmp_path_factory)
    return copy_registry(root, tmp_path), root / "data" / "corpus.parquet"


def variant(models, name: str, invert: bool):
    """A copy of the default under a new version; `invert` flips the combiner, a genuinely worse model."""
    out = shutil.copytree(models / "default", models / name)
    if invert:
        fusion = json.loads((out / "fusion.json").read_text())
        for key in ("coef", "intercept"):
            fusion[key] = {group: (-np.array(v)).tolist() for group, v in fusion[key].items()}
        (out / "fusion.json").write_text(json.dumps(fusion))
    rehash_manifest(out, name)
    return out


def promote(models, corpus, *args):
    gates = ["--corpus", str(corpus), "--challenge", str(ROOT / "data" / "challenge.jsonl")]
    return runner.invoke(app, ["models", "promote", *args, "--models-dir", str(models), *gates])


def test_when_a_candidate_is_worse_then_promotion_is_refused_until_forced_with_a_reason(registry):
    models, corpus = registry
    shutil.rmtree(models / PARENT)  # the default exists only as models/default: promotion must keep a copy
    before = tree_bytes(models / "default")
    worse = variant(models, "worse", invert=True)

    refused = promote(models, corpus, "worse")
    assert refused.exit_code == 4, refused.output
    assert "refusing to promote worse" in said(refused) and "F1 drops" in said(refused)
    assert tree_bytes(models / "default") == before and history(models) == []
    no_reason = promote(models, corpus, "worse", "--force")
    assert no_reason.exit_code == 2 and "--reason" in said(no_reason)

    forced = promote(models, corpus, "worse", "--force", "--reason", "drill: test the rollback path")
    assert forced.exit_code == 0, forced.output
    assert tree_bytes(models / "default") == tree_bytes(worse)
    (entry,) = history(models)
    assert entry["forced"] and entry["reason"] == "drill: test the rollback path" and not entry["rule_passed"]
    assert entry["previous"] == PARENT and entry["rule_failures"]

    back = runner.invoke(app, ["models", "rollback", "--models-dir", str(models)])
    assert back.exit_code == 0, back.output
    assert tree_bytes(models / "default") == before
    assert [e["action"] for e in history(models)] == ["promote", "rollback"]
    again = runner.invoke(app, ["models", "rollback", "--models-dir", str(models)])
    assert again.exit_code == 4 and "no promotion to roll back" in said(again)


def test_when_a_candidate_is_as_good_then_it_is_promoted_and_listed_as_default(registry):
    models, corpus = registry
    variant(models, "same", invert=False)
    result = promote(models, corpus, "same")
    assert result.exit_code == 0, result.output
    assert "restart" in said(result)
    (entry,) = history(models)
    assert entry["rule_passed"] and not entry["forced"] and entry["previous"] == PARENT
    listed = runner.invoke(app, ["models", "list", "--models-dir", str(models)])
    assert listed.exit_code == 0
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in listed.output.splitlines() if "│" in line]
    marked = {row[1] for row in rows if row[0] == "*"}
    assert marked == {"default", "same"} and PARENT in said(listed)


def test_when_sealed_metadata_is_edited_then_the_bundle_is_refused(registry):
    models, corpus = registry
    out = variant(models, "sealed", invert=False)
    seal(out, {"version": "sealed", "metrics": {}})
    (out / "metadata.json").write_text(json.dumps({"version": "sealed", "metrics": {"gates": {}}}))
    result = promote(models, corpus, "sealed")
    assert result.exit_code == 6 and "does not match its sha256" in said(result)


def test_when_the_version_is_unknown_then_promote_exits_3(registry):
    models, corpus = registry
    result = promote(models, corpus, "nope")
    assert result.exit_code == 3 and PARENT in said(result)


def test_when_the_previous_bundle_is_gone_then_rollback_exits_3(registry):
    models, _ = registry
    entry = {"at": "2026-01-01T00:00:00+00:00", "action": "promote", "version": PARENT, "previous": "gone"}
    (models / HISTORY).write_text(json.dumps(entry) + "\n")
    result = runner.invoke(app, ["models", "rollback", "--models-dir", str(models)])
    assert result.exit_code == 3 and "gone no longer exists" in said(result)

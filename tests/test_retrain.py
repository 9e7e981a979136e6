"""`comments retrain`: reviewer labels are checked, deduplicated and held out; a warm-started tiny retrain is gated."""

import json

import pandas as pd
import pytest
import yaml

from comments.labels import LABELS
from tests.api.conftest import db_url, pg_database  # noqa: F401  (the API tests' backends)
from tests.api.fakes import review_item
from tests.models.conftest import TINY_BERT
from tests.retrain_helpers import (  # noqa: F401 - no_protected_list is a fixture
    PARENT,
    app,
    copy_registry,
    no_protected_list,
    reviewer_rows,
    runner,
    said,
    small_training,
    tiny_registry,
    tree_bytes,
    write_jsonl,
)

pytestmark = pytest.mark.usefixtures("no_protected_list")


def test_when_labels_repeat_then_the_latest_decision_wins_and_the_holdout_is_stable():
    from comments.retrain import check_labels, prepare

    rows = reviewer_rows(30, 5)
    again = rows.iloc[:3].assign(text=lambda d: "  " + d.text.str.upper() + " ", victim_identification=1)
    labels = check_labels(pd.concat([rows, again]), "test")
    first, second = prepare(labels, 0.3), prepare(labels.sample(frac=1, random_state=1), 0.3)
    assert first.duplicates_dropped == 3 and len(first.train) + len(first.holdout) == len(rows)
    kept = pd.concat([first.train, first.holdout])
    assert (kept[kept.id.isin(rows.id.iloc[:3])].victim_identification == 1).all()
    assert sorted(first.holdout.key) == sorted(second.holdout.key) and 0 < len(first.holdout) < len(rows)
    assert first.sha256() == prepare(labels, 0.3).sha256() != prepare(labels.iloc[:-1], 0.3).sha256()


def test_a_warm_start_replays_random_rows_and_a_full_fine_tune_every_labelled_one_first():
    from comments.retrain import finetune_rows, merge

    corpus = pd.DataFrame({"text": [f"c{i}" for i in range(60)], "split": ["train"] * 50 + ["dev"] * 10})
    corpus[list(LABELS)] = 0
    corpus.loc[:9, "promotion"] = 1  # ten labelled synthetic train rows
    merged = merge(corpus.assign(id=corpus.text), reviewer_rows(6, 3))
    synthetic, reviewed = set(range(50)), set(range(50, 56))  # positions in the merged train split
    cold = finetune_rows(merged, 6, 20, seed=1, warm=False)
    assert len(cold) == 26 and reviewed | set(range(10)) <= set(cold) and set(cold) <= synthetic | reviewed
    warm = [set(finetune_rows(merged, 6, 20, seed=s, warm=True)) for s in range(5)]
    assert all(len(w) == 26 and reviewed <= w for w in warm)
    assert any(not set(range(10)) <= w for w in warm)  # random replay: some leave a labelled row out


@pytest.mark.parametrize(
    ("suffix", "content", "message"),
    [
        (".jsonl", '{"text": "fine", "promotion": 0, "safety_concern": 0}\n', "lacks the columns"),
        (".jsonl", '{"text": "a", "victim_identification": 0}\nnot json\n', "line 2 is not valid JSON"),
        (".csv", "text,victim_identification,promotion,safety_concern\nok,0,0,0\nhi,0,yes,0\n", "row 2: promotion"),
        (".csv", "text,victim_identification,promotion,safety_concern\n ,0,0,0\n", "row 1: `text`"),
        (".txt", "text\n", "not .jsonl, .csv or .parquet"),
    ],
)
def test_when_a_label_file_is_bad_then_retrain_exits_2_naming_the_problem(tmp_path, suffix, content, message):
    path = tmp_path / f"labels{suffix}"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["retrain", "--labels", str(path), "--models-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert message in said(result) and "Traceback" not in said(result)


def test_when_no_source_or_both_are_given_then_retrain_exits_2(tmp_path):
    for args in ([], ["--labels", str(tmp_path / "x.jsonl"), "--from-db"]):
        result = runner.invoke(app, ["retrain", *args, "--models-dir", str(tmp_path)])
        assert result.exit_code == 2 and "exactly one of" in said(result)


def test_when_labels_come_from_the_database_then_text_is_decrypted_and_the_latest_review_is_last(db_url):  # noqa: F811
    from datetime import UTC, datetime, timedelta

    from cryptography.fernet import Fernet

    from comments.api.crypto import TextCipher
    from comments.retrain import read_label_db
    from comments.store import repo

    cipher, t0 = TextCipher(Fernet.generate_key().decode()), datetime(2026, 1, 1, tzinfo=UTC)
    reviewed = {"status": "reviewed", "encrypted": True, "review_action": "remove"}
    repo.enqueue(
        db_url,
        [
            review_item(id="late", text=cipher.seal("who has the set"), review_labels={"promotion": True},
                        reviewed_at=t0 + timedelta(hours=2), **reviewed),
            review_item(id="early", text=cipher.seal("WHO has the set"), review_labels={},
                        reviewed_at=t0, **reviewed),
            review_item(id="open", text=cipher.seal("still queued")),
        ],
    )  # fmt: skip
    rows = read_label_db(db_url, cipher)
    assert rows.id.tolist() == ["early", "late"] and rows.text.tolist() == ["WHO has the set", "who has the set"]
    assert rows[list(LABELS)].to_numpy().tolist() == [[0, 0, 0], [0, 1, 0]]


def test_when_retrained_from_the_parent_checkpoint_then_a_gated_sealed_bundle_is_written(tmp_path_factory, tmp_path):
    from comments.models.bundle import load_bundle
    from comments.registry import history, manifest_sha256, read_metadata

    root = tiny_registry(tmp_path_factory)
    models = copy_registry(root, tmp_path)
    default_before = tree_bytes(models / "default")
    rows = reviewer_rows(40, 11)
    labels = write_jsonl(pd.concat([rows, rows.iloc[:4]]), tmp_path / "labels.jsonl")
    fields = small_training(root) | {"corpus": str(root / "data" / "corpus.parquet"), "tiny_bert": TINY_BERT}
    fields |= {"batch_size": 16, "lr": 1e-3, "baseline_max_features": 5000}
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(fields), encoding="utf-8")
    args = ["retrain", "--labels", str(labels), "--config", str(config), "--models-dir", str(models)]
    args += ["--reports-dir", str(tmp_path / "reports"), "--version", "tiny-r1", "--replay", "2", "--epochs", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output

    out = models / "tiny-r1"
    assert load_bundle(out).version == "tiny-r1"  # every file, metadata.json included, matches the manifest
    meta = read_metadata(out)
    assert meta["parent"] == PARENT and meta["warm_start_from"] == str(root / "checkpoints" / PARENT)
    assert meta["counts"]["duplicates_dropped"] == 4
    n_train = meta["counts"]["reviewed_train"]
    assert n_train + meta["counts"]["reviewed_holdout"] == 40 and meta["counts"]["finetune_rows"] == 3 * n_train
    assert json.loads((out / "metrics.json").read_text())["config"]["init_checkpoint"] == meta["warm_start_from"]
    assert (root / "checkpoints" / "tiny-r1" / "config.json").exists()  # the next retrain can start from it
    assert meta["code_version"] and len(meta["data"]["corpus_sha256"]) == 64
    gates = meta["metrics"]["gates"]
    assert set(gates) == {"test_unseen_families", "challenge", "reviewed_holdout"}
    assert meta["metrics"]["compared_with"]["manifest_sha256"] == manifest_sha256(models / "default")
    report = tmp_path / "reports" / "tiny-r1"
    text = (report / "compare.md").read_text()
    assert "## challenge" in text and "| **macro** | F1 |" in text and "Verdict" in text
    assert "families (both scored on each draw)" in text and "comments (both scored on each draw)" in text
    assert all((report / f"{kind}_{g}.png").stat().st_size > 1000 for g in gates for kind in ("f1", "pr"))
    after = tree_bytes(models / "default")  # the parent only gained its legacy metadata.json
    assert json.loads(after.pop("metadata.json"))["legacy"] and after == default_before

    # Promotion applies the rule to the stored metrics, which were measured against this default.
    promoted = runner.invoke(app, ["models", "promote", "tiny-r1", "--models-dir", str(models)])
    assert promoted.exit_code == (0 if meta["verdict"]["promotable"] else 4), promoted.output
    assert len(history(models)) == (1 if meta["verdict"]["promotable"] else 0)


def test_when_fused_then_the_review_notes_describe_the_shipped_cut(tmp_path_factory):
    root = tiny_registry(tmp_path_factory)
    fusion = json.loads((root / "models" / "default" / "fusion.json").read_text(encoding="utf-8"))
    for label in LABELS:
        review = fusion["threshold_notes"][label]["review"]
        assert review["recall"] <= review["at_target"]["recall"]  # the precision floor only raises the cut
        assert review["at_target"]["recall"] >= review["target_recall"] or not review["at_target"]["reached"]


def test_when_fused_then_the_served_pipeline_is_measured_and_on_the_card(tmp_path_factory):
    root = tiny_registry(tmp_path_factory)
    bundle = root / "models" / "default"
    served = json.loads((bundle / "metrics.json").read_text(encoding="utf-8"))["served"]
    fusion = json.loads((bundle / "fusion.json").read_text(encoding="utf-8"))
    assert served["thresholds"] == fusion["thresholds"]
    assert served["test_unseen_families"]["rows"] > 0 and served["challenge"]["rows"] == 502
    assert "## Served: the fused pipeline" in (bundle / "MODEL_CARD.md").read_text(encoding="utf-8")

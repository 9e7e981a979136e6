import json

import typer
from typer.testing import CliRunner

from comments.labels import LABELS
from comments.models.cli import register
from comments.models.evaluate import evaluate
from comments.models.train import load_config
from tests.conftest import ROOT


def _app():
    app = typer.Typer()
    register(app)
    return app


def test_when_evaluated_then_report_curves_matrices_and_worst_errors_are_written(tiny_bundle, tmp_path):
    out = evaluate(tiny_bundle, ROOT / "data" / "challenge.jsonl", tmp_path / "report")
    report = (out / "report.md").read_text()
    assert report.startswith("# Evaluation") and "## Errors by kind" in report and "## Errors by family" not in report
    for label in LABELS:
        assert (out / f"confusion_{label}.png").exists() and (out / f"pr_{label}.png").exists()
        rows = [json.loads(line) for line in (out / f"worst_{label}.jsonl").read_text().splitlines()]
        assert len(rows) <= 50 and all(abs(r["score"] - r["label"]) >= 0.5 for r in rows)


def test_when_model_dir_is_missing_then_evaluate_exits_with_one_line(tmp_path):
    result = CliRunner().invoke(
        _app(), ["evaluate", "--model", str(tmp_path / "nope"), "--data", str(ROOT / "data" / "challenge.jsonl")]
    )
    assert result.exit_code == 6
    assert "Traceback" not in result.output


def test_when_config_has_an_unknown_field_then_train_exits_with_configuration_error(tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_text("epochs: 1\nepocs: 2\n")
    result = CliRunner().invoke(_app(), ["train", "--config", str(path)])
    assert result.exit_code == 5


def test_when_config_file_overrides_fields_then_defaults_fill_the_rest(tmp_path):
    path = tmp_path / "cfg.json"
    path.write_text('{"epochs": 1, "max_train_rows": 50}')
    cfg = load_config(path)
    assert (cfg.epochs, cfg.max_train_rows, cfg.batch_size) == (1, 50, 32)


def test_when_a_corpus_is_evaluated_then_errors_are_grouped_by_family_and_by_its_kind(tiny_bundle, tmp_path):
    import pandas as pd

    rows = pd.read_json(ROOT / "data" / "challenge.jsonl", lines=True).head(40).drop(columns=["kind"])
    rows["family"] = ["vi_sc_now_goes_by", "not_a_family"] * 20
    rows.to_parquet(tmp_path / "corpus.parquet")
    report = (evaluate(tiny_bundle, tmp_path / "corpus.parquet", tmp_path / "report") / "report.md").read_text()
    assert "## Errors by family" in report and "## Errors by kind" in report
    kind_rows = report.split("## Errors by kind")[1].splitlines()
    kinds = {line.split(" | ")[1] for line in kind_rows if line.startswith(tuple(f"| {lab} |" for lab in LABELS))}
    assert kinds and kinds <= {"new_name", "unknown family"}
    assert "Macro-F1 95 % interval, resampling the 2 families" in report

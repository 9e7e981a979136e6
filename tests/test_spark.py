"""Spark scale-out gives exactly the CLI's results (local[2], 2,000 rows)."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.conftest import ROOT

COMMENTS = str(Path(sys.executable).parent / "comments")


def test_when_dataframe_is_scored_on_spark_then_it_equals_the_cli(tmp_path, monkeypatch):
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # workers need this venv's packages
    from pyspark.sql import SparkSession

    from comments.spark import score_dataframe
    from comments.synth.generate import generate

    df = generate(2000, 77)[["id", "text"]]
    src, dst = tmp_path / "in.parquet", tmp_path / "cli.parquet"
    df.to_parquet(src)
    res = subprocess.run(
        [COMMENTS, "score", str(src), "-o", str(dst)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert res.returncode == 0, res.stderr
    cli = pd.read_parquet(dst).sort_values("id").reset_index(drop=True)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("comments-test")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        out = score_dataframe(spark.createDataFrame(df), text_col="text").toPandas()
    finally:
        spark.stop()
    out = out.sort_values("id").reset_index(drop=True)
    assert len(out) == len(df)
    pd.testing.assert_frame_equal(out[cli.columns], cli, check_dtype=False)

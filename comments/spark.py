"""Scale-out on Spark: the same scoring as the CLI, one pipeline per executor process."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from comments.labels import LABELS

_PIPELINE = None


def _pipeline(model_dir: str | None):
    """Load once per Python worker process and reuse across partitions."""
    global _PIPELINE
    if _PIPELINE is None:
        from comments.pipeline import load_pipeline

        _PIPELINE = load_pipeline(model_dir)
    return _PIPELINE


def output_schema() -> str:
    """Spark DDL of the scored frame, in the CLI's column order."""
    per_label = ", ".join(f"score_{lab} double, decision_{lab} string" for lab in LABELS)
    return f"id string, decision string, priority double, {per_label}, reasons string"


def score_dataframe(df, text_col: str = "text", model_dir: str | None = None):
    """Score a Spark DataFrame with `mapInPandas`; rows keep their `id` (generated when absent)."""
    from pyspark.sql import functions as F  # noqa: N812

    from comments.batch import Summary, score_chunk

    if "id" not in df.columns:
        df = df.withColumn("id", F.concat(F.lit("row-"), (F.monotonically_increasing_id() + 1).cast("string")))

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        pipeline = _pipeline(model_dir)
        for batch in batches:
            yield score_chunk(pipeline, batch, text_col, 1, Summary())

    return df.select("id", text_col).mapInPandas(score, schema=output_schema())

"""Bulk scoring of CSV, JSONL and Parquet files, streamed in chunks.

Output rows = input rows, always: a row whose text is missing or not a string
is written with decision `invalid` and its row number is reported, so nothing
is silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from comments.errors import BadInputError
from comments.labels import LABELS

FORMATS = (".csv", ".jsonl", ".parquet")
CHUNK = 2_000


def output_columns() -> list[str]:
    """The documented column order of a scored file."""
    per_label = [c for lab in LABELS for c in (f"score_{lab}", f"decision_{lab}")]
    return ["id", "decision", "priority", *per_label, "reasons"]


def _format(path: Path) -> str:
    if path.suffix.lower() not in FORMATS:
        raise BadInputError(f"{path}: unsupported file type {path.suffix!r}; use one of {', '.join(FORMATS)}")
    return path.suffix.lower()


def read_chunks(path: Path, chunk: int = CHUNK) -> Iterator[pd.DataFrame]:
    """Yield the input in DataFrame chunks without loading the whole file."""
    if not path.exists():
        raise BadInputError(f"{path} does not exist")
    kind = _format(path)
    if kind == ".csv":
        yield from pd.read_csv(path, chunksize=chunk, dtype=object, keep_default_na=False, na_values=[])
    elif kind == ".jsonl":
        yield from pd.read_json(path, lines=True, chunksize=chunk, dtype=False)
    else:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk):
            yield batch.to_pandas()


class _Writer:
    """Appends scored chunks to the output in its format."""

    def __init__(self, path: Path) -> None:
        self.path, self.kind, self.parquet = path, _format(path), None
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.kind != ".parquet":
            path.write_text("", encoding="utf-8")

    def write(self, df: pd.DataFrame) -> None:
        if self.kind == ".csv":
            df.to_csv(self.path, mode="a", header=self.path.stat().st_size == 0, index=False)
        elif self.kind == ".jsonl":
            with self.path.open("a", encoding="utf-8") as fh:
                df.to_json(fh, orient="records", lines=True, force_ascii=False)
        else:
            table = pa.Table.from_pandas(df, preserve_index=False)
            self.parquet = self.parquet or pq.ParquetWriter(self.path, table.schema)
            self.parquet.write_table(table)

    def close(self) -> None:
        if self.parquet:
            self.parquet.close()


@dataclass
class Summary:
    """What a bulk run did."""

    rows: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)
    decisions: dict[str, int] = field(default_factory=dict)


def score_chunk(pipeline, df: pd.DataFrame, text_column: str, first_row: int, summary: Summary) -> pd.DataFrame:
    """Score one chunk; invalid rows get decision `invalid` and are recorded in `summary`."""
    if text_column not in df.columns:
        raise BadInputError(f"no column {text_column!r}; columns are {list(df.columns)} (use --text-column)")
    ids = df["id"].astype(str).tolist() if "id" in df.columns else [f"row-{first_row + i}" for i in range(len(df))]
    texts = df[text_column].tolist()
    valid = [i for i, t in enumerate(texts) if isinstance(t, str)]
    results = dict(zip(valid, pipeline.score_batch([texts[i] for i in valid]), strict=True))
    rows = []
    for i, rid in enumerate(ids):
        r = results.get(i)
        if r is None:
            why = (
                "text is missing" if texts[i] is None or texts[i] != texts[i] else f"text is {type(texts[i]).__name__}"
            )
            summary.invalid.append((first_row + i, why))
            row = {"id": rid, "decision": "invalid", "priority": 0.0, "reasons": json.dumps({"error": why})}
            row |= {c: None for lab in LABELS for c in (f"score_{lab}", f"decision_{lab}")}
        else:
            row = {"id": rid, "decision": r.decision, "priority": r.priority}
            for lab in LABELS:
                row[f"score_{lab}"], row[f"decision_{lab}"] = r.scores[lab], r.decisions[lab]
            row["reasons"] = json.dumps(r.explain(), ensure_ascii=False)
        summary.decisions[row["decision"]] = summary.decisions.get(row["decision"], 0) + 1
        rows.append(row)
    summary.rows += len(df)
    return pd.DataFrame(rows, columns=output_columns())


def score_file(pipeline, src: Path, dst: Path, text_column: str = "text", chunk: int = CHUNK, progress=None) -> Summary:
    """Stream `src` through the pipeline into `dst`; `progress(n_rows)` is called after each chunk."""
    _format(dst)
    summary = Summary()
    writer = _Writer(dst)
    try:
        for df in read_chunks(src, chunk):
            writer.write(score_chunk(pipeline, df, text_column, summary.rows + 1, summary))
            if progress:
                progress(len(df))
    finally:
        writer.close()
    return summary

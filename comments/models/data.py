"""Labelled data for training and evaluation: read a corpus or a JSONL file and normalise its text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from comments.errors import BadInputError, NotFoundError
from comments.labels import LABELS
from comments.normalize import normalize


def load_labelled(path: Path, split: str | None = None) -> pd.DataFrame:
    """Read a labelled Parquet corpus or JSONL file, optionally keeping one `split`."""
    path = Path(path)
    if not path.exists():
        raise NotFoundError(f"{path} does not exist; run `comments data generate` or pass an existing --data file")
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
    elif path.suffix in (".jsonl", ".json"):
        with path.open(encoding="utf-8") as fh:
            df = pd.DataFrame([json.loads(line) for line in fh if line.strip()])
    else:
        raise BadInputError(f"{path} is neither .parquet nor .jsonl; convert it to one of them")
    missing = [c for c in ("text", *LABELS) if c not in df.columns]
    if missing:
        raise BadInputError(f"{path} lacks the columns {missing}; every row needs `text` and the three labels")
    if split is not None:
        if "split" not in df.columns:
            raise BadInputError(f"{path} has no `split` column; leave --split out for this file")
        df = df[df["split"] == split]
        if df.empty:
            raise BadInputError(f"{path} has no rows in split {split!r}; use train, dev or test")
    return df.reset_index(drop=True)


def label_matrix(df: pd.DataFrame) -> np.ndarray:
    """The (n, 3) 0/1 label matrix in `LABELS` order."""
    return df[list(LABELS)].to_numpy(dtype=np.int64)


NORMALISER = "comments.normalize"  # what `normalise_texts` applies; metrics.json and the manifest record it


def normalise_texts(texts: list[str]) -> list[str]:
    """Normalise texts the way the serving pipeline does (`comments.normalize.normalize(t).text`)."""
    return [normalize(t).text for t in texts]

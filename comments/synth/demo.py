"""Rows from families kept out of the default corpus (e.g. `demo_families/`), for the retraining demo.

The demo file holds a `review` share (rows that play the reviewers' labels)
and a `heldout` share to measure the retrained model on.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from comments.errors import BadInputError, ConfigurationError
from comments.labels import LABELS
from comments.synth.generate import generate
from comments.synth.grammar import Family, load_families, parse_families

DEMO_POSITIVE_RATE = 0.6
REVIEW_SHARE = 0.75
DEMO_COLUMNS = ("text", *LABELS, "family", "split")


def load_family_source(path: Path) -> list[Family]:
    """Families from one YAML file or every YAML file in a folder."""
    if path.is_dir():
        families = load_families(path)
    elif path.is_file():
        try:
            families = parse_families(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
        except yaml.YAMLError as exc:
            raise ConfigurationError(f"{path} is not valid YAML: {exc}") from None
    else:
        raise BadInputError(f"{path} does not exist; pass a family YAML file or a folder of them")
    if not families:
        raise BadInputError(f"{path} holds no families; see comments/synth/families/FORMAT.md")
    if len({bool(f.labels) for f in families}) < 2:
        raise BadInputError(
            f"{path} holds only {'positive' if families[0].labels else 'negative'} families; "
            "a generated set mixes both, so pass a folder or file that has each"
        )
    return families


def generate_demo(path: Path, rows: int, seed: int) -> pd.DataFrame:
    """`rows` comments from the families at `path`; the first `REVIEW_SHARE` are split `review`, the rest `heldout`."""
    df = generate(rows, seed, load_family_source(path), DEMO_POSITIVE_RATE)
    n_review = round(len(df) * REVIEW_SHARE)
    df["split"] = ["review"] * n_review + ["heldout"] * (len(df) - n_review)
    return df[list(DEMO_COLUMNS)]


def write_demo(df: pd.DataFrame, out: Path, name: str) -> Path:
    """Write the demo rows as `<out>/<name>.parquet`; the same frame always gives the same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.parquet"
    df.to_parquet(path, index=False, compression="zstd")
    return path

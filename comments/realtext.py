"""Flag rates on comments real people wrote, none of which is in the taxonomy.

Synthetic test sets measure what the templates teach; this measures the cost
on ordinary traffic. The report holds counts and rule ids only, never text.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from comments.errors import BadInputError, NotFoundError
from comments.labels import LABELS


def read_comments(path: Path, text_column: str, group_column: str | None, per_group: int = 0) -> pd.DataFrame:
    """A frame with `text` and `group` from a CSV, JSONL or Parquet file of real comments;
    `per_group` > 0 keeps a fixed random sample of that many per group."""
    if not path.exists():
        raise NotFoundError(f"{path} does not exist")
    readers = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".jsonl": lambda p: pd.read_json(p, lines=True)}
    if path.suffix not in readers:
        raise BadInputError(f"{path}: use a .csv, .jsonl or .parquet file")
    df = readers[path.suffix](path)
    missing = [c for c in (text_column, group_column) if c and c not in df.columns]
    if missing:
        raise BadInputError(f"{path} has no column {missing[0]!r}; columns are {list(df.columns)}")
    texts = df[text_column]
    keep = texts.map(lambda t: isinstance(t, str) and bool(t.strip()))
    groups = df[group_column].astype(str) if group_column else pd.Series("all", index=df.index)
    out = pd.DataFrame({"text": texts[keep], "group": groups[keep]})
    if per_group:
        out = pd.concat(g.sample(min(per_group, len(g)), random_state=13) for _, g in out.groupby("group"))
    return out


def flag_rates(pipeline, df: pd.DataFrame, batch: int = 256) -> tuple[pd.DataFrame, dict[str, Counter]]:
    """Per group: comments, share sent to review or removed, share removed, share flagged per label,
    share that reached the transformer; plus the rule ids behind the flags, counted per group."""
    rows, rules = [], {}
    for group, part in df.groupby("group", sort=True):
        results = []
        texts = part.text.tolist()
        for start in range(0, len(texts), batch):
            results += pipeline.score_batch(texts[start : start + batch])
        n = len(results)
        flagged = [r for r in results if r.decision != "allow"]
        rules[group] = Counter(reason.rule_id for r in flagged for reason in r.reasons)
        row = {
            "group": group,
            "comments": n,
            "flagged": len(flagged) / n,
            "removed": sum(r.decision == "remove" for r in results) / n,
            **{f"flagged_{lab}": sum(r.decisions[lab] != "allow" for r in results) / n for lab in LABELS},
            "transformer_ran": sum(r.transformer_ran for r in results) / n,
        }
        rows.append(row)
    return pd.DataFrame(rows).set_index("group"), rules


def report(name: str, table: pd.DataFrame, rules: dict[str, Counter], model_version: str) -> str:
    """Markdown: the rates table and the rules most often behind a flag."""
    from comments.synth.card import markdown_table

    shown = table.copy()
    for col in shown.columns:
        if col != "comments":
            shown[col] = shown[col].map(lambda v: f"{100 * v:.1f} %")
    lines = [
        f"# Real comments: {name}",
        "",
        f"Model `{model_version}`. Every comment here is outside the taxonomy, so every flag is a false positive.",
        "",
        markdown_table(shown, "group"),
        "",
        "## Rules behind the flags",
        "",
    ]
    for group, counts in rules.items():
        top = ", ".join(f"`{rule}` {n}" for rule, n in counts.most_common(8)) or "none"
        lines.append(f"- {group}: {top}")
    return "\n".join(lines) + "\n"

"""Flag rates on comments real people wrote, none of which is in the taxonomy.

Synthetic test sets measure what the templates teach; this measures the cost
on ordinary traffic. The report holds counts and rule ids only, never text; the flagged
comments themselves (the false positives to read) go to a separate JSONL file on request.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from comments.decide import flagged_labels
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


def flag_rates(pipeline, df: pd.DataFrame, batch: int = 256) -> tuple[pd.DataFrame, dict[str, Counter], pd.DataFrame]:
    """Per group: comments, share sent to review or removed, share removed, share flagged per label,
    share that reached the transformer; the rule ids behind the flags, counted per group; and the
    flagged comments, one row each (group, text, decision, labels flagged, fused scores, rule ids)."""
    rows, rules, listed = [], {}, []
    for group, part in df.groupby("group", sort=True):
        results = []
        texts = part.text.tolist()
        for start in range(0, len(texts), batch):
            results += pipeline.score_batch(texts[start : start + batch])
        n = len(results)
        flagged = [(text, r) for text, r in zip(texts, results, strict=True) if r.decision != "allow"]
        rules[group] = Counter(reason.rule_id for _, r in flagged for reason in r.reasons)
        listed += [
            {
                "group": group,
                "text": text,
                "decision": r.decision,
                "labels": flagged_labels(r.decisions),
                "scores": {lab: round(r.scores[lab], 3) for lab in LABELS},
                "rules": sorted({reason.rule_id for reason in r.reasons}),
            }
            for text, r in flagged
        ]
        row = {
            "group": group,
            "comments": n,
            "flagged": len(flagged) / n,
            "removed": sum(r.decision == "remove" for r in results) / n,
            **{f"flagged_{lab}": sum(r.decisions[lab] != "allow" for r in results) / n for lab in LABELS},
            "transformer_ran": sum(r.transformer_ran for r in results) / n,
        }
        rows.append(row)
    columns = ["group", "text", "decision", "labels", "scores", "rules"]
    return pd.DataFrame(rows).set_index("group"), rules, pd.DataFrame(listed, columns=columns)


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


def write_flagged(listed: pd.DataFrame, path: Path) -> None:
    """The flagged comments as JSONL, one per line, text as written (not ASCII-escaped)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(listed.to_json(orient="records", lines=True, force_ascii=False), encoding="utf-8")

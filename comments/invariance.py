"""Style invariance: a comment's labels do not depend on how it is punctuated, cased or spaced.

Each perturbation rewrites a comment in a way the taxonomy ignores: a final full stop added or
dropped, lower case, a capital first letter, an exclamation mark for the final punctuation, an emoji
at the end or at the start. A model whose decisions move under one has learnt how its training comments were
written, not the harm: the templates once ended a quarter of the negatives and almost no positive
with a full stop, and the model read a full stop as benign ("lets find the girl from that video"
safety_concern 0.92, with a full stop 0.52; models/RELEASES.md). These are CheckList's invariance
tests (Ribeiro et al., 2020) for that kind of cue, run on comments people wrote; `surface_rates`
looks for the cause, a style that the corpus gives one label more often than another.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from comments.labels import LABELS

_END = re.compile(r"(?:(?<!\.)\.|!+)$")  # a full stop or exclamation marks, not "?" or "..."
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def _full_stop_added(text: str) -> str | None:
    return text + "." if text[-1:].isalnum() else None


def _ends_with_full_stop(text: str) -> bool:
    return text.endswith(".") and not text.endswith("..")


def _full_stop_dropped(text: str) -> str | None:
    return text[:-1] if _ends_with_full_stop(text) else None


def _lower_case(text: str) -> str | None:
    return text.lower() if text.lower() != text else None


def _capital_first(text: str) -> str | None:
    return text[0].upper() + text[1:] if text[:1].islower() else None


def _exclamation(text: str) -> str | None:
    """ "!" for a final full stop or none; a question stays a question ("is that her?")."""
    if not (text[-1:].isalnum() or _END.search(text)):
        return None
    changed = _END.sub("", text) + "!"
    return changed if changed != text else None


def _emoji_added(text: str) -> str | None:
    return text + " 🙂"


def _emoji_first(text: str) -> str | None:
    return "🙂 " + text


# Perturbation name -> rewrite of a comment (stripped), or None where it does not apply.
PERTURBATIONS: dict[str, Callable[[str], str | None]] = {
    "full stop added": _full_stop_added,
    "full stop dropped": _full_stop_dropped,
    "lower case": _lower_case,
    "capital first letter": _capital_first,
    "exclamation mark at the end": _exclamation,
    "emoji at the end": _emoji_added,
    "emoji at the start": _emoji_first,
}

# The style each perturbation moves, as a property of a comment, for `surface_rates`.
SURFACES: dict[str, Callable[[str], bool]] = {
    "ends with a full stop": _ends_with_full_stop,
    "ends with a word": lambda t: t[-1:].isalnum(),
    "ends with !": lambda t: t.endswith("!"),
    "ends with ?": lambda t: t.endswith("?"),
    "all lower case": lambda t: t == t.lower() and t != t.upper(),
    "starts with a capital": lambda t: t[:1].isupper(),
    "has an emoji": lambda t: bool(_EMOJI.search(t)),
}


def variants(texts: list[str]) -> pd.DataFrame:
    """One row per comment and perturbation that applies: `row` (index into `texts`), `perturbation`,
    `text` (the rewritten comment)."""
    rows = []
    for name, rewrite in PERTURBATIONS.items():
        for i, text in enumerate(texts):
            changed = rewrite(text.strip())
            if changed is not None and changed != text.strip():
                rows.append({"row": i, "perturbation": name, "text": changed})
    return pd.DataFrame(rows, columns=["row", "perturbation", "text"]).astype({"row": int})


def _scores(results) -> np.ndarray:
    return np.array([[r.model_scores["transformer"][lab] for lab in LABELS] for r in results]).reshape(-1, len(LABELS))


def measure(score_batch: Callable[..., list], df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per perturbation, on the labelled comments `df` (text and the three labels): how many it
    applies to, the share whose served flags change (any label between allow and review/remove, the
    product's gated path), and the transformer's calibrated score moves (run on every comment): mean
    |Δ| on each label, the share of label decisions at 0.5 that flip, the largest |Δ|. Also the
    largest moves, one row per comment and label. `score_batch(texts, run_all=...)` is a pipeline's."""
    from comments.quality import flag_matrix  # pulls in the rules; `surface_rates` alone does not need them

    texts = df.text.tolist()
    var = variants(texts)
    all_texts = texts + var.text.tolist()
    served = flag_matrix(score_batch(all_texts))
    scores = _scores(score_batch(all_texts, run_all=True))
    n = len(texts)
    base_served, base_scores = served[var.row.to_numpy()], scores[var.row.to_numpy()]
    var_served, var_scores = served[n:], scores[n:]
    delta = var_scores - base_scores
    flips = (var_scores >= 0.5) != (base_scores >= 0.5)
    changed = (var_served != base_served).any(axis=1)
    table = []
    for name, idx in var.groupby("perturbation", sort=False).indices.items():
        table.append(
            {"perturbation": name, "comments": len(idx), "served flags changed": f"{changed[idx].mean():.1%}"}
            | {f"{lab} mean |Δ|": round(float(np.abs(delta[idx, j]).mean()), 4) for j, lab in enumerate(LABELS)}
            | {
                "decisions flipped at 0.5": f"{flips[idx].mean():.2%}",
                "max |Δ|": round(float(np.abs(delta[idx]).max()), 3),
            }
        )
    moves = pd.DataFrame(
        [
            {
                "perturbation": var.perturbation.iat[k],
                "label": lab,
                "truth": int(df[lab].iat[var.row.iat[k]]),
                "before": round(float(base_scores[k, j]), 3),
                "after": round(float(var_scores[k, j]), 3),
                "comment": texts[var.row.iat[k]],
                "rewritten": var.text.iat[k],
            }
            for k in range(len(var))
            for j, lab in enumerate(LABELS)
        ]
    )
    if len(moves):
        moves = moves.assign(move=(moves.after - moves.before).abs()).sort_values(
            "move", ascending=False, kind="stable"
        )
    return pd.DataFrame(table), moves


def surface_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Per surface style (`SURFACES`): its share among the comments positive for each label and among
    those with no label, and the largest gap between them. A style one label has much more often than
    the negatives is a cue the model can learn in place of the harm."""
    text = df.text.str.strip()
    negative = ~df[list(LABELS)].astype(bool).any(axis=1)
    rows = []
    for name, has in SURFACES.items():
        flag = text.map(has).astype(bool)
        shares = {lab: float(flag[df[lab].astype(bool)].mean()) for lab in LABELS}
        shares["no label"] = float(flag[negative].mean())
        gap = np.nanmax([abs(shares[lab] - shares["no label"]) for lab in LABELS])  # NaN: a label with no row
        rows.append({"style": name} | {k: round(v, 3) for k, v in shares.items()} | {"largest gap": round(gap, 3)})
    return pd.DataFrame(rows)


def report(version: str, sets: dict[str, pd.DataFrame], train: pd.DataFrame, score_batch, top: int = 20) -> str:
    """Markdown: the perturbation table on the hand-written `sets` pooled, the surface rates of the
    corpus's `train` rows beside the sets', and the `top` largest transformer moves."""
    from comments.synth.card import markdown_table

    people = pd.concat(sets.values(), ignore_index=True)
    table, moves = measure(score_batch, people)
    rates = (
        surface_rates(train)
        .set_index("style")
        .join(
            surface_rates(people)
            .set_index("style")[["largest gap"]]
            .rename(columns={"largest gap": "gap, hand-written"})
        )
    )
    lines = [
        f"# Style invariance: {version}",
        "",
        f"{len(people):,} hand-written comments ({', '.join(f'{k} {len(v):,}' for k, v in sets.items())}), each "
        "rewritten in ways the taxonomy ignores. Served flags: the pipeline's decisions (review or remove on any "
        "label) on the product's gated path; the rest are the transformer's calibrated scores, run on every "
        "comment. A decision that moves here moves for a reason that is not the harm.",
        "",
        markdown_table(table.set_index("perturbation"), "perturbation"),
        "",
        "## Styles in the training comments",
        "",
        "Share of each style among the train split's comments positive for each label and among those with "
        "none; `largest gap` is the largest difference between a label's share and the negatives'. A gap the "
        "hand-written sets do not have is a cue of how the templates were written.",
        "",
        markdown_table(rates, "style"),
        "",
        f"## The {top} largest moves",
        "",
        markdown_table(moves.head(top).drop(columns="move").reset_index(drop=True), "#"),
        "",
    ]
    return "\n".join(lines)

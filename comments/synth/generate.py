"""Generate the labelled synthetic corpus: seeded, deterministic, split by family.

Rows are drawn family by family: a positive row picks a label, then a family
carrying it; a negative row picks a hard-negative kind, then a family of that
kind. Splits are fixed by family id (not by seed), so `dev` and `test`
families never appear in `train` and stay put when the seed changes.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pandas as pd

from comments.labels import LABELS
from comments.synth import DEFAULT_ROWS, DEFAULT_SEED
from comments.synth.evasions import apply_evasion, possible_evasions
from comments.synth.grammar import NEGATIVE_KINDS, Family, load_families, render
from comments.synth.slots import SlotFiller
from comments.synth.styles import STYLE_WEIGHTS, STYLES, apply_style, sentence_end

POSITIVE_RATE = 0.25
EVASION_RATE = 0.15
TRANSLATION_RATE = 0.2  # share of rows of a translated family written in one of its other languages
CONTEXT_RATE = 0.12
SPLIT_SHARES = {"test": 0.15, "dev": 0.15}
HANDWRITTEN_COPIES = 2  # each hand-written comment is in train twice (README, Data)
HANDWRITTEN_FAMILY = "handwritten"  # the `family` of those rows
COLUMNS = ("id", "text", *LABELS, "family", "style", "language", "evasion", "split")
LOCALES = {"es": ("es_ES", "es_MX"), "de": ("de_DE",), "fr": ("fr_FR",), "pt": ("pt_BR",)}
# Neutral chatter that wraps some comments, so the harmful part is not always the whole text.
CONTEXT = (
    "lol",
    "ok so",
    "not gonna lie",
    "this thread is wild",
    "been lurking a while",
    "anyway",
    "first time posting here",
    "sorry for the long post",
    "edit: typo",
    "just saying",
    "idk man",
    "read the whole thread",
    "same question as above",
    "bumping this",
    "update:",
    "yikes",
)


def assign_splits(families: list[Family]) -> dict[str, str]:
    """Family id -> split, stratified by group and ordered by a hash of the id."""
    by_group: dict[str, list[Family]] = defaultdict(list)
    for f in families:
        by_group[f.group].append(f)
    splits = {}
    for members in by_group.values():
        members.sort(key=lambda f: hashlib.sha256(f.id.encode()).hexdigest())
        n_test = max(1, round(len(members) * SPLIT_SHARES["test"])) if len(members) >= 3 else 0
        n_dev = max(1, round(len(members) * SPLIT_SHARES["dev"])) if len(members) >= 3 else 0
        for i, f in enumerate(members):
            splits[f.id] = "test" if i < n_test else "dev" if i < n_test + n_dev else "train"
    return splits


class _Sampler:
    """Draws one family per row with the class balance of the corpus."""

    def __init__(self, families: list[Family], rng: random.Random, positive_rate: float = POSITIVE_RATE) -> None:
        self.rng = rng
        self.positive_rate = positive_rate
        self.by_label = {lab: [f for f in families if lab in f.labels] for lab in LABELS}
        self.by_kind = {k: [f for f in families if not f.labels and f.kind == k] for k in NEGATIVE_KINDS}
        self.by_kind = {k: v for k, v in self.by_kind.items() if v}

    def family(self) -> Family:
        if self.rng.random() < self.positive_rate:
            label = self.rng.choice([lab for lab in LABELS if self.by_label[lab]])
            return self.rng.choice(self.by_label[label])
        return self.rng.choice(self.by_kind[self.rng.choice(sorted(self.by_kind))])


def _row(family: Family, rng: random.Random, filler: SlotFiller) -> dict:
    others = [lang for lang in family.templates if lang != "en"]
    language = rng.choice(others) if others and rng.random() < TRANSLATION_RATE else "en"
    locale = rng.choice(LOCALES[language]) if language != "en" else None
    template = rng.choice(family.templates[language])
    text = render(template, rng, filler, language, locale, benign=not family.labels)
    labels = family.labels_of(template, text)  # read before context, style and evasions change the text
    if language == "en" and rng.random() < CONTEXT_RATE:
        extra = rng.choice(CONTEXT)
        text = f"{extra} {text}" if rng.random() < 0.5 else f"{text} {extra}"
    style = rng.choices(STYLES, weights=STYLE_WEIGHTS)[0]
    text = apply_style(text, style, rng)
    evasion = "none"
    if rng.random() < EVASION_RATE and (kinds := possible_evasions(text)):
        # A phone number is what evaders spell out; give that kind a fair share where it applies.
        evasion = "spelled_digits" if "spelled_digits" in kinds and rng.random() < 0.5 else rng.choice(kinds)
        text = apply_evasion(text, evasion, rng)
    return {
        "text": text,
        "labels": labels,
        "style": style,
        "language": language,
        "evasion": evasion,
    }


def iter_rows(
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    families: list[Family] | None = None,
    positive_rate: float = POSITIVE_RATE,
) -> Iterator[dict]:
    """Yield `rows` unique labelled comments, deterministically for a seed."""
    families = families if families is not None else load_families()
    splits = assign_splits(families)
    rng = random.Random(seed)
    filler = SlotFiller(random.Random(seed + 1))
    sampler = _Sampler(families, rng, positive_rate)
    seen: set[str] = set()
    ended: set[str] = set()
    for i in range(rows):
        for _ in range(50):  # redraw exact duplicates; small families can repeat themselves
            family = sampler.family()
            row = _row(family, rng, filler)
            if row["text"] not in seen:
                break
        seen.add(row["text"])
        # The full stop is drawn from the row's own stream, so the rest of the corpus is drawn as before.
        text = sentence_end(row["text"], random.Random(f"{seed}-{i}"), ended)
        ended.add(text)
        yield {
            "id": f"syn-{seed}-{i:06d}",
            "text": text,
            **{lab: int(lab in row["labels"]) for lab in LABELS},
            "family": family.id,
            "style": row["style"],
            "language": row["language"],
            "evasion": row["evasion"],
            "split": splits[family.id],
        }


def generate(
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    families: list[Family] | None = None,
    positive_rate: float = POSITIVE_RATE,
) -> pd.DataFrame:
    """The corpus (default families unless given) as a DataFrame with the columns in `COLUMNS`."""
    df = pd.DataFrame(list(iter_rows(rows, seed, families, positive_rate)), columns=list(COLUMNS))
    for lab in LABELS:
        df[lab] = df[lab].astype("int8")
    return df


def read_handwritten() -> list[dict]:
    """The rows of `handwritten.jsonl` as written: comments by helpers who read only the taxonomy."""
    text = (resources.files("comments.synth") / "handwritten.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def handwritten() -> pd.DataFrame:
    """`read_handwritten`'s comments as `train` rows, each `HANDWRITTEN_COPIES` times (ids `<id>.1`,
    `<id>.2`), family `HANDWRITTEN_FAMILY`, style `human`."""
    df = pd.DataFrame(
        [
            {c: r[c] for c in ("text", *LABELS, "language", "evasion")}
            | {"id": f"{r['id']}.{copy}", "family": HANDWRITTEN_FAMILY, "style": "human", "split": "train"}
            for r in read_handwritten()
            for copy in range(1, HANDWRITTEN_COPIES + 1)
        ],
        columns=list(COLUMNS),
    )
    return df.astype(dict.fromkeys(LABELS, "int8"))


def with_handwritten(df: pd.DataFrame) -> pd.DataFrame:
    """The synthetic rows of `generate`, then the hand-written ones: the corpus `make data` writes."""
    return pd.concat([df, handwritten()], ignore_index=True)


def write_corpus(df: pd.DataFrame, out: Path) -> Path:
    """Write the corpus as `corpus.parquet` under `out`; the same frame always gives the same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "corpus.parquet"
    df.to_parquet(path, index=False, compression="zstd")
    return path

"""Is a comment in English? A vote of each language's most frequent words (wordfreq's, stored with
the glossaries), with no model to load.

The fused combiner is fitted once for English and once for the rest (Spanish, German, French,
Portuguese), and outside English the transformer (English MiniLM) reads a word-by-word gloss
(`comments.gloss`); whether the combiner's fit there reads the transformer at all is chosen on dev,
and the pipeline runs it there only if so.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib.resources import files

import numpy as np

from comments.normalize import LANGUAGES

TOP_WORDS = 150  # per language: mostly function words ("the", "que", "und", "les", "não")
_WORD = re.compile(r"[^\W\d_]{2,}(?:'[^\W\d_]+)?")  # one-letter words (a, y, e, o) are in every list


@cache
def _common_words() -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    """Each language's TOP_WORDS most frequent words, as wordfreq's small lists gave them
    (`glossaries/common_words.json`, so that fine-tuning away from here needs no wordfreq)."""
    lists = json.loads(files("comments").joinpath("glossaries", "common_words.json").read_text(encoding="utf-8"))
    english, *others = (frozenset(lists[lang]) for lang in LANGUAGES)
    return english, tuple(others)


def languageless(token: str) -> bool:
    """Whether a whitespace-separated token is a link, a handle or a hashtag, which have no language."""
    return token[:1] in ("@", "#") or "://" in token or "www." in token or ".com" in token


@lru_cache(maxsize=1024)  # the rules and then the pipeline's gate ask about the same normalised text
def language_of(text: str) -> str:
    """ "en" unless at least two words are among one other language's most frequent and they
    outnumber the English ones (a tie, a bare link or a one-word comment counts as English);
    then that language ("es", "de", "fr" or "pt")."""
    english, others = _common_words()
    kept = [t for t in text.lower().split() if not languageless(t)]
    words = _WORD.findall(" ".join(kept))
    counts = [sum(w in common for w in words) for common in others]
    best = max(range(len(counts)), key=counts.__getitem__)
    if counts[best] < 2 or counts[best] <= sum(w in english for w in words):
        return "en"
    return LANGUAGES[1 + best]


def is_english(text: str) -> bool:
    """Whether `language_of` says English."""
    return language_of(text) == "en"


def non_english(texts: list[str]) -> np.ndarray:
    """Which of `texts` are not in English, as the combiner's group mask (fitting and scoring alike)."""
    return np.array([not is_english(t) for t in texts], dtype=bool)

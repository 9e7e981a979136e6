"""Filter evasions, applied to a few words of a comment the way evaders do.

`comments.normalize` must undo every kind listed here; the rules' obfuscation
suite uses `apply_evasion` to build its cases.
"""

from __future__ import annotations

import random
import re

EVASIONS = (
    "homoglyph",
    "zero_width",
    "leet",
    "spaced",
    "dotted",
    "spelled_digits",
    "emoji_letters",
    "punct_insert",
)
# Latin -> Cyrillic/Greek look-alikes (a generator-side sample; normalisation uses the Unicode data).
HOMOGLYPHS = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "j": "ј",
    "o": "о",
    "p": "р",
    "s": "ѕ",
    "x": "х",
    "y": "у",
    "h": "һ",
    "k": "κ",
    "v": "ν",
    "B": "В",
    "H": "Н",
    "M": "М",
    "T": "Т",
    "K": "К",
    "A": "А",
    "E": "Е",
    "O": "О",
    "P": "Р",
    "C": "С",
    "X": "Х",
}
LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7", "l": "1"}
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060")
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# Words evaders hide first: the ones a filter is likely to look for.
CUES = re.compile(
    r"^(set|sets|vids?|videos?|folder|files?|links?|pics|series|telegram|discord|kik|trading|trade|"
    r"dm|address|school|lives|name|collection|content|girl|kid|her|rest|mega|drive|selling|find|"
    r"visit|house|works?|number|account|insta|snap|session|wickr|signal|threema|element)$",
    re.I,
)
_WORD = re.compile(r"[A-Za-z]{3,}")
_PHONE = re.compile(r"\d[\d\s().-]{5,}\d")


def _targets(text: str, rng: random.Random) -> list[re.Match]:
    words = list(_WORD.finditer(text))
    cues = [m for m in words if CUES.match(m.group())]
    pool = cues or words
    return sorted(rng.sample(pool, k=min(len(pool), rng.randint(1, 2))), key=lambda m: m.start())


def evade_word(word: str, kind: str, rng: random.Random) -> str:
    """One word written the way an evader of this kind would write it."""
    if kind == "homoglyph":
        return "".join(HOMOGLYPHS.get(c, c) if rng.random() < 0.6 else c for c in word)
    if kind == "zero_width":
        return rng.choice(ZERO_WIDTH).join(word) if rng.random() < 0.5 else word[0] + rng.choice(ZERO_WIDTH) + word[1:]
    if kind == "leet":  # evaders swap one or two letters, not the whole word
        out = list(word.lower())
        spots = [i for i, c in enumerate(out) if c in LEET]
        for i in rng.sample(spots, k=min(len(spots), rng.randint(1, 2))):
            out[i] = rng.choice(LEET[out[i]])
        return "".join(out)
    if kind == "spaced":
        return " ".join(word)
    if kind == "dotted":
        return rng.choice(".-_").join(word)
    if kind == "emoji_letters":
        if rng.random() < 0.5:  # regional indicators, kept apart so they don't pair into flags
            return "\u200c".join(chr(0x1F1E6 + ord(c) - ord("a")) for c in word.lower())
        return "".join(chr(0x24D0 + ord(c) - ord("a")) for c in word.lower())
    if kind == "punct_insert":
        i = rng.randrange(1, len(word))
        return word[:i] + rng.choice(".-_*") + word[i:]  # an apostrophe would read as a contraction
    raise ValueError(f"unknown evasion {kind!r}")


def _spell_digits(match: re.Match, rng: random.Random) -> str:
    words = [DIGIT_WORDS[int(c)] if c != "0" or rng.random() < 0.5 else "oh" for c in match.group() if c.isdigit()]
    return " ".join(words)


def apply_evasion(text: str, kind: str, rng: random.Random) -> str:
    """Apply one evasion kind to one or two (cue) words of `text`, or to its phone number."""
    if kind == "spelled_digits":
        return _PHONE.sub(lambda m: _spell_digits(m, rng), text, count=1)
    out, last = [], 0
    for m in _targets(text, rng):
        out += [text[last : m.start()], evade_word(m.group(), kind, rng)]
        last = m.end()
    return "".join(out) + text[last:]


def possible_evasions(text: str) -> tuple[str, ...]:
    """The evasion kinds that can change this text."""
    kinds = [k for k in EVASIONS if k != "spelled_digits"] if _WORD.search(text) else []
    return tuple(kinds + (["spelled_digits"] if _PHONE.search(text) else []))

"""Register variants: the same comment as people actually type it."""

from __future__ import annotations

import random
import re

STYLES = ("clean", "lowercase", "typos", "slang", "emoji", "allcaps")
STYLE_WEIGHTS = (0.40, 0.24, 0.11, 0.12, 0.08, 0.05)
EMOJI = ("😂", "👀", "🔥", "🙏", "😭", "💀", "🤔", "😡", "❤️", "👍", "🙄", "😬", "🤮", "💯", "😳")
SLANG = {
    "you": "u",
    "your": "ur",
    "you're": "ur",
    "are": "r",
    "please": "pls",
    "people": "ppl",
    "because": "bc",
    "though": "tho",
    "really": "rly",
    "for real": "fr",
    "to be honest": "tbh",
    "i don't know": "idk",
    "right now": "rn",
    "anyone": "any1",
    "someone": "some1",
    "thanks": "thx",
    "message": "msg",
    "with": "w/",
    "without": "w/o",
    "got to": "gotta",
    "going to": "gonna",
    "want to": "wanna",
    "does anyone": "anyone",
    "what": "wat",
    "okay": "ok",
    "probably": "prob",
}
_SLANG_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(SLANG, key=len, reverse=True)) + r")\b", re.I)
# Tokens that carry identifiers: typos never touch them, so slot values stay checkable.
_PROTECTED = re.compile(r"[\d@/:.]")
# A typo must not turn an ordinary word into a banned one ("une" -> "nue", "neue" -> "nue", "una" -> "nua").
_BANNED_TYPO = re.compile(r"\b(nue|nues|nua|nuas|nude|naked|porn|xxx|nsfw|boobs)\b", re.I)


# How a comment that ends in a word, a full stop or exclamation marks ends, drawn apart from its label, with
# each ending's share. The families' templates end as their writers ended them: a quarter of the negatives
# (news, advice) with a full stop and almost no positive, and no positive at all with "!", which taught the
# model that either means benign ("lets find the girl from that video" 0.92, with a full stop 0.52;
# "@marr0w_ send me the folder too pls" promotion 0.91, with "!" 0.06; models/RELEASES.md).
ENDINGS = (("", 0.55), (".", 0.35), ("!", 0.08), ("!!", 0.02))
_PUNCTUATION_END = re.compile(r"(?:(?<!\.)\.|!{1,3})$")


def sentence_end(text: str, rng: random.Random, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """`text` with its final punctuation drawn from `ENDINGS` whatever its template wrote, or the next
    ending where the drawn one is `taken`; comments ending in anything else ("?", "...", an emoji, a
    quote) and Spanish exclamations (opened with "¡") stay as they are."""
    bare = _PUNCTUATION_END.sub("", text.rstrip())
    if not bare or not bare[-1].isalnum() or "¡" in bare:
        return text
    pick = rng.choices(range(len(ENDINGS)), weights=[share for _, share in ENDINGS])[0]
    order = [ENDINGS[(pick + k) % len(ENDINGS)][0] for k in range(len(ENDINGS))]
    return next((bare + end for end in order if bare + end not in taken), bare + order[0])


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word.replace("'", "")


def apply_style(text: str, style: str, rng: random.Random) -> str:
    """Rewrite `text` in the named register."""
    if style == "clean":
        return text
    if style == "lowercase":
        return text.lower().rstrip(".")
    if style == "allcaps":
        return text.upper()
    if style == "slang":
        out = _SLANG_RE.sub(lambda m: SLANG[m.group(1).lower()], text)
        return out.lower().replace("'", "") if rng.random() < 0.6 else out
    if style == "emoji":
        picks = " ".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 3)))
        return f"{picks} {text}" if rng.random() < 0.25 else f"{text} {picks}"
    if style == "typos":
        words = text.split(" ")
        candidates = [i for i, w in enumerate(words) if len(w) >= 4 and not _PROTECTED.search(w)]
        for i in rng.sample(candidates, k=min(len(candidates), rng.randint(1, 2))):
            typo = _typo(words[i], rng)
            words[i] = words[i] if _BANNED_TYPO.search(typo) else typo
        return " ".join(words)
    raise ValueError(f"unknown style {style!r}")

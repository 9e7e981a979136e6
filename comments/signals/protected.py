"""The protected-identity list: names, handles and aliases of survivors who asked for protection.

Only keyed HMAC-SHA256 digests of normalised variants are stored. A comment
is matched by hashing its candidate token n-grams (1 to 3 tokens, joined with
and without spaces) after normalisation, so "K a y l a  D0rsey" and
"@kayla_dorsey" still hit "Kayla Dorsey".
"""

from __future__ import annotations

import hashlib
import hmac
import re

from comments.nlp import Artifacts
from comments.normalize import normalize
from comments.signals.base import Signal
from comments.types import Evidence

_TOKEN = re.compile(r"[^\W_]+")
MAX_NGRAM = 3
# Leet leftovers the normaliser leaves alone where they are ambiguous ("donn4", "tay1or", "lis@"):
# names are matched on a skeleton that folds each look-alike class to one letter, l and 1 to i.
_FOLD = str.maketrans("0134579l", "oieastgi")
_SYMBOL_IN_WORD = re.compile(r"(?<=[^\W\d_@$!])[@$!]+|[@$!]+(?=[^\W\d_])")
_SYMBOL_AFTER_LETTER = re.compile(r"(?<=[^\W\d_@$!])[@$!]+")
_LEET_TOKEN = re.compile(r"\b(?=\w*[^\W\d_])\w+\b")
_SYMBOLS = str.maketrans("@$!", "asi")


def skeleton(normalised: str, leading_symbols: bool = False) -> str:
    """Fold leet look-alikes in word tokens; same length as the input, so offsets still hold.

    With `leading_symbols`, a symbol that starts a word counts too ("@my" -> "amy"); without,
    it stays, so a handle's "@" is not read as a letter. Matching tries both readings.
    """
    pattern = _SYMBOL_IN_WORD if leading_symbols else _SYMBOL_AFTER_LETTER
    text = pattern.sub(lambda m: m.group().translate(_SYMBOLS), normalised)
    return _LEET_TOKEN.sub(lambda m: m.group().translate(_FOLD), text)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(skeleton(normalize(text).text))


def variants(name: str, handles: list[str] = (), aliases: list[str] = ()) -> set[str]:
    """Normalised variants of one identity: full name, surname + first initial, handles, aliases."""
    out: set[str] = set()
    parts = _tokens(name)
    if parts:
        out |= {" ".join(parts), "".join(parts)}
        if len(parts) >= 2:
            first, last = parts[0], parts[-1]
            out |= {f"{first[0]} {last}", f"{last} {first[0]}", f"{first} {last}"}
    for handle in handles:
        if joined := "".join(_tokens(handle)):
            out.add(joined)
    for alias in aliases:
        if toks := _tokens(alias):
            out |= {" ".join(toks), "".join(toks)}
    return {v for v in out if len(v.replace(" ", "")) >= 3}


def digest(key: bytes, variant: str) -> str:
    """Hex HMAC-SHA256 of one variant under the deployment's key."""
    return hmac.new(key, variant.encode("utf-8"), hashlib.sha256).hexdigest()


class ProtectedSignal(Signal):
    """Strong `victim_identification` evidence when a protected identity is named."""

    name = "protected"
    labels = ("victim_identification",)
    WEIGHT = 0.6  # alone it reaches review, not remove (see combine.REVIEW_LEVEL)

    def __init__(self, key: bytes, digests: frozenset[str]) -> None:
        self.key = key
        self.digests = digests

    def analyze(self, art: Artifacts) -> list[Evidence]:
        """Hash each 1..3-token window of the normalised text and look it up."""
        if not self.digests:
            return []
        for text in dict.fromkeys((skeleton(art.text), skeleton(art.text, leading_symbols=True))):
            if found := self._match(art, text):
                return found
        return []

    def _match(self, art: Artifacts, text: str) -> list[Evidence]:
        toks = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        for n in range(MAX_NGRAM, 0, -1):
            for i in range(len(toks) - n + 1):
                window = toks[i : i + n]
                words = [w for w, _, _ in window]
                for candidate in {" ".join(words), "".join(words)}:
                    if digest(self.key, candidate) in self.digests:
                        span = art.to_original(window[0][1], window[-1][2])
                        description = "Names an identity on the protected list"
                        ev = Evidence(
                            self.name,
                            "protected.identity",
                            "victim_identification",
                            self.WEIGHT,
                            span,
                            description,
                            concept="protected",
                            entity="NAME",
                        )
                        return [ev]
        return []

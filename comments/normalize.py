"""Undo the spellings people use to dodge filters, keeping a map back to the original text.

`normalize` runs these steps in this order; each names the evasion kinds it undid:

0. text after a right-to-left override (U+202E), which shows reversed up to its pop (U+202C) or
   the line's end ("\u202eredlof\u202c" reads "folder"), put in reading order: reversed
1. invisible format characters (zero-width spaces and joiners, soft hyphen, direction marks)
   dropped: zero_width
2. regional indicators and circled or squared letters become letters: emoji_letters
3. NFKC and case folding; styled letters (math bold, fullwidth) count as homoglyph
4. leetspeak in tokens that mix letters with 0 1 3 4 5 7 9 $ @ ! €: leet
5. three or more single letters with gaps between them joined: spaced, or dotted
6. punctuation put inside a word dropped: punct_insert (dotted if it split single letters)
7. whitespace runs become one space, ends stripped
8. letters of other scripts that look Latin, in words that read as Latin, mapped: homoglyph
9. three or more of the same letter become two: repeated
10. three or more spelled-out digits (en, es, de, fr, pt) become digits: spelled_digits
11. defanged links made links again: a spelt-out domain first ("sunflower dot example slash
    vault", "x (dot) com", "chirrido punto invalid barra vr22"), then hxxp(s):// and http[:]//,
    and [.] (.) {.} [dot] (dot) or [at] (at) [@] glued to a domain: defanged. Last, so that the
    earlier steps have joined and decoded the pieces ("d0t", "d o t").

No step makes work for an earlier one, so `normalize` is idempotent. URLs, e-mail addresses,
handles and domain or file names are left alone by steps 4, 5, 6 and 9.

The rules for the cases that could go either way:

- spaced, dotted: a gap unlike the run's usual gap separates words ("N e v a e h  s e t" is
  "nevaeh set"; "u.s. e-mail" stays). Two letters stay ("U.S.", "i m"); an article can't be told
  from a letter, so "a s e t" becomes "aset".
- punct_insert: _ * ~ + ^ | and apostrophes never sit inside a word, so pieces they split are
  joined unless all are short common words; contractions and elisions stay (don't, l'homme).
  Hyphens and dots do, so pieces are joined only around a lone letter ("wor.k", "f-older", but
  not "e-mail", "x-ray") or a two-letter fragment that is not a common word ("te-le-gram",
  "li.nk", but not "in-game", "follow-up", "signalez-le").
- leet: a digit or symbol between letters is decoded ("v1ds"); at the start of a token only when
  it reads as leet ("0f", "$et", "901den"); at the end only 0, $, and 3 or 5 after three letters
  ("n0", "driv3"). Numbers, units, ordinals and text-speak stay (2nd, 10am, u14s, b4, any1, 4ever),
  except that a short code-like token whose digits are all leet is decoded when that makes a common
  word in one of the five languages (wordfreq): s37 -> set, re57 -> rest, sh3 -> she, but a320, mp3,
  and f17 or m14 (a sex and an age) stay.
  1 is l after a vowel, and before one at the start or after b c f g p s ("fo1der", "1ink",
  "p1ay"); elsewhere it is i ("v1ds").
- homoglyph: only in a word that also has Latin letters, or in any word when every letter of the
  comment is Latin or looks Latin; genuine Cyrillic and Greek, and accented Latin, stay.
- repeated: letters only, and not in roman numerals (viii, xxx) or URLs (www).
- defanged: a bracketed dot or "at" only with no space inside the domain and a top-level domain
  (`_TLDS`) at its end, so "(at) noon" and "a [.] b" stay, and an "at" only in a token without an
  @; a spelt-out dot only after a word that can be a host (not "a", "the", "every": "a dot com
  startup" stays) and before a top-level domain that is no word (`_SPELLED_TLDS`: "dot to dot",
  "eye dot test" stay), and " slash " only after such a domain. Defanged links are protected from
  steps 4, 6 and 9 as links are. (`ioc-fanger` refangs threat reports, but rewrites whole strings
  without an offset map.)
- spelled_digits: number words split by spaces, commas or hyphens, at least three of them digits;
  "oh" and "o" read as 0 but don't count, "double"/"triple" repeat the next digit.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

_L = r"[^\W\d_]"  # a letter of any script
_SEP = r"[._\-*~+^•|]"  # punctuation people put between letters
_NOT_CONTRACTION = r"['’](?!(?:s|t|re|ve|ll|d|m)(?![^\W_]))"  # don't, she's stay words
_SINGLES = re.compile(rf"(?<![^\W_])(?<![\w._\-*~+^•|]['’]){_L}(?:(?:\s*{_SEP}+\s*|\s+){_L}){{2,}}(?![^\W_])")
_SINGLES_HINT = re.compile(rf"[\s._\-*~+^•|]{_L}(?:\s*{_SEP}+\s*|\s+){_L}(?![^\W_])")
_PIECES = re.compile(rf"(?<![^\W_])(?<![\w._\-*~+^•|]['’]){_L}+(?:[._\-*~+^•|'’]+{_L}+)+(?![^\W_])")
_PIECES_HINT = re.compile(rf"(?:{_SEP}|{_NOT_CONTRACTION}){_L}")  # runs with only don't, it's: no change
_TLDS = (
    "com|net|org|edu|gov|info|biz|io|co|uk|us|ca|au|nz|de|fr|es|pt|br|ru|nl|it|eu|jp|in|me|tv|"
    "gg|ly|to|app|dev|ai|xyz|onion|test|example|invalid|jpg|jpeg|png|gif|webp|mp4|mov|webm|zip|"
    "rar|pdf|txt|html|php|js|py"
)
_DOT = r"[\[({](?:\.|dot)[\])}]"
_AT = r"[\[({](?:at|@)[\])}]"
_SCHEME = r"\b(?:hxxp(s?)(?:\[:\]|\(:\)|:)|http(s?)(?:\[:\]|\(:\)))//"
_DOMAIN_REST = rf"(?:[\w-]+(?:{_DOT}|\.))*(?:{_TLDS})(?![\w-])"  # what follows a domain's dot: ...the tld
_HOST_START = r"(?<![\w.])[\w-]+(?:\.[\w-]+)*"  # a domain's labels before a dot, also after an @ or a hyphen
_ADDRESS_START = r"(?<![\w.+@-])[\w.+-]+"  # an e-mail address before its @
_AT_DOMAIN = rf"[\w-]+(?:{_DOT}|\.){_DOMAIN_REST}"  # the domain after an address's @
_BRACKETED = re.compile(
    rf"{_SCHEME}|{_HOST_START}(?P<dot>{_DOT})(?={_DOMAIN_REST})|{_ADDRESS_START}(?P<at>{_AT})(?={_AT_DOMAIN})"
)
# A domain spelt out: "sunflower dot example slash vault", "chirrido punto invalid barra vr22", "x (dot) com".
# Not after a function word ("a dot com startup", "every dot com"), not before a tld that is a word.
_SPELLED_TLDS = "com|net|org|info|biz|io|me|gg|ly|xyz|onion|example|invalid"
_NOT_HOSTS = "a|an|the|this|that|every|each|any|some|no|my|your|his|her|its|our|their|them|one|dot"
_SPELLED = re.compile(
    rf"(?<![\w.])(?!(?:{_NOT_HOSTS}) )[\w-]+( (?:dot|punto|punkt|point|ponto) | ?{_DOT} ?)"
    rf"(?:{_SPELLED_TLDS})(?![\w-])( (?:slash|barra) (?=\w))?"
)
_DEFANGED_HINT = re.compile(r"[\[({]|hxxp|dot|punto|punkt|point|ponto")  # most comments have none
_PROTECTED = tuple(  # each shape on its own, so that one's match does not hide another's overlapping it
    re.compile(p)
    for p in (
        r"(?:https?://|www\.)\S+",
        r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
        r"(?<![\w@])@[\w.]*\w",
        rf"{_HOST_START}\.(?:{_TLDS})(?![\w-])(?:/\S*)?",
    )
)
_PROTECTED_DEFANGED = tuple(  # the same defanged, so that no step before the refanging changes them
    re.compile(p)
    for p in (
        rf"{_SCHEME}\S+",
        rf"{_HOST_START}{_DOT}{_DOMAIN_REST}(?:/\S*)?",
        rf"{_ADDRESS_START}{_AT}{_AT_DOMAIN}",
        rf"{_SPELLED.pattern}(?:(?<=slash )\S*|(?<=barra )\S*)?",
    )
)
_WS = re.compile(r"\s{2,}|[^\S ]|^\s|\s\Z")
_LEET = dict(zip("0134579$@!€", "oieastgsaie", strict=True))
_LEET_HINT = re.compile(r"[0134579$@!€]")
_LEET_TOKEN = re.compile(r"(?<![\w$@!€])[\w$@!€]*[0134579$@!€][\w$@!€]*")
_LEET_RUN = re.compile(r"[0134579$@!€]+")
_UNIT = re.compile(  # 2nd, 10am, 5km, 1990s, u14s, a320: numbers, not leetspeak
    r"\d+(?:st|nd|rd|th|s|am|pm|[kmbgpxdh]|[kmgt]b|km|kg|cm|mm|ml|hrs?|mins?|yo|yrs?|mph|fps|px)"
    r"|[^\W\d_]{1,2}\d{2,}s?"
)
_CODE = re.compile(r"[^\W\d_]{1,2}\d{2,}")  # the part of _UNIT that leet can also make: s37 (set), a320
_SEX_AGE = re.compile(r"[fmFM]\d{2}")  # "she's f17", "m14": an age, not "fit" or "mia"
LANGUAGES = ("en", "es", "de", "fr", "pt")  # English first; `comments.language` relies on it
_COMMON_ZIPF = 4.0  # once per 100,000 words: "set" 5.6, "rest" 5.2, "she" 6.3; "res" (r35) 3.8, "mpe" (mp3) 0
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_REPEAT_HINT = re.compile(r"(.)\1\1")
_ROMAN = re.compile(r"m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")
_DIGIT_NAMES = (
    "zero one two three four five six seven eight nine",
    "cero uno dos tres cuatro cinco seis siete ocho nueve",
    "null eins zwei drei vier fünf sechs sieben acht neun",
    "zéro un deux trois quatre cinq six sept huit neuf",
    "zero um dois três quatro cinco seis sete oito nove",
)
_DIGITS = {w: str(i) for names in _DIGIT_NAMES for i, w in enumerate(names.split())}
_ZEROS = {"oh": "0", "o": "0"}  # read as zero inside a run, never counted towards one
_DIGIT_VALUES = _DIGITS | _ZEROS
_NUMBER = rf"(?:(?:double|triple)\s+)?(?:{'|'.join(sorted(_DIGITS | _ZEROS, key=len)[::-1])})"
_DIGIT_RUN = re.compile(rf"(?<!\w){_NUMBER}(?:[\s,\-]+{_NUMBER}){{2,}}(?!\w)")
# Words that make a hyphenated or dotted word an ordinary compound: in-game, follow-up.
_SHORT_WORDS = frozenset(
    "a i am an as at be by do go he hi if in is it me my no of oh ok on or so to up us we ai ki ex re tv vs".split()
) | frozenset(_DIGITS | _ZEROS)
_CLITICS = frozenset(  # signalez-le, ajoutez-moi, va-t-il, est-ce
    "le la les lui moi toi nous vous en y leur me te se lo los las lhe nos il elle on ils ce".split()
)
_CONTRACTIONS = frozenset("s t re ve ll d m".split())
_ELISIONS = frozenset("l d j m n s t c qu jusqu lorsqu puisqu quoiqu quelqu aujourd o y".split())
_OVERRIDDEN = re.compile("\u202e([^\u202a-\u202e\u2066-\u2069\n]*)")  # up to the pop, a new override or embedding
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0")
_EMOJI_BLOCKS = (0x1F1E6, 0x24B6, 0x24D0, 0x1F130, 0x1F150, 0x1F170, 0x1F110, 0x249C)
_REGIONAL = range(0x1F1E6, 0x1F200)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Normalized:
    """Normalised text, the span of the original each character came from, evasions undone."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    evasions: frozenset[str]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span [start, end) of `text` to the span of `original` it came from.

        Bounds are clamped to the text; an empty span maps to an empty span at the
        matching place in the original.
        """
        n = len(self.text)
        start = min(max(start, 0), n)
        end = min(max(end, start), n)
        if start < end:
            return self.starts[start], self.ends[end - 1]
        pos = self.starts[start] if start < n else (self.ends[-1] if n else 0)
        return pos, pos


class _Work:
    """The text being normalised, with the span of the original each character came from."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None  # None while the map is still the identity
        self.ends: list[int] = []
        self.evasions: set[str] = set()
        self._protected: list[tuple[int, int]] | None = None

    def apply(self, edits: list[tuple[int, int, list]], kind: str | None = None) -> None:
        """Replace each range (a, b) by pieces (s, i, j): s came from characters i to j - 1."""
        if not edits:
            return
        if kind:
            self.evasions.add(kind)
        if self.starts is None:
            self.starts, self.ends = list(range(len(self.text))), list(range(1, len(self.text) + 1))
        text, starts, ends = self.text, self.starts, self.ends
        parts, new_starts, new_ends, pos = [], [], [], 0
        for a, b, pieces in edits:
            parts.append(text[pos:a])
            new_starts += starts[pos:a]
            new_ends += ends[pos:a]
            for s, i, j in pieces:
                parts.append(s)
                new_starts += [starts[i]] * len(s)
                new_ends += [ends[j - 1]] * len(s)
            pos = b
        self.text = "".join(parts) + text[pos:]
        self.starts, self.ends = new_starts + starts[pos:], new_ends + ends[pos:]
        self._protected = None

    def protected(self, a: int, b: int) -> bool:
        """Whether [a, b) touches a URL, e-mail address, handle or domain name, as a second pass
        will see them: with look-alike letters made Latin (www.uѕ is www.us, a domain)."""
        if self._protected is None:
            skeleton = _skeleton(self.text)
            shapes = _PROTECTED + _PROTECTED_DEFANGED if _DEFANGED_HINT.search(skeleton) else _PROTECTED
            self._protected = [m.span() for shape in shapes for m in shape.finditer(skeleton)]
        return any(s < b and a < e for s, e in self._protected)


def _emoji_letter(c: str) -> str | None:
    cp = ord(c)
    return next((chr(97 + cp - base) for base in _EMOJI_BLOCKS if base <= cp < base + 26), None)


def _undo_override(w: _Work) -> None:
    """Reverse each overridden run of left-to-right letters, a letter's combining marks kept after it;
    a run with Hebrew or Arabic letters already reads in its own order and is left alone."""
    edits = []
    for m in _OVERRIDDEN.finditer(w.text):
        a, b = m.span(1)
        run = w.text[a:b]
        if b - a > 1 and not any(unicodedata.bidirectional(c) in ("R", "AL") for c in run):
            clusters = re.findall(r".[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*", run, re.S)
            edits.append((a, b, [("".join(reversed(clusters)), a, b)]))  # each letter maps to the whole run
    w.apply(edits, "reversed")


def _drop_invisible(w: _Work) -> None:
    text, edits, inside_word = w.text, [], False
    for m in _NON_ASCII.finditer(text):
        i, c = m.start(), m.group()
        selector = 0xFE00 <= ord(c) <= 0xFE0F or 0xE0100 <= ord(c) <= 0xE01EF  # emoji style
        if selector or c in _INVISIBLE or unicodedata.category(c) == "Cf":
            edits.append((i, i + 1, []))
            near = text[i - 1 : i].isalnum() or text[i + 1 : i + 2].isalnum()
            inside_word |= near and not selector
    w.apply(edits, "zero_width" if inside_word else None)


def _refang(w: _Work) -> None:
    """Defanged links made links again (step 11): spelt-out domains first, so that the brackets
    before them ("x[at]mail dot example") see a domain."""
    if not _DEFANGED_HINT.search(w.text):
        return
    edits = []
    for m in _SPELLED.finditer(w.text):
        edits.append((*m.span(1), [(".", *m.span(1))]))
        if m.group(2):
            edits.append((*m.span(2), [("/", *m.span(2))]))
    w.apply(edits, "defanged")
    edits = []
    for m in _BRACKETED.finditer(w.text):
        if m.group("dot"):
            edits.append((*m.span("dot"), [(".", *m.span("dot"))]))
        elif m.group("at"):
            edits.append((*m.span("at"), [("@", *m.span("at"))]))
        else:
            edits.append((*m.span(), [(f"http{m.group(1) or m.group(2) or ''}://", *m.span())]))
    w.apply(edits, "defanged")


@lru_cache(maxsize=65536)
def _fold(chunk: str) -> tuple[str, str | None]:
    """NFKC and case folding of a character with its combining marks, to a fixed point."""
    letter = _emoji_letter(chunk[0])
    out = unicodedata.normalize("NFKC", letter + chunk[1:] if letter else chunk)
    while (folded := unicodedata.normalize("NFKC", out.casefold())) != out:
        out = folded
    if letter:
        return out, "emoji_letters"
    styled = unicodedata.decomposition(chunk[0]).startswith(("<font>", "<wide>"))
    return out, "homoglyph" if styled and out.isascii() and out.isalpha() else None


def _wordish(chunk: str) -> bool:
    """Whether a later step may read `chunk` (a character with its combining marks) as part of a word."""
    return _emoji_letter(chunk[0]) is not None or any(x.isalnum() or x in "$@!€" for x in _fold(chunk)[0])


def _fold_unicode(w: _Work) -> None:
    text = w.text = w.text.translate(_ASCII_LOWER)
    edits: list = []
    for m in _NON_ASCII_RUN.finditer(text):
        i = m.start() - 1 if m.start() and unicodedata.combining(text[m.start()]) else m.start()
        _fold_run(w, text, i, m.end(), edits)
    w.apply(edits)


def _fold_run(w: _Work, text: str, i: int, end: int, edits: list) -> None:
    n = len(text)
    while i < end:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        if ord(text[i]) in _REGIONAL and not (i and ord(text[i - 1]) in _REGIONAL):
            k = i + 1
            while k < n and ord(text[k]) in _REGIONAL:
                k += 1
            b = i  # the letter before with its combining marks (A + U+0300 reads as À, as a second pass sees it)
            while b and unicodedata.combining(text[b - 1]):
                b -= 1
            before = text[max(b - 1, 0) : i] or " "  # a leading mark alone may fold to a letter: U+0345 is ι
            if k - i == 2 and not _wordish(before) and not _wordish(text[k : k + 1] or " "):
                i = k  # a lone pair of regional indicators is a flag
                continue
        out, kind = _fold(text[i:j])
        if out != text[i:j]:
            edits.append((i, j, [(out, i, j)]))
            w.evasions.update([kind] if kind else [])
        i = j


def _one(before: str, after: str) -> str:
    """Read 1 as l after a vowel, in a doubled l, at the end of a word (girl, all), and before a vowel
    at the start or in bl cl fl gl pl sl; otherwise as i."""
    p1, p2, n1 = before[-1:] or " ", before[-2:-1] or " ", after[:1] or " "
    vowels = "aeiou"
    at_end = not after[:1].isalpha() and p1.isalpha()
    if p1 in vowels or (p1 == "l" and p2 in vowels) or (p1 in " bcfgps" and n1 in vowels) or at_end:
        return "l"
    return "i"


@lru_cache(maxsize=4096)
def _zipf(word: str) -> float:
    """How common `word` is in the most fitting supported language (wordfreq's small lists)."""
    from wordfreq import zipf_frequency

    return max(zipf_frequency(word, lang, wordlist="small") for lang in LANGUAGES)


def _common_word(word: str) -> bool:
    """Whether `word` is common in one of the supported languages."""
    return _zipf(word) >= _COMMON_ZIPF


@lru_cache(maxsize=4096)
def _split_point(word: str) -> int | None:
    """Where a spaced-out run that spans two words splits (f i n d h e r -> find|her), or None.
    Only a run that is no word at all (Zipf 0: not "rosemary") and splits into a very common word
    (Zipf 5: her, find, works) and a word (Zipf 3: vids), so names made of names stay whole
    (mary|ann, ash|leigh, kay|linn); the split whose rarer part is most common wins."""
    if len(word) < 5 or _zipf(word) > 0:
        return None
    best = max(range(2, len(word) - 1), key=lambda k: min(_zipf(word[:k]), _zipf(word[k:])))
    rare, common = sorted((_zipf(word[:best]), _zipf(word[best:])))
    return best if rare >= 3.0 and common >= 5.0 else None


def warm_lexicon() -> None:
    """Load the word lists now (about 0.1 s), not on the first comment that needs them."""
    _common_word("zzzq")


def _decode(tok: str, spans) -> str:
    """`tok` with the leet runs at `spans` read as letters (1 as l or i, see `_one`)."""
    out = list(tok)
    for a, b in sorted(spans):
        for k in range(a, b):
            after = _LEET.get(tok[k + 1 : k + 2], tok[k + 1 : k + 2])
            out[k] = _one("".join(out[max(k - 2, 0) : k]), after) if tok[k] == "1" else _LEET[tok[k]]
    return "".join(out)


def _decode_if_word(tok: str) -> str | None:
    """A code-like token (s37, re57, sh3, but also a320, u14, mp3) decoded when every digit is leet,
    not all of them are 0 or 1 (v10, b10, s01 are codes far more often), and the result is a common
    word (set, rest, she); None otherwise."""
    runs = [m.span() for m in _LEET_RUN.finditer(tok)]
    leet = "".join(tok[a:b] for a, b in runs)
    plain = _skeleton(tok)  # judged, and 1 read, as a second pass would (е14 is e14)
    if not all(c.isalpha() or c in _LEET for c in tok) or set(leet) <= {"0", "1"} or _SEX_AGE.fullmatch(plain):
        return None
    skeleton = _decode(plain, runs)
    if not _common_word(skeleton.lower()):
        return None
    return "".join(c if c not in _LEET else skeleton[k] for k, c in enumerate(tok))


def _leet_token(tok: str) -> str | None:
    """Decode one token, or None when it is a number, unit, ordinal or text-speak like b4."""
    if _UNIT.fullmatch(tok):
        return _decode_if_word(tok) if _CODE.fullmatch(tok) else None
    runs = [m.span() for m in _LEET_RUN.finditer(tok)]

    def letter(k: int) -> bool:
        return 0 <= k < len(tok) and tok[k].isalpha()

    inner = {  # between letters, except any1s, some1
        (a, b)
        for a, b in runs
        if letter(a - 1) and letter(b) and not (tok[a:b] == "1" and tok[:a].endswith(("any", "some", "no")))
    }
    chosen = set(inner)
    for a, b in runs:
        s = tok[a:b]
        if s[0] in "!@" or (a, b) in inner:
            continue  # !!wow, @handle
        if a == 0 and letter(b) and (len(s) > 1 or s in "0$€5179" or inner):
            chosen.add((a, b))  # 0f, $et, 1ink, 7he, 901den; not 4ever, 3d (a unit)
        elif b == len(tok) and letter(a - 1) and "!" not in s and "@" not in s:
            word1 = s == "1" and a >= 3 and not tok[:a].endswith(("any", "some", "no"))
            short = s in "35" and a == 2 == len(tok) - 1 and tok[:2].isalpha() and _decode_if_word(tok) is not None
            late = (s in "357" and a >= 3) or (s == "7" and a == 2) or word1 or short
            if s == "0" or "$" in s or (inner and b - a == 1) or late:
                chosen.add((a, b))  # n0, addre$5, driv3, jus7, v1d5, gir1; not b4, mp3, any1
    return _decode(tok, chosen) if chosen else None


def _undo_leet(w: _Work) -> None:
    if not _LEET_HINT.search(w.text):
        return
    edits = []
    for m in _LEET_TOKEN.finditer(w.text):
        a, token = m.start(), m.group().rstrip("!@")  # hello! is punctuation
        decoded = _leet_token(token) if token else None
        while decoded and (again := _leet_token(decoded)) and again != decoded:
            decoded = again  # $e47 -> se47 -> seat: decide now what a second pass would
        mark = unicodedata.combining(w.text[a + len(token) : a + len(token) + 1] or " ")
        if decoded and not mark and not w.protected(a, a + len(token)):  # mark: keep NFKC stable
            edits.append((a, a + len(token), [(c, a + k, a + k + 1) for k, c in enumerate(decoded)]))
    w.apply(edits, "leet")


def _join_letters(w: _Work, m: re.Match[str]) -> list:
    """Join a run of single letters; a gap unlike the usual one between them separates words."""
    text = w.text
    letters = [i for i in range(m.start(), m.end()) if text[i].isalpha()]
    gaps = [text[i + 1 : j] for i, j in zip(letters, letters[1:], strict=False)]
    # A letter glued to a word by a gap unlike the others starts that word: u.s. e-mail.
    # One glued by an apostrophe always does: c o n t e n u s d'abus.
    after, before = text[m.end() : m.end() + 3], text[max(m.start() - 2, 0) : m.start()]
    last = re.match(_NOT_CONTRACTION + _L, _skeleton(after)) or re.match(_SEP + _L, after) and gaps[-1] != gaps[-2]
    first = re.search(_L + _SEP + r"\Z", before) and gaps[0] != gaps[1]
    letters = letters[1 if first else 0 : -1 if last else None]
    gaps = gaps[1 if first else 0 : -1 if last else None]
    if len(letters) < 3 or w.protected(letters[0], letters[-1] + 1):
        return []
    usual, groups = Counter(gaps).most_common(1)[0][0], [[letters[0]]]
    for gap, j in zip(gaps, letters[1:], strict=True):
        if gap == usual:
            groups[-1].append(j)
        else:
            groups.append([j])
    if any(len(a) == len(b) == 1 for a, b in zip(groups, groups[1:], strict=False)):
        groups = [letters]  # lone letters side by side would make a new run after collapsing
    edits = []
    for g in (g for g in groups if len(g) > 1):
        spaced = all(c.isalpha() or c.isspace() for c in text[g[0] : g[-1]])
        w.evasions.add("spaced" if spaced else "dotted")
        pieces = [(text[i], i, i + 1) for i in g]
        if spaced and (k := _split_point("".join(text[i] for i in g).lower())) is not None:
            pieces.insert(k, (" ", g[k - 1] + 1, g[k]))  # the gap between the two words' letters
        edits.append((g[0], g[-1] + 1, pieces))
    return edits


def _join_singles(w: _Work) -> None:
    if _SINGLES_HINT.search(" " + w.text):
        w.apply([e for m in _SINGLES.finditer(w.text) for e in _join_letters(w, m)])


def _inserted(words: list[str], seps: list[str]) -> tuple[int, int] | None:
    """Which of the pieces make one word with punctuation put inside it (first, last), or None."""
    apostrophe = ["'" in sep or "’" in sep for sep in seps]
    contracted = [a and word in _CONTRACTIONS for a, word in zip(apostrophe, words[1:], strict=True)]
    # A letter before a contraction is the end of a word, not an elision: gir.l's, ki-d's.
    elided = [a and word in _ELISIONS and not c for a, word, c in zip(apostrophe, words, contracted, strict=False)]
    # An elision first (l'ex-petit) or a contraction last (Sl-oane's) is kept and the rest judged;
    # anywhere else it makes the run ordinary text (aujourd'hui, don't).
    first, last = int(elided[0]), len(words) - 1 - int(contracted[-1] and not elided[-1])
    if any(elided[first:last]) or any(contracted[first:last]):
        return None
    words, seps = words[first : last + 1], seps[first:last]
    if len(words) < 2 or len(words) == 2 and len(words[0]) == len(words[1]) == 1:
        return None  # e.g, u.s
    span = first, last
    if any(c not in ".-" for sep in seps for c in sep):  # _ * ' and the like: never in a word
        return None if all(word in _SHORT_WORDS for word in words) else span
    if words[-1] in _CLITICS or (words[0] in ("e", "x") and seps[0] == "-"):
        return None  # signalez-le, e-mail, x-ray
    singles = [word for word in words if len(word) == 1]
    if len(singles) >= 2 or len(words) == 2 and set(singles) - _SHORT_WORDS:
        return span  # v-i-déos, wor.k, f-older
    if any(len(word) == 2 for word in words) and not set(words) & _SHORT_WORDS:
        return span  # te-le-gram, li.nk
    return None


def _join_pieces(w: _Work) -> None:
    if not _PIECES_HINT.search(w.text):
        return
    edits = []
    for m in _PIECES.finditer(w.text):
        spans = [(x.start() + m.start(), x.end() + m.start()) for x in re.finditer(_L + "+", m.group())]
        seps = [w.text[b:a] for (_, b), (a, _) in zip(spans, spans[1:], strict=False)]
        # Judge pieces as steps 8 and 9 will leave them, so that a second pass judges alike.
        words = [_REPEAT.sub(r"\1\1", _skeleton(w.text[a:b])) for a, b in spans]
        found = _inserted(words, seps)
        if found and not w.protected(*m.span()):
            (a, _), (_, b) = spans[found[0]], spans[found[1]]
            edits.append((a, b, [(w.text[i], i, i + 1) for i in range(a, b) if w.text[i].isalpha()]))
            singles = sum(y - x == 1 for x, y in spans[found[0] : found[1] + 1])
            w.evasions.add("dotted" if singles >= 2 else "punct_insert")
    w.apply(edits)


def _collapse_whitespace(w: _Work) -> None:
    text = w.text
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return
    n = len(text)
    w.apply([(a, b, [] if a == 0 or b == n else [(" ", a, b)]) for a, b in (m.span() for m in _WS.finditer(text))])


@lru_cache(maxsize=65536)
def _script(c: str) -> str:
    from confusable_homoglyphs import categories

    return categories.alias(c)


@lru_cache(maxsize=65536)
def _latin_lookalike(c: str) -> str | None:
    """The ASCII letter that a letter of another script looks like, from Unicode's data."""
    if c.isascii() or not c.isalpha() or _script(c) in ("LATIN", "COMMON", "INHERITED"):
        return None
    from confusable_homoglyphs import confusables

    for form in dict.fromkeys((c, c.upper())):  # the capital may look Latin: т and Т
        for found in confusables.is_confusable(form, preferred_aliases=["latin"]) or []:
            for glyph in found["homoglyphs"]:
                target = glyph["c"].casefold()
                if len(target) == 1 and target.isascii() and target.isalpha():
                    return target
    return None


def _skeleton(text: str) -> str:
    """`text` with every letter that looks Latin made Latin, to judge it as a second pass will."""
    return text if text.isascii() else "".join(_latin_lookalike(c) or c for c in text)


def _map_homoglyphs(w: _Work) -> None:
    """Map look-alike letters in words that mix scripts, and in every word when the comment
    has no other-script letter that looks unlike Latin; real Cyrillic or Greek stays."""
    text = w.text
    if text.isascii():
        return
    chars = {c for c in set(text) if not c.isascii() and c.isalpha()}
    if not any(map(_latin_lookalike, chars)):
        return
    foreign = any(not _latin_lookalike(c) and _script(c) not in ("LATIN", "INHERITED") for c in chars)
    edits = []
    for m in re.finditer(r"\w+", text):
        if m.group().isascii():
            continue
        latin = any(c.isalpha() and (c.isascii() or _script(c) == "LATIN") for c in m.group())
        for i in range(m.start(), m.end()) if latin or not foreign else ():
            target = _latin_lookalike(text[i])
            if target and not unicodedata.combining(text[i + 1 : i + 2] or " "):
                edits.append((i, i + 1, [(target, i, i + 1)]))
    w.apply(edits, "homoglyph")


def _collapse_repeats(w: _Work) -> None:
    text, edits = w.text, []
    if not _REPEAT_HINT.search(text):
        return
    for word in re.finditer(r"\w+", text):
        if _ROMAN.fullmatch(word.group()):
            continue  # viii, xxx
        for m in _REPEAT.finditer(text, word.start(), word.end()):
            a, b = m.span()
            if not w.protected(a, b):  # www.
                edits.append((a, b, [(text[a], a, a + 1), (text[a + 1], a + 1, b)]))
    w.apply(edits, "repeated")


def _spell_digits(w: _Work) -> None:
    if not _DIGITS.keys() & set(w.text.replace(",", " ").replace("-", " ").split()):
        return
    edits = []
    for m in _DIGIT_RUN.finditer(w.text):
        words = [(x.group(), x.start() + m.start(), x.end() + m.start()) for x in re.finditer(r"[^\s,\-]+", m.group())]
        pieces, times, start = [], 1, None
        for word, a, b in words:
            if word in ("double", "triple"):
                times, start = (2 if word == "double" else 3), a
            else:
                pieces.append((_DIGIT_VALUES[word] * times, a if start is None else start, b))
                times, start = 1, None
        if sum(word in _DIGITS for word, _, _ in words) >= 3:
            edits.append((m.start(), m.end(), pieces))
    w.apply(edits, "spelled_digits")


def normalize(text: str) -> Normalized:
    """Undo filter-dodging spellings in `text`; the module docstring lists the steps."""
    w = _Work(text)
    if text.isascii():
        w.text = text.lower()
    else:
        _undo_override(w)
        _drop_invisible(w)
        _fold_unicode(w)
    _undo_leet(w)
    _join_singles(w)  # before whitespace is collapsed: a double space separates two words
    _collapse_whitespace(w)
    _join_singles(w)  # and after, for runs that collapsing brought together
    _join_pieces(w)
    _map_homoglyphs(w)
    _collapse_repeats(w)
    _spell_digits(w)
    _refang(w)
    if w.starts is None:  # nothing moved: the map is the identity
        return Normalized(text, w.text, tuple(range(len(text))), tuple(range(1, len(text) + 1)), frozenset())
    return Normalized(text, w.text, tuple(w.starts), tuple(w.ends), frozenset(w.evasions))

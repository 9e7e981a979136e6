"""Identity and PII signals: who or where a comment points at.

None of these supports a label alone (a phone number is not harm); each names
a concept that `combinations.yaml` ties to a victim reference or a threat.
Phone numbers go through Google's `phonenumbers`; for scoring, NER (spaCy) runs
only when a cheaper cue in the comment already fired, because it is the costly
part. A flagged comment's mask for reviewers runs NER and the name lists anyway
(`RuleEngine.named`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import phonenumbers

from comments.language import language_of
from comments.nlp import Artifacts
from comments.normalize import LANGUAGES
from comments.signals.base import Signal
from comments.signals.prefilter import LiteralGate
from comments.types import Evidence, Span

# Pieces of the ADDRESS pattern: words that cannot be part of a Spanish or Portuguese street's name,
# units that make the number after a "...weg" a count, and German "...weg" words that are no street.
_SMALL_WORDS = (
    r"(?:que|por|con|sin|hasta|hace|desde|para|sem|até|com|em|en|y|e|o|a|al|el|la|las|los|mi|tu|su|un|una|uns"
    r"|umas?|mas|más|pero|durante|todo|toda|cada|muy|muito|ya|já|no|não|se|me|te|le|lo)"
)
_UNITS = (
    r"(?:horas?|h|d[íi]as?|minutos?|min|minuten|stunden?|std|km|m|meter|mal|vezes|veces|años?|anos|jahren?|tagen?"
    r"|amigos?|personas?|pessoas?|leute|euros?|bier)"
)
_NOT_STREET_WEG = r"(?:schul|heim|fuss|arbeits|rück|rueck|hin|um|aus|lebens|rad|wander|fahr|nachhause|ab|zu)"

# The last character of a link: never the sentence's punctuation or a closing bracket or quote.
_URL_END = r"[^\s.,;:!?'\")\]}>”’»›…]"

PATTERNS: dict[str, tuple[str, re.Pattern]] = {
    "EMAIL": ("email", re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")),
    # A link never ends in the sentence's punctuation: "see x.example/set." masks to "see [URL]."
    "URL": (
        "url",
        re.compile(
            rf"\b(?:https?://|www\.)\S*{_URL_END}"
            rf"|\b[a-z0-9-]+\.(?:com|net|org|io|me|ly|gg|to|example|test|invalid)/(?:\S*{_URL_END})?"
        ),
    ),
    "HANDLE": ("handle", re.compile(r"(?<![\w@.])@[a-z0-9_][a-z0-9_.]{1,29}\b|\bu/[a-z0-9_-]{3,20}\b")),
    # Street addresses as each language writes them (on normalised text, where ß is ss): "412 alder
    # brook lane"; "ringelstrasse 14", "lindenweg 7"; "calle de los olmos 77", "rua das acácias, 212";
    # "12 allée des lilas". A street's own words never include the small words of a sentence ("calle
    # hasta las 3"), and a unit after the number makes it a count ("schulweg 20 minuten").
    "ADDRESS": (
        "address",
        re.compile(
            r"\b\d{1,5}\s+(?:[a-z]+\s+){1,3}(?:street|st|lane|ln|avenue|ave|road|rd|court|ct|drive|dr|way|place|pl"
            r"|terrace|blvd|boulevard|calle|rua|avenida|straße|strasse|weg|rue)\b"
            rf"|\b(?!{_NOT_STREET_WEG}weg\b)(?:[a-zäöü]+(?:strasse|str\.|weg|gasse|allee)|strasse)\s+\d{{1,4}}[a-z]?\b"
            rf"(?!\s*{_UNITS}\b)"
            r"|\b(?:calle|avenida|avda\.|paseo|traves[íi]a|travessa|rua)\s+(?:(?:de|del|da|do|das|dos)\s+(?:(?:la|las|los)\s+)?)?"
            rf"(?:(?!{_SMALL_WORDS}\b)[a-zà-ÿ'’.-]+\s+){{0,2}}(?!{_SMALL_WORDS}\b)[a-zà-ÿ'’.-]+,?\s+(?:n[º°o]\.?\s*)?\d{{1,4}}\b"
            rf"(?!\s*{_UNITS}\b)"
            r"|\b\d{1,4},?\s+(?:(?:rue|all[ée]e|boulevard|chemin|impasse|quai)\s+(?:de\s+la\s+|d[eu]s?\s+|d['’]|l['’])?"
            r"|avenue\s+(?:de\s+la\s+|d[eu]s?\s+|d['’]))[a-zà-ÿ'’-]+"
        ),
    ),
    # A bare "high" is a school's name ("brindle creek high") unless a word before or after makes it
    # the adjective ("so high this year", "high on", "sky high").
    "SCHOOL": (
        "school",
        re.compile(
            r"\b(?:[a-z]+\s+){1,3}(?:high school|middle school|junior high|elementary|academy|prep"
            r"|(?<!\bso )(?<!\btoo )(?<!\bvery )(?<!\bhow )(?<!\bas )(?<!\bsky )(?<!\bso damn )(?<!\breally )"
            r"(?<!\bpretty )(?<!\bwent )(?<!\bgot )(?<!\bget )(?<!\bis )(?<!\bwas )(?<!\bare )(?<!\bwere )(?<!'s )"
            r"(?<!\btime )(?<!\bknee )(?<!\bfeet )(?<!\bwaist )(?<!\baimed )(?<!\briding )(?<!\bflying )high)\b"
            r"(?!\s*(?:on|as|up|five|quality))"
        ),
    ),
    "AGE": (
        "age",
        re.compile(
            r"\b(?:she'?s|he'?s|she is|he is|turned|turns|aged?|now)\s+(?:like\s+)?(\d{1,2})\b"
            r"(?:\s*(?:now|years old|yo|y/o))?"
        ),
    ),
    "RELATIVE": (
        "relative",
        re.compile(
            r"\b(?:her|his)\s+(?:mom|mother|dad|father|brother|sister|aunt|uncle|grandma|grandpa|cousin|stepdad|husband|boyfriend|kids?|son|daughter)\b"
        ),
    ),
    "WORKPLACE": (
        "workplace",
        # the span is the place, and up to two more words of its name: "works at [cobble cafe]"
        re.compile(
            r"\b(?:works|working|job|shift|shifts|employed|cashier|waitress|barista)\s+(?:at|in)\s+"
            r"(?P<place>(?:the\s+)?[^\s,.;:!?]+(?:\s+(?!(?:every|on|in|at|and|but|or|now|since|until|from|with|for|so"
            r"|lol|most|usually|nights?|days?|weekends?|mornings?|after|before|near|by|to|if|when)\b)[^\s,.;:!?]+){0,2})"
        ),
    ),
}
_DIGITS = re.compile(r"\d[\d\s().+-]{5,}\d")
# Literals each pattern needs: most comments have none of them, and one literal pass is cheap.
_GATE = LiteralGate({entity: pattern for entity, (_, pattern) in PATTERNS.items()})
NER_ENTITIES = {
    "PERSON": ("NAME", "name"),
    "GPE": ("PLACE", "place"),
    "LOC": ("PLACE", "place"),
    "FAC": ("PLACE", "place"),
    "ORG": ("ORG", "org"),
}


class PiiSignal(Signal):
    """E-mails, URLs, handles, street addresses, schools, ages, relatives, workplaces and phone numbers."""

    name = "pii"
    EXAMPLES = (
        ("call her at (212) 555-0143", frozenset({"PHONE"})),
        ("she's 19 now and goes to Brindle Creek High", frozenset({"AGE", "SCHOOL"})),
        ("her dad works at the Fenwick Diner", frozenset({"RELATIVE", "WORKPLACE"})),
        ("lives at 412 Alder Brook Lane", frozenset({"ADDRESS"})),
        ("wohnt jetzt in der Ringelstraße 14", frozenset({"ADDRESS"})),
        ("mora na Rua das Acácias, 212", frozenset({"ADDRESS"})),
        ("vive en la Calle de los Olmos 77", frozenset({"ADDRESS"})),
        ("habite au 12 allée des Lilas", frozenset({"ADDRESS"})),
        ("set the table for 2 place settings", frozenset()),
        ("estuve en la calle hasta las 3, fiquei na rua por 3 horas", frozenset()),
        ("mein Schulweg dauert 20 Minuten, j'ai 2 cours de maths et 1 place de parking", frozenset()),
        ("she's high, an all time high, knee high grass", frozenset()),
        ("follow @kayla.d04 or mail kd@example.com", frozenset({"HANDLE", "EMAIL"})),
        ("the price went so high this year", frozenset()),
        ("the tide is high and prices are sky high", frozenset()),
    )

    def analyze(self, art: Artifacts) -> list[Evidence]:
        """Every identifier found, as concept evidence without a label."""
        out = []
        for entity in _GATE.passing(art.text):
            concept, pattern = PATTERNS[entity]
            group = "place" if "place" in pattern.groupindex else 0
            for m in pattern.finditer(art.text):
                out.append(self._make(art, entity, concept, *m.span(group)))
        if _DIGITS.search(art.text):
            out += self._phones(art)
        return out

    def _phones(self, art: Artifacts) -> list[Evidence]:
        found: dict[tuple[int, int], Evidence] = {}
        for region in ("US", "GB"):
            for m in phonenumbers.PhoneNumberMatcher(art.text, region, leniency=phonenumbers.Leniency.POSSIBLE):
                found.setdefault((m.start, m.end), self._make(art, "PHONE", "phone", m.start, m.end))
        return list(found.values())

    def _make(self, art: Artifacts, entity: str, concept: str, start: int, end: int) -> Evidence:
        return Evidence(
            self.name,
            f"pii.{concept}",
            None,
            0.0,
            art.to_original(start, end),
            f"Identifier: {concept}",
            concept=concept,
            entity=entity,
        )


class NerSignal(Signal):
    """People and places named in a comment (spaCy NER), run only behind a cue."""

    name = "ner"
    EXAMPLES = (("that's Kayla Dorsey from the set, she lives in East Marionfort", frozenset({"NAME"})),)

    def analyze(self, art: Artifacts) -> list[Evidence]:
        """Named people, places and organisations."""
        out = []
        for ent in art.entities:
            entity, concept = NER_ENTITIES[ent.label_]
            out.append(
                Evidence(
                    self.name,
                    f"ner.{concept}",
                    None,
                    0.0,
                    Span(ent.start_char, ent.end_char),  # NER ran on the original text
                    f"Named {concept}",
                    concept=concept,
                    entity=entity,
                )
            )
        return out


# Faker's name lists of the languages the corpus speaks (and of their neighbours: names travel).
NAME_LIST_LOCALES = ("es_ES", "es_MX", "de_DE", "de_AT", "fr_FR", "fr_CA", "pt_BR", "pt_PT", "it_IT", "en_US")
COMMON_WORDS = 1500  # a first name among the language's commonest words ("Rosa", "Santa", "Paz") is left alone
_CAPITALISED = re.compile(r"(?<![\w@#/.])[^\W\d_]{3,}(?![^\W\d_]|['\u2019][tT]\b)")  # not "weren" of "weren't"
_SPELT = re.compile(r"[^\W\d_](?:[\W_]+[^\W\d_])+")  # letters one by one with gaps: "N e v a e h", "n_e_v_a_e_h"
_NAMING = frozenset("that's thats its it's is named called name's by es é est ist".split())
_EMAIL_TAIL = re.compile(r"[\w.+-]*@")
_MATERIAL = re.compile(
    r"\s+(?:sets?|series|vid[sz]?|videos?|folders?|pics?|pix|files?|clips?|albums?|stuff|ones?|girls?|kids?"
    r"|bundles?|collections?)\b",
    re.I,
)
_LOCATIVE = frozenset("in im nach bei aus en em à au vers na no nos nas de da do près".split())


@cache
def _names() -> tuple[frozenset[str], frozenset[str]]:
    """First names and last names of Faker's lists for NAME_LIST_LOCALES."""
    import importlib

    first: set[str] = set()
    last: set[str] = set()
    for loc in NAME_LIST_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        first.update(provider.first_names)
        last.update(provider.last_names)
    return frozenset(first), frozenset(last)


@cache
def _words(lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """The language's COMMON_WORDS most frequent words, and every word of wordfreq's small list for it
    (31,000 to 39,000, down to about one in a million words), casefolded as wordfreq keeps them."""
    from wordfreq import top_n_list

    words = top_n_list(lang, 10**6, "small")
    return frozenset(words[:COMMON_WORDS]), frozenset(words)


class NameListSignal(Signal):
    """Names and made-up places in a comment in Spanish, German, French or Portuguese, which the
    English NER model misses. A capitalised word is a NAME when Faker lists it as a first name and it
    is not among the language's commonest words, or lists it as a last name and the language's word
    list (wordfreq's small list) lacks it or a name comes just before it ("Nerea Altozano", not "der
    Koch"); a word the list lacks is a PLACE after "in", "en", "à", "em", ... and a NAME just after a
    name. Spans only, for masking what reviewers see: no concept, so no rule, combination or score
    reads them."""

    name = "names"
    EXAMPLES = (
        ("Alguém tem mais da Bianca? Só tenho as primeiras.", frozenset({"NAME"})),
        ("Tausche Johannas Videos. Sie wohnt übrigens jetzt in Kleinwarbach.", frozenset({"NAME", "PLACE"})),
        ("Das ist doch der Ordner mit den Videos, schau in die Gruppe.", frozenset()),
        ("Viel Spaß und Grüße an die Meldestelle, der Koch und der Fischer kommen auch.", frozenset()),
        ("that's Kayla Dorsey from the set", frozenset()),  # English: NER's job
    )

    def __init__(self) -> None:
        _names()  # load the lists now, not on the first comment in another language
        for lang in LANGUAGES:
            _words(lang)

    def analyze(self, art: Artifacts) -> list[Evidence]:
        """A NAME or PLACE span for each such word of a comment that is not in English."""
        lang = language_of(art.text)  # the same vote, on the same text, as the pipeline's gate
        return [] if lang == "en" else self._find(art.original, lang, any_case=False)

    def uncapitalised(self, art: Artifacts, names: list[Evidence] = ()) -> list[Evidence]:
        """The same in any language, for words in any case ("kayla dorsey") and written with an evasion
        the normaliser undoes ("k4yla d0rsey", look-alike letters: read on the normalised text and mapped
        back), every capitalised word the language's word list lacks ("Nevaeh"), which NER misses, and
        every word spelt out letter by letter that the list lacks ("N e v a e h", "k a y l a d o r s e y"):
        to mask a flagged comment for reviewers, where masking a word too many costs a click to reveal.
        Also two unknown words side by side ("nevaeh brightwater"), and an unknown word just after a name,
        one of this list's or one of `names` (NER's, on the original: "Nev aeh"). On the normalised text
        also an unknown lowercase word right after "that's", "its", "is", ... unless material follows
        ("its corliss from the vids", not "its treehouse s3t")."""
        lang = language_of(art.text)
        ends = frozenset(e.span.end for e in names if e.entity == "NAME")
        return self._find(art.original, lang, True, name_ends=ends) + self._find(art.text, lang, True, art)

    def _find(
        self,
        text: str,
        lang: str,
        any_case: bool,
        normalised: Artifacts | None = None,
        name_ends: frozenset[int] = frozenset(),
    ) -> list[Evidence]:
        """Name and place spans in `text`; in any case, also unknown words in pairs or after a name (one
        found here or ending at one of `name_ends`); for `normalised`'s text (spans mapped back to its
        original), also its unknown words that the original spells out letter by letter or that a naming
        cue precedes."""
        to_original = normalised.to_original if normalised else Span
        spelt = normalised.original if normalised and {"spaced", "dotted"} & normalised.norm.evasions else None
        known = _words(lang)[1]
        out, name_end, stranger_end = [], -10, -10
        for m in _CAPITALISED.finditer(text):
            word = m.group(0)
            capitalised = word[0].isupper() and not word.isupper()
            if not (capitalised or any_case):
                continue
            gap = _space_before(text, m.start())
            after_name = 0 < gap <= 2 and m.start() - gap == name_end
            before = text[max(0, m.start() - 30) : m.start()].split()
            entity = _entity(word.capitalize(), lang, after_name, before[-1].casefold() if before else "")
            span = to_original(m.start(), m.end())
            if any_case and not entity and word.casefold() not in known:
                named = (  # "its corliss from the vids", not "its treehouse set" nor "is jo.k@mail.com"
                    normalised is not None
                    and before
                    and before[-1].casefold().replace("\u2019", "'") in _NAMING
                    and _MATERIAL.match(text, m.end()) is None
                    and _EMAIL_TAIL.match(text, m.end()) is None
                )
                # a word no language's list knows beside another or after NER's name: "nevaeh brightwater", "Nev aeh"
                stranger = lang == "en" and _stranger(m)  # others: verb forms the lists lack
                paired = stranger and (
                    m.start() - 1 == stranger_end or m.start() - gap in name_ends or _stranger_next(text, m.end())
                )
                if (
                    capitalised
                    or named
                    or paired
                    or (spelt is not None and _SPELT.fullmatch(spelt[span.start : span.end]))
                ):
                    entity = "NAME"  # a word the language does not know: "Nevaeh", "Cobbleridge", "N e v a e h"
                stranger_end = m.end() if stranger else -10
            if entity:
                out.append(
                    Evidence(
                        self.name,
                        f"names.{entity.lower()}",
                        None,
                        0.0,
                        span,
                        f"Named {entity.lower()}",
                        entity=entity,
                    )
                )
                if entity == "NAME":
                    name_end = m.end()
        return out


def _space_before(text: str, i: int) -> int:
    """How many whitespace characters run up to `text[i]`."""
    j = i
    while j > 0 and text[j - 1].isspace():
        j -= 1
    return i - j


@cache
def _any_known() -> frozenset[str]:
    """Every word of the five languages' lists (`_words`)."""
    return frozenset().union(*(_words(lang)[1] for lang in LANGUAGES))


def _stranger(m: re.Match[str]) -> bool:
    """Whether `m`'s word is in no language's list and in Latin letters (not "lіnkѕ" in look-alikes)."""
    word = m.group()
    return word.casefold() not in _any_known() and all(unicodedata.name(c, "").startswith("LATIN") for c in word)


def _stranger_next(text: str, end: int) -> bool:
    """Whether the word one character (a space, a hyphen, a comma...) after `end` is a `_stranger` too."""
    sep = text[end : end + 1]
    nxt = _CAPITALISED.match(text, end + 1) if sep and not sep.isalnum() else None
    return nxt is not None and _stranger(nxt)


def _entity(word: str, lang: str, after_name: bool, previous: str) -> str | None:
    """NAME, PLACE or None for one capitalised word (see NameListSignal)."""
    first, last = _names()
    common, known = _words(lang)
    folded = word.casefold()
    stem = word[:-1] if lang == "de" and word.endswith("s") else word  # "Johannas Videos"
    if (word in first or stem in first) and folded not in common:
        return "NAME"
    if (word in last or stem in last) and (folded not in known or after_name):
        return "NAME"
    if folded not in known:
        if previous in _LOCATIVE:
            return "PLACE"
        if after_name:
            return "NAME"
    return None

"""Word-by-word English glosses of Spanish, German, French and Portuguese comments, for the transformer.

The transformer is English MiniLM. Fine-tuned on translated templates it learns their wording, not
the languages: hand-written comments in those languages score near 0 whatever they say. Glossing
("alguien tiene más videos de lucía" -> "someone has more videos of lucía") hands it rough English
it can read. The glossaries (`comments/glossaries/<language>.tsv`) were written by hand for the
3,000 most frequent words of each language (wordfreq's list) and the words of the harms and their
look-alikes; a word not in them (a name, a compound, a typo) stays as written.

The transformer reads glossed text everywhere: fine-tuning, calibration, export parity, evaluation
and serving all call `transformer_inputs` on normalised text.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib.resources import files

from comments.language import language_of, languageless
from comments.normalize import LANGUAGES

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")  # encontrá-la, e-mail: the whole first, then each part
_ELIDED = re.compile(r"([^\W\d_]+)['’]([^\W\d_]+)")  # l'école, d'inès, qu'elle, quelqu'un, gibt's


@cache
def glossary(language: str) -> dict[str, str]:
    """The word -> English gloss table of `language` ("es", "de", "fr" or "pt")."""
    text = files("comments").joinpath("glossaries", f"{language}.tsv").read_text(encoding="utf-8")
    return dict(line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))


def warm_glossaries() -> None:
    """Load every glossary now (at start-up) rather than inside the first request that needs one."""
    for language in LANGUAGES[1:]:
        glossary(language)


@cache
def glossaries_sha256() -> str:
    """One digest of every glossary: the bundle's manifest records what its transformer was trained on."""
    digest = hashlib.sha256()
    for language in LANGUAGES[1:]:  # English has none
        digest.update(files("comments").joinpath("glossaries", f"{language}.tsv").read_bytes())
    return digest.hexdigest()


def gloss(text: str, language: str) -> str:
    """`text` (normalised, so lower case) with each word of `language`'s glossary replaced by its
    gloss; links, handles and hashtags stay as written."""
    table = glossary(language)

    def elided(m: re.Match[str]) -> str:
        whole, (head, tail) = m.group(1) + m.group(2), m.groups()
        return whole if whole in table else f"{head} {tail}" if head in table else m.group()

    def word(m: re.Match[str]) -> str:
        w = m.group()
        return table.get(w) or "-".join(table.get(part, part) for part in w.split("-"))

    def token(t: str) -> str:
        return t if languageless(t) else _WORD.sub(word, _ELIDED.sub(elided, t))

    return " ".join(token(t) for t in text.split(" "))


def transformer_input(text: str) -> str:
    """What the transformer reads for normalised `text`: itself in English, its gloss otherwise."""
    language = language_of(text)
    return text if language == "en" else gloss(text, language)


def transformer_inputs(texts: list[str]) -> list[str]:
    """`transformer_input` of each of `texts`."""
    return [transformer_input(t) for t in texts]

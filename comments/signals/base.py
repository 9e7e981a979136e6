"""The signal contract: a small class that reads `Artifacts` and returns `Evidence`."""

from __future__ import annotations

from typing import ClassVar

from comments.nlp import Artifacts
from comments.types import Evidence


class Signal:
    """Base class. Subclasses set `name`, `version`, `labels` and `EXAMPLES`, and implement `analyze`.

    `EXAMPLES` holds (text, expected) pairs: `expected` is the set of rule ids
    (or entity types) the signal must report on the text; an empty set marks a
    taxonomy hard negative on which it must report nothing of that kind. A
    contract test runs every registered signal over its examples.
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    labels: ClassVar[tuple[str, ...]] = ()
    EXAMPLES: ClassVar[tuple[tuple[str, frozenset[str]], ...]] = ()

    def analyze(self, art: Artifacts) -> list[Evidence]:
        """Return the evidence this signal finds in one comment."""
        raise NotImplementedError

    @staticmethod
    def keys(evidence: list[Evidence]) -> set[str]:
        """What `EXAMPLES` compares against: rule ids and entity types."""
        return {e.rule_id for e in evidence} | {e.entity for e in evidence if e.entity}

"""The one place that builds every signal and runs them over a comment.

It rejects duplicate signal names and combinations that name a concept no
signal produces, when it loads; the pipeline only knows `RuleEngine`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from comments.errors import ConfigurationError
from comments.nlp import Artifacts, entities_of, load_nlp, parse
from comments.signals.base import Signal
from comments.signals.combine import combine, load_combinations, rule_scores
from comments.signals.identity import NameListSignal, NerSignal, PiiSignal
from comments.signals.protected import ProtectedSignal
from comments.signals.rules import RuleSignal, load_rules
from comments.types import Evidence

IDENTITY_CONCEPTS = frozenset(
    {
        "email",
        "url",
        "handle",
        "address",
        "school",
        "age",
        "relative",
        "workplace",
        "phone",
        "name",
        "place",
        "org",
        "protected",
    }
)


# NER's only use in the combinations is a name next to a victim reference (co.vi.victim_identifier),
# so it runs where that reference fired, no other identifier already completes it, and the original
# has a word written like a name. It costs 5-10 ms a comment against about 50 us for the rest.
NER_TRIGGER = "victim_ref"
NER_NOT_NEEDED = frozenset(
    {"handle", "email", "phone", "school", "workplace", "relative", "person_detail", "person_line", "address"}
)
_NAME_SHAPE = re.compile(r"(?<![.!?]\s)(?<!^)(?<!\n)\b[A-Z][a-z]+|\b[A-Z][a-z]+\s+[A-Z][a-z]+")


def _needs_ner(evidence: list[Evidence], original: str) -> bool:
    concepts = {e.concept for e in evidence}
    return NER_TRIGGER in concepts and concepts.isdisjoint(NER_NOT_NEEDED) and bool(_NAME_SHAPE.search(original))


@dataclass(frozen=True)
class RuleResult:
    """What the rules half says about one comment."""

    artifacts: Artifacts
    evidence: tuple[Evidence, ...]
    scores: dict[str, float]


class RuleEngine:
    """Normalise, tokenise, run every signal, combine, score."""

    def __init__(self, protected: ProtectedSignal | None = None, rules_folder: Path | None = None) -> None:
        self.nlp = load_nlp()
        rules = load_rules(rules_folder)
        self.rules = RuleSignal(self.nlp, rules)
        self.pii = PiiSignal()
        self.ner = NerSignal()
        self.names = NameListSignal()
        self.protected = protected
        self.combinations = load_combinations(rules_folder)
        signals: list[Signal] = [self.rules, self.pii, self.ner, self.names] + ([protected] if protected else [])
        names = [s.name for s in signals]
        if len(set(names)) != len(names):
            raise ConfigurationError(f"duplicate signal names: {names}")
        known = IDENTITY_CONCEPTS | {r.concept for r in rules if r.concept}
        for c in self.combinations:
            if unknown := set().union(*c.parts, c.none) - known:
                raise ConfigurationError(f"combination {c.id} names unknown concept(s) {sorted(unknown)}")

    def concepts(self) -> list[str]:
        """Every concept a signal here can produce, sorted (the combiner's feature columns)."""
        return sorted(IDENTITY_CONCEPTS | {r.concept for r in self.rules.rules.values() if r.concept})

    def analyze(self, text: str) -> RuleResult:
        """Evidence and per-label rule scores for one comment."""
        return self.analyze_batch([text])[0]

    def analyze_batch(self, texts: list[str]) -> list[RuleResult]:
        """Evidence and rule scores for many comments; NER runs batched, behind a cue only."""
        arts = [parse(t, self.nlp) for t in texts]
        found = []
        for art in arts:
            evidence = self.rules.analyze(art) + self.pii.analyze(art) + self.names.analyze(art)
            if self.protected:
                evidence += self.protected.analyze(art)
            found.append(evidence)
        need = [i for i, ev in enumerate(found) if _needs_ner(ev, arts[i].original)]
        self._run_ner([arts[i] for i in need])
        for i in need:
            found[i] += self.ner.analyze(arts[i])
        results = []
        for art, evidence in zip(arts, found, strict=True):
            evidence += combine(evidence, self.combinations)
            results.append(RuleResult(art, tuple(evidence), rule_scores(evidence)))
        return results

    def named(self, results: list[RuleResult]) -> list[list[Evidence]]:
        """The people, places and organisations NER finds in each comment, and names in any case from
        the name lists, for masking what reviewers see: comments that skipped NER (no cue called for
        it) run it now, batched. Scores never read these."""
        self._run_ner([r.artifacts for r in results if "entities" not in r.artifacts.__dict__])
        out = []
        for r in results:
            ner = self.ner.analyze(r.artifacts)
            out.append(ner + self.names.uncapitalised(r.artifacts, ner))
        return out

    def _run_ner(self, arts: list[Artifacts]) -> None:
        """Fill each comment's lazy `entities` with NER on its original, batched."""
        docs = self.nlp.pipe([a.original for a in arts], batch_size=64) if arts else ()
        for art, doc in zip(arts, docs, strict=True):
            art.__dict__["entities"] = entities_of(doc)

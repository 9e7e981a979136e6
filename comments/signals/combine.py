"""Rules combine as evidence, not verdicts.

A combination fires when every one of its parts is present among the
evidence's concepts (a part may list alternatives: any one of them will do)
and none of the concepts it lists under `none` is, so "a victim reference"
plus "an identifier" weighs more than either alone, and "a request" next to a
victim reference is not promotion when what it asks for is her address.
Per-label rule scores are a noisy-OR of the weights supporting that label.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from comments.errors import ConfigurationError
from comments.labels import LABELS
from comments.signals.rules import rules_dir
from comments.types import Evidence, Span

# The rules' own decision levels on the noisy-OR score.
REMOVE_LEVEL = 0.9
REVIEW_LEVEL = 0.5


@dataclass(frozen=True)
class Combination:
    """Co-occurring concepts that together support a label."""

    id: str
    label: str
    parts: tuple[tuple[str, ...], ...]  # in YAML order, so the evidence a part picks never varies
    weight: float
    description: str
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    none: frozenset[str] = frozenset()  # concepts whose presence keeps the combination quiet


def load_combinations(folder: Path | None = None) -> list[Combination]:
    """Read `combinations.yaml`."""
    path = (folder or rules_dir()) / "combinations.yaml"
    combos = []
    for e in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        if e.get("label") not in LABELS or not e.get("all") or not e.get("description"):
            raise ConfigurationError(f"{path.name}: combination {e.get('id')!r} needs label, all and description")
        parts = tuple(tuple([p] if isinstance(p, str) else p) for p in e["all"])
        combos.append(
            Combination(
                e["id"],
                e["label"],
                parts,
                float(e["weight"]),
                e["description"],
                tuple(e.get("examples") or ()),
                tuple(e.get("counter_examples") or ()),
                frozenset(e.get("none") or ()),
            )
        )
    return combos


def combine(evidence: list[Evidence], combos: list[Combination]) -> list[Evidence]:
    """Evidence for every combination whose parts are all present and whose `none` concepts are not."""
    by_concept: dict[str, list[Evidence]] = {}
    for e in evidence:
        if e.concept:
            by_concept.setdefault(e.concept, []).append(e)
    out = []
    for c in combos if by_concept else ():
        if any(by_concept.keys().isdisjoint(part) for part in c.parts) or not c.none.isdisjoint(by_concept):
            continue
        hits = [next(e for name in part for e in by_concept.get(name, ())) for part in c.parts]
        span = Span(min(h.span.start for h in hits), max(h.span.end for h in hits))
        out.append(Evidence("combination", c.id, c.label, c.weight, span, c.description, concept=""))
    return out


def rule_scores(evidence: list[Evidence]) -> dict[str, float]:
    """Noisy-OR of the weights supporting each label."""
    scores = {}
    for label in LABELS:
        keep = 1.0
        for e in evidence:
            if e.label == label:
                keep *= 1.0 - e.weight
        scores[label] = 1.0 - keep
    return scores

"""The scoring pipeline: normalise -> rules and signals -> gate -> transformer -> combiner -> decision.

Most traffic is benign, so the transformer runs only where the cheap gate
(baseline + rule evidence) is not confidently benign (outside English only if
the combiner reads it there, as the shipped one does). Where it did not run, the baseline's
scores stand in for it, in the combiner's input and in `model_scores["transformer"]`
(`transformer_ran` says which). The gate's levels are fitted with the combiner
and stored in `fusion.json` of the model bundle.
"""

from __future__ import annotations

import logging
import sys
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from comments.decide import decide, mask
from comments.errors import BadInputError
from comments.fusion import Combiner, features
from comments.gloss import warm_glossaries
from comments.labels import LABELS
from comments.language import is_english, non_english
from comments.normalize import warm_lexicon
from comments.signals.registry import RuleEngine, RuleResult

log = logging.getLogger("comments.pipeline")
SCHEMA_VERSION = "1"
MAX_TEXT = 10_000
CHUNK = 64  # comments per step of score_batch's rules/transformer overlap
SWITCH_INTERVAL = 0.001  # seconds; see load_pipeline
IN_FLIGHT = 2  # chunks started and not yet finished: bounds memory and work lost to an error


@dataclass(frozen=True)
class Reason:
    """One thing a reviewer can check: which rule or signal, what it means, and where."""

    rule_id: str
    signal: str
    label: str | None
    description: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class Result:
    """The scored comment, as every interface returns it."""

    decision: str
    priority: float
    scores: dict[str, float]
    decisions: dict[str, str]
    reasons: list[Reason]
    model_scores: dict[str, dict[str, float]]
    masked_text: str
    model_version: str
    schema_version: str = SCHEMA_VERSION
    transformer_ran: bool = field(default=True)

    def to_dict(self) -> dict:
        """Plain JSON-able form."""
        return asdict(self)

    def explain(self) -> dict:
        """The `reasons` column of a scored file: rules with spans, and every score per label."""
        return {
            "rules": [asdict(r) for r in self.reasons],
            "scores": {**self.model_scores, "fused": self.scores},
        }


def _check(text: object) -> str:
    if not isinstance(text, str):
        raise BadInputError(f"text must be a string, got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise BadInputError(f"text is {len(text)} characters; the limit is {MAX_TEXT}")
    return text


class Pipeline:
    """Scores comments with a model bundle and the rules engine. Build it with `load_pipeline`."""

    def __init__(self, bundle, engine: RuleEngine, combiner: Combiner, fusion: dict) -> None:
        self.bundle = bundle
        self.engine = engine
        self.combiner = combiner
        self.thresholds = fusion["thresholds"]
        self.gate = fusion["gate"]
        self.version = bundle.version
        self.transformer_outside_english = combiner.uses_transformer("other")  # older fusion.json files

    def _gate(self, baseline: np.ndarray, rules: list[RuleResult], other: np.ndarray) -> np.ndarray:
        """True where the transformer must run: baseline or rules not confidently benign, in English
        only unless the combiner reads the transformer outside English too."""
        rule_max = np.array([max(r.scores.values()) for r in rules])
        run = (baseline.max(axis=1) >= self.gate["baseline"]) | (rule_max >= self.gate["rules"])
        return run if self.transformer_outside_english else run & ~other

    def score_batch(self, texts: list[str], run_all: bool = False) -> list[Result]:
        """Score many comments; `run_all` bypasses the gate (for measuring what the gate costs).

        Works in chunks: while the transformer scores one chunk's gated comments on its threads,
        this thread runs the next chunk's rules and baseline."""
        texts = [_check(t) for t in texts]
        results, in_flight = [], deque()
        for i in range(0, len(texts), CHUNK):
            in_flight.append(self._start(texts[i : i + CHUNK], run_all))
            if len(in_flight) > IN_FLIGHT:
                results += self._finish(*in_flight.popleft())
        while in_flight:
            results += self._finish(*in_flight.popleft())
        return results

    def _start(self, texts: list[str], run_all: bool):
        rules = self.engine.analyze_batch(texts)
        normalised = [r.artifacts.text for r in rules]
        baseline = self.bundle.baseline.predict_proba(normalised)
        other = non_english(normalised)
        run = np.ones(len(texts), bool) if run_all else self._gate(baseline, rules, other)
        pending = self.bundle.transformer.submit([normalised[i] for i in np.flatnonzero(run)])
        return rules, baseline, run, pending, other

    def _finish(
        self, rules: list[RuleResult], baseline: np.ndarray, run: np.ndarray, pending, other: np.ndarray
    ) -> list[Result]:
        transformer = baseline.copy()  # stands in where the gate skips the transformer
        if run.any():
            transformer[run] = self.bundle.calibrator.transform(pending())
        x = features(
            transformer, baseline, [r.scores for r in rules], [r.evidence for r in rules], self.combiner.concepts
        )
        fused = self.combiner.predict_proba(x, other)
        scores = [{lab: round(float(f[j]), 4) for j, lab in enumerate(LABELS)} for f in fused]
        decided = [decide(s, self.thresholds) for s in scores]
        # Reviewers see flagged comments: their names are looked for with NER and the name lists
        # (evasions undone) whether or not a cue ran NER for the score.
        flagged = [i for i, (overall, _, _) in enumerate(decided) if overall != "allow"]
        named = dict(zip(flagged, self.engine.named([rules[i] for i in flagged]), strict=True))
        return [
            self._result(r, scores[i], decided[i], transformer[i], baseline[i], bool(run[i]), named.get(i, []))
            for i, r in enumerate(rules)
        ]

    def score(self, text: str) -> Result:
        """Score one comment."""
        return self.score_batch([text])[0]

    def _result(self, rules: RuleResult, scores, decided, transformer, baseline, ran: bool, named) -> Result:
        overall, decisions, priority = decided
        reasons = [
            Reason(e.rule_id, e.signal, e.label, e.description, e.span.start, e.span.end, e.weight)
            for e in rules.evidence
            if e.label or e.concept
        ]
        model_scores = {
            "transformer": {lab: round(float(transformer[j]), 4) for j, lab in enumerate(LABELS)},
            "baseline": {lab: round(float(baseline[j]), 4) for j, lab in enumerate(LABELS)},
            "rules": {lab: round(v, 4) for lab, v in rules.scores.items()},
        }
        return Result(
            overall,
            priority,
            scores,
            decisions,
            reasons,
            model_scores,
            mask(rules.artifacts.original, (*rules.evidence, *named)),
            self.version,
            SCHEMA_VERSION,
            ran,
        )


def load_pipeline(model_dir: Path | str | None = None) -> Pipeline:
    """Load the bundle (hash-checked), the rules engine and the protected list; nothing loads at import."""
    from comments.models.bundle import load_bundle, load_fusion, load_thresholds
    from comments.settings import get_settings
    from comments.signals.protected import ProtectedSignal

    settings = get_settings()
    path = Path(model_dir or settings.model_dir)
    bundle = load_bundle(path)
    fusion = load_fusion(bundle)
    if settings.thresholds_file:
        fusion["thresholds"] = load_thresholds(settings.thresholds_file)
        log.warning("served thresholds from %s (COMMENTS_THRESHOLDS_FILE), not the bundle's", settings.thresholds_file)
    key = settings.hmac_key.get_secret_value().encode()
    protected = ProtectedSignal(key, _protected_digests(settings.database_url))
    engine = RuleEngine(protected=protected)
    combiner = Combiner.from_json(fusion, set(engine.concepts()))
    # A finished transformer run needs the GIL back to hand over its logits; at Python's default
    # 5 ms switch interval it waits behind the thread scoring rules, and its core idles.
    # 1 ms: 2,620 -> 3,110 comments/s on the benchmark mix (2 cores). Process-wide, and only lowered.
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
    warm_lexicon()  # the normaliser's word lists, loaded here rather than inside some request
    is_english("")  # and the language vote's
    warm_glossaries()  # and the transformer's glossaries
    return Pipeline(bundle, engine, combiner, fusion)


def _protected_digests(url: str) -> frozenset[str]:
    """The protected list from the database; an SQLite file that does not exist yet holds none."""
    from comments.store import protected as store
    from comments.store.db import migrate

    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return frozenset()
    migrate(url)
    return store.all_digests(url)

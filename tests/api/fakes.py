"""A fake pipeline with the real `Result` shape: keyword-driven, instant, no model bundle needed."""

from __future__ import annotations

from comments.decide import decide
from comments.errors import BadInputError
from comments.labels import LABELS
from comments.pipeline import MAX_TEXT, Reason, Result

NAME = "Kayla Dorsey"
THRESHOLDS = {lab: {"review": 0.5, "remove": 0.8} for lab in LABELS}
# keyword -> (label, score)
CUES = {"trade": ("promotion", 0.9), "find her": ("safety_concern", 0.6), "that video": ("victim_identification", 0.7)}


class FakePipeline:
    """Scores by keywords; masks the one fictional name it knows."""

    version = "fake-1"

    def score_batch(self, texts: list[str], run_all: bool = False) -> list[Result]:
        """One Result per text, in order."""
        for t in texts:
            if not isinstance(t, str) or len(t) > MAX_TEXT:
                raise BadInputError("bad text")
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> Result:
        scores = dict.fromkeys(LABELS, 0.01)
        reasons = []
        lower = text.lower()
        for cue, (label, score) in CUES.items():
            at = lower.find(cue)
            if at >= 0:
                scores[label] = max(scores[label], score)
                reasons.append(Reason(f"fake.{label}", "fake", label, f"mentions '{cue}'", at, at + len(cue), 1.0))
        masked = text
        at = text.find(NAME)
        if at >= 0:
            reasons.append(Reason("fake.name", "names", None, "a person's name", at, at + len(NAME), 0.5))
            masked = text.replace(NAME, "[NAME]")
        overall, decisions, priority = decide(scores, THRESHOLDS)
        return Result(overall, priority, scores, decisions, reasons, {}, masked, self.version)


def review_item(**overrides):
    """A stored queue item with harmless defaults, for tests that seed the database directly."""
    from comments.store.tables import ReviewItem

    fields = {
        "id": "k",
        "text": "t",
        "masked_text": "t",
        "encrypted": False,
        "decision": "review",
        "priority": 0.5,
        "scores": {},
        "decisions": {},
        "reasons": [],
        "flagged": ",promotion,",
        "model_version": "m",
        "status": "queued",
    }
    return ReviewItem(**(fields | overrides))


class RulesPipeline(FakePipeline):
    """The fake's scores, plus reasons from the real rules engine and protected-list signal (no model bundle)."""

    version = "rules-1"

    def __init__(self, hmac_key: bytes) -> None:
        from comments.signals.protected import ProtectedSignal
        from comments.signals.registry import RuleEngine

        # The same attribute path as comments.pipeline.Pipeline: `engine.protected`.
        self.engine = RuleEngine(protected=ProtectedSignal(hmac_key, frozenset()))

    def _one(self, text: str) -> Result:
        from dataclasses import replace

        found = [
            Reason(e.rule_id, e.signal, e.label, e.description, e.span.start, e.span.end, e.weight)
            for e in self.engine.analyze(text).evidence
            if e.label
        ]
        result = super()._one(text)
        return replace(result, reasons=result.reasons + found)

"""Small frozen value types shared by signals, models, fusion and the API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) in the *original* comment."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a signal gives: what fired, for which label, where, and how much it weighs.

    `label` is None for an identity or PII signal (a name, a phone number): such a
    signal supports a label only in combination with a cue (see `signals.combine`).
    `entity` names the identifier type for masking (`NAME`, `PHONE`, ...).
    """

    signal: str
    rule_id: str
    label: str | None
    weight: float
    span: Span
    description: str
    concept: str = ""
    entity: str | None = None

"""Thresholds -> decisions, the queue priority, and the masked reviewer view."""

from __future__ import annotations

from comments.labels import LABELS
from comments.types import Evidence

SEVERITY = {"allow": 0, "review": 1, "remove": 2}
# Label weights for the queue: a comment that endangers someone goes first.
LABEL_SEVERITY = {"safety_concern": 1.0, "victim_identification": 0.9, "promotion": 0.8}
MASKS = {
    "NAME": "[NAME]",
    "HANDLE": "[HANDLE]",
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "URL": "[URL]",
    "PLACE": "[PLACE]",
    "ADDRESS": "[PLACE]",
    "WORKPLACE": "[PLACE]",
    "SCHOOL": "[SCHOOL]",
    "ORG": "[ORG]",
}


def label_decision(score: float, thresholds: dict[str, float]) -> str:
    """`remove` at or above the remove threshold, `review` at or above review, else `allow`."""
    if score >= thresholds["remove"]:
        return "remove"
    if score >= thresholds["review"]:
        return "review"
    return "allow"


def flagged_labels(decisions: dict[str, str]) -> list[str]:
    """The labels whose decision is not `allow`, in label order (a missing label is `allow`)."""
    return [lab for lab in LABELS if decisions.get(lab, "allow") != "allow"]


def decide(scores: dict[str, float], thresholds: dict[str, dict[str, float]]) -> tuple[str, dict[str, str], float]:
    """Per-label decisions, the overall (most severe) decision, and the queue priority in [0, 1]."""
    decisions = {lab: label_decision(scores[lab], thresholds[lab]) for lab in LABELS}
    overall = max(decisions.values(), key=SEVERITY.__getitem__)
    priority = max((SEVERITY[decisions[lab]] / 2) * LABEL_SEVERITY[lab] * scores[lab] for lab in LABELS)
    return overall, decisions, round(priority, 4)


def mask(text: str, evidence: list[Evidence] | tuple[Evidence, ...]) -> str:
    """Replace every identifier span by its type (`[NAME]`, `[PHONE]`, ...); overlapping spans merge."""
    spans = sorted((e.span.start, e.span.end, MASKS[e.entity]) for e in evidence if e.entity in MASKS)
    out, pos = [], 0
    for start, end, tag in spans:
        if end <= pos:
            continue
        if start < pos:  # overlaps the previous mask: extend it
            pos = end
            continue
        out += [text[pos:start], tag]
        pos = end
    return "".join(out) + text[pos:]

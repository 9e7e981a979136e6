"""Wire schemas (pydantic). Requests forbid unknown fields; tables never appear here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from comments.labels import LABELS
from comments.store.repo import audit_reason

# Same as comments.pipeline.MAX_TEXT (a test checks); importing the pipeline here would pull in spaCy.
MAX_TEXT = 10_000
MAX_CONTEXT_DEPTH = 20  # levels of objects and lists in `context`, the top-level object included

Decision = Literal["allow", "review", "remove"]
Action = Literal["remove", "allow", "escalate"]
Status = Literal["queued", "claimed", "escalated", "reviewed"]
Label = Literal["victim_identification", "promotion", "safety_concern"]


def clean(value: str | None) -> str | None:
    """Refuse what no comment store can hold: NUL characters and lone surrogates."""
    if value is None:
        return value
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


def _not_blank(value: str) -> str:
    """Refuse empty and whitespace-only strings: a blank comment or id is a client bug, not a clean pass."""
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


def _no_dot_segments(value: str) -> str:
    """Refuse ids with "." or ".." or empty path segments: clients and proxies rewrite them in
    `/v1/items/{id}` URLs ("a/../b" becomes "b", "a//b" can become "a/b")."""
    if any(part in ("", ".", "..") for part in value.split("/")):
        raise ValueError('must not have ".", ".." or empty segments between slashes (URLs rewrite them)')
    return value


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


Timestamp = Annotated[datetime, AfterValidator(_utc)]


def _clean_tree(value: Any, depth: int = 1) -> Any:
    """`clean` every string (keys included) inside a JSON value nested at most MAX_CONTEXT_DEPTH levels.

    The depth is checked on the way down, so the recursion never goes deeper than the limit.
    """
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict | list) and depth > MAX_CONTEXT_DEPTH:
        raise ValueError(f"must not nest objects and lists deeper than {MAX_CONTEXT_DEPTH} levels")
    if isinstance(value, dict):
        return {clean(k): _clean_tree(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_tree(v, depth + 1) for v in value]
    return value


CommentText = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(clean), AfterValidator(_not_blank)]
ItemId = Annotated[
    str,
    Field(min_length=1, max_length=200),
    AfterValidator(clean),
    AfterValidator(_not_blank),
    AfterValidator(_no_dot_segments),
]


RevealReason = Annotated[str, Field(max_length=400), AfterValidator(audit_reason)]


class Request(BaseModel):
    """Base of request bodies: unknown fields are an error, types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ScoreRequest(Request):
    """One comment to score."""

    id: ItemId
    text: CommentText
    context: Annotated[dict[str, Any] | None, Field(default=None, max_length=50), AfterValidator(_clean_tree)] = None
    enqueue: bool = True


class BatchRequest(Request):
    """Up to 256 comments, scored in one call."""

    items: list[ScoreRequest] = Field(min_length=1, max_length=256)

    @model_validator(mode="after")
    def _unique_ids(self) -> BatchRequest:
        seen = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"id {item.id!r} appears more than once; send each comment once per batch")
            seen.add(item.id)
        return self


class ReasonPublic(BaseModel):
    """A rule or signal that fired, with its span in the original text."""

    rule_id: str
    signal: str
    label: str | None
    description: str
    start: int
    end: int
    weight: float


class ScorePublic(BaseModel):
    """The score of one comment."""

    id: str
    decision: Decision
    priority: float
    scores: dict[str, float]
    decisions: dict[str, Decision]
    reasons: list[ReasonPublic]
    model_version: str
    schema_version: str
    queued: bool = False


class BatchPublic(BaseModel):
    """Results in the order of the request."""

    results: list[ScorePublic]


class QueueItemPublic(BaseModel):
    """A queue entry: no text, only what sorting and triage need.

    `revision` rises each time the comment's text is edited; send it back as `If-Match` with a decision.
    """

    id: str
    decision: Decision
    priority: float
    scores: dict[str, float]
    decisions: dict[str, Decision]
    status: Status
    claimed_by: str | None
    model_version: str
    revision: int
    created_at: Timestamp


class QueuePublic(BaseModel):
    """One page of the queue; pass `next_cursor` as `cursor` for the next page."""

    data: list[QueueItemPublic]
    count: int
    next_cursor: str | None


class ItemPublic(QueueItemPublic):
    """One item with its text: masked unless revealed."""

    text: str
    revealed: bool
    context: dict[str, Any] | None = None  # as sent with the score request; only when revealed
    reasons: list[dict[str, Any]]
    review_action: Action | None
    review_labels: dict[str, bool] | None
    reviewed_at: Timestamp | None


class DecisionCreate(Request):
    """A reviewer's decision; `labels` defaults from the action and the model's flags.

    Labels left out of a given `labels` are false. `remove` needs a true label and `allow` none,
    so no training row contradicts its action; `escalate` takes any labels.
    """

    action: Action
    labels: dict[Label, bool] | None = None
    note: Annotated[str, Field(max_length=2000), AfterValidator(clean)] = ""

    @model_validator(mode="after")
    def _labels_match_action(self) -> DecisionCreate:
        if self.labels is None:
            return self
        self.labels = {lab: self.labels.get(lab, False) for lab in LABELS}
        if self.action == "remove" and not any(self.labels.values()):
            raise ValueError("remove needs at least one label set to true (or no labels, to confirm the model's)")
        if self.action == "allow" and any(self.labels.values()):
            raise ValueError("allow cannot carry a true label; choose remove, or set the labels to false")
        return self


class RevealCreate(Request):
    """Why a reviewer needs the original text: written to the audit log with the reveal."""

    reason: RevealReason


class DecisionPublic(BaseModel):
    """A stored decision."""

    item_id: str
    revision: int | None = Field(description="the item's revision (ETag) the decision was made on; null before 0005")
    action: Action
    labels: dict[str, bool]
    note: str
    created_at: Timestamp


class ProtectedCreate(Request):
    """An identity to protect; only keyed digests of its variants are stored."""

    name: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean)]
    handles: list[Annotated[str, Field(max_length=200), AfterValidator(clean)]] = Field(
        default_factory=list, max_length=50
    )
    aliases: list[Annotated[str, Field(max_length=200), AfterValidator(clean)]] = Field(
        default_factory=list, max_length=50
    )


class ProtectedPublic(BaseModel):
    """A protected identity as listed: id and date only."""

    id: str
    created_at: Timestamp


class ProtectedList(BaseModel):
    """Every protected identity."""

    data: list[ProtectedPublic]
    count: int


class KeyPublic(BaseModel):
    """An API key as listed: never its secret or token."""

    id: str
    name: str
    scopes: list[str]
    created_at: Timestamp
    revoked_at: Timestamp | None


class KeysPublic(BaseModel):
    """Every API key, revoked ones included."""

    data: list[KeyPublic]
    count: int


class AuditPublic(BaseModel):
    """One audit entry: who did what to which item, when, and why for a reveal; never comment text."""

    seq: int
    at: Timestamp
    key_id: str
    action: str
    item_id: str | None
    reason: str | None


class AuditPage(BaseModel):
    """Audit entries, oldest first; pass `next_after` as `after` for the next page (None at the end)."""

    data: list[AuditPublic]
    count: int
    next_after: int | None


class ErrorPublic(BaseModel):
    """Every error: a stable code, a message to act on, and field paths for validation errors."""

    code: str
    message: str
    fields: list[dict[str, Any]] | None = None


ALL_LABELS = LABELS

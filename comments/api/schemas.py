"""Wire schemas (pydantic). Requests forbid unknown fields; tables never appear here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from comments.labels import LABELS

# Same as comments.pipeline.MAX_TEXT (a test checks); importing the pipeline here would pull in spaCy.
MAX_TEXT = 10_000

Decision = Literal["allow", "review", "remove"]
Action = Literal["remove", "allow", "escalate"]
Status = Literal["queued", "claimed", "escalated", "reviewed"]
Label = Literal["victim_identification", "promotion", "safety_concern"]


def _clean(value: str) -> str:
    """Refuse what no comment store can hold: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


Timestamp = Annotated[datetime, AfterValidator(_utc)]


def _clean_tree(value: Any) -> Any:
    """`_clean` every string (keys included) inside a JSON value."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return {_clean(k): _clean_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_tree(v) for v in value]
    return value


CommentText = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_clean)]
ItemId = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean)]


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
    """A queue entry: no text, only what sorting and triage need."""

    id: str
    decision: Decision
    priority: float
    scores: dict[str, float]
    decisions: dict[str, Decision]
    status: Status
    claimed_by: str | None
    model_version: str
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
    """A reviewer's decision; `labels` defaults from the action and the model's flags."""

    action: Action
    labels: dict[Label, bool] | None = None
    note: Annotated[str, Field(max_length=2000), AfterValidator(_clean)] = ""


class DecisionPublic(BaseModel):
    """A stored decision."""

    item_id: str
    action: Action
    labels: dict[str, bool]
    note: str
    created_at: Timestamp


class ProtectedCreate(Request):
    """An identity to protect; only keyed digests of its variants are stored."""

    name: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean)]
    handles: list[Annotated[str, Field(max_length=200), AfterValidator(_clean)]] = Field(
        default_factory=list, max_length=50
    )
    aliases: list[Annotated[str, Field(max_length=200), AfterValidator(_clean)]] = Field(
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


class ErrorPublic(BaseModel):
    """Every error: a stable code, a message to act on, and field paths for validation errors."""

    code: str
    message: str
    fields: list[dict[str, Any]] | None = None


ALL_LABELS = LABELS

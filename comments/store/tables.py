"""ORM tables. Wire schemas (pydantic) live elsewhere and never mix with these."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Timezone-aware now, for defaults."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class ProtectedIdentity(Base):
    """One protected survivor identity: only keyed HMAC digests of its variants are stored."""

    __tablename__ = "protected_identities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    digests: Mapped[list[str]] = mapped_column(JSON)


class ApiKey(Base):
    """An API key: only the sha256 of its secret is stored; the token is shown once when created."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ReviewItem(Base):
    """A scored comment waiting for (or past) human review.

    `text` and `masked_text` are Fernet tokens when an encryption key is set (`encrypted`).
    `flagged` is the non-`allow` labels as ",a,b," so a label filter is a portable LIKE.
    `client` is the name of the API key that queued it: ids belong to one client, and a key of
    another name cannot overwrite its text. `revision` rises with each edit of the text, so a
    decision made on what a reviewer read can refuse to land on newer text (`If-Match`).
    """

    __tablename__ = "review_items"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(200), unique=True)
    text: Mapped[str] = mapped_column(Text)
    masked_text: Mapped[str] = mapped_column(Text)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    context: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    decision: Mapped[str] = mapped_column(String(16), index=True)
    priority: Mapped[float] = mapped_column(Float, index=True)
    scores: Mapped[dict] = mapped_column(JSON)
    decisions: Mapped[dict] = mapped_column(JSON)
    reasons: Mapped[list] = mapped_column(JSON)
    flagged: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    client: Mapped[str | None] = mapped_column(String(200), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    claimed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    review_action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    review_labels: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ReviewDecision(Base):
    """One acknowledged reviewer decision; `idempotency_key` (per API key) makes a retry return the first answer."""

    __tablename__ = "review_decisions"
    __table_args__ = (UniqueConstraint("key_id", "idempotency_key", name="uq_decision_idempotency"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(200), ForeignKey("review_items.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    action: Mapped[str] = mapped_column(String(16))
    labels: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revision: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the item's, decided on; NULL before 0005


class AuditEntry(Base):
    """Who did what to which item and when (reveals, decisions); never the comment text.

    `reason` is what a reviewer gave for a reveal.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    key_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)

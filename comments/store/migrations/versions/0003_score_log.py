"""Score log: one row per scored comment (time, model, decision, label scores), never text, for drift.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    """Create the score log."""
    op.create_table(
        "score_log",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("victim_identification", sa.Float(), nullable=False),
        sa.Column("promotion", sa.Float(), nullable=False),
        sa.Column("safety_concern", sa.Float(), nullable=False),
    )
    op.create_index("ix_score_log_created_at", "score_log", ["created_at"])


def downgrade() -> None:
    """Drop it."""
    op.drop_table("score_log")

"""Reviewer decisions record the revision of the comment they were made on.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    """Add review_decisions.revision (NULL for decisions from before it)."""
    with op.batch_alter_table("review_decisions") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop it, in place."""
    with op.batch_alter_table("review_decisions", recreate="never") as batch:
        batch.drop_column("revision")

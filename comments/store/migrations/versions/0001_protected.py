"""Protected identities.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    """Create the protected-identity table."""
    op.create_table(
        "protected_identities",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digests", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("protected_identities")

"""Review items record the client that queued them and a revision that each edit raises; reveals keep a reason.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    """Add review_items.client and .revision, and audit_log.reason."""
    with op.batch_alter_table("review_items") as batch:
        batch.add_column(sa.Column("client", sa.String(200), nullable=True))
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("reason", sa.String(200), nullable=True))


def downgrade() -> None:
    """Drop them, in place: rebuilding review_items on SQLite would cascade-delete every decision."""
    with op.batch_alter_table("audit_log", recreate="never") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("review_items", recreate="never") as batch:
        batch.drop_column("revision")
        batch.drop_column("client")

"""The audit trail of who viewed or exported ledgers and enterprise files: audit_log.

Revision ID: 0011_audit
Revises: 0008_accounts
"""
import sqlalchemy as sa
from alembic import op

from storage.models.base import BigInt, UTCDateTime

revision = "0011_audit"
down_revision = "0008_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", BigInt, primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False, index=True),
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id", ondelete="SET NULL"), index=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("chat_kind", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_log")

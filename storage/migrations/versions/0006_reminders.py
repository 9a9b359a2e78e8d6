"""Tables of the reminders area: reminder_log and scheduler_runs.

Revision ID: 0006_reminders
Revises: 0004_policy
"""
import sqlalchemy as sa
from alembic import op

from storage.models.base import BigInt, UTCDateTime

revision = "0006_reminders"
down_revision = "0004_policy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_log",
        sa.Column("id", BigInt, primary_key=True),
        sa.Column("appeal_id", BigInt, sa.ForeignKey("appeals.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
        sa.Column("queued_at", UTCDateTime(), nullable=False, index=True),
    )
    op.create_table(
        "scheduler_runs",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("queued", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scheduler_runs")
    op.drop_table("reminder_log")

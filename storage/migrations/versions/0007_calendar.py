"""The official holiday calendar loaded by the operator: calendar_days and calendar_stamp.

Revision ID: 0007_calendar
Revises: 0006_reminders
"""
import sqlalchemy as sa
from alembic import op

from storage.models.base import UTCDateTime

revision = "0007_calendar"
down_revision = "0006_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("kind", sa.String(4), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "calendar_stamp",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("calendar_stamp")
    op.drop_table("calendar_days")

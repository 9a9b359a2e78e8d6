"""Tables of the reports area (reserved for its owner; empty until needed).

Revision ID: 0007_reports
Revises: 0006_reminders
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from storage.models.base import BigInt, UTCDateTime  # noqa: F401

revision = "0007_reports"
down_revision = "0006_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

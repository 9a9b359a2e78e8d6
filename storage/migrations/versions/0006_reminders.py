"""Tables of the reminders area (reserved for its owner; empty until needed).

Revision ID: 0006_reminders
Revises: 0005_telegram
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from storage.models.base import BigInt, UTCDateTime  # noqa: F401

revision = "0006_reminders"
down_revision = "0005_telegram"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

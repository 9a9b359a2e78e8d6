"""Tables of the telegram area (reserved for its owner; empty until needed).

Revision ID: 0005_telegram
Revises: 0004_policy
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from storage.models.base import BigInt, UTCDateTime  # noqa: F401

revision = "0005_telegram"
down_revision = "0004_policy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Tables of the supply area (reserved for its owner; empty until needed).

Revision ID: 0003_supply
Revises: 0002_appeals
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from storage.models.base import BigInt, UTCDateTime  # noqa: F401

revision = "0003_supply"
down_revision = "0002_appeals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

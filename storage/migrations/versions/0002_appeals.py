"""Tables of the appeals area (reserved for its owner; empty until needed).

Revision ID: 0002_appeals
Revises: 0001_core
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from storage.models.base import BigInt, UTCDateTime  # noqa: F401

revision = "0002_appeals"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Tables of the policy area (reserved for its owner; empty until needed).

Revision ID: 0004_policy
Revises: 0003_supply
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from storage.models.base import BigInt, UTCDateTime  # noqa: F401

revision = "0004_policy"
down_revision = "0003_supply"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

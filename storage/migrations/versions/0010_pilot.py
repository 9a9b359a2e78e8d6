"""Pilot readiness: attachments belong to the event that brought them; dissatisfaction is counted.

Revision ID: 0010_pilot
Revises: 0011_audit
"""
import sqlalchemy as sa
from alembic import op

from storage.models.base import BigInt

revision = "0010_pilot"
down_revision = "0011_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appeal_attachments") as batch:
        batch.add_column(sa.Column("event_id", BigInt, nullable=True))
        batch.create_index("ix_appeal_attachments_event_id", ["event_id"])
    with op.batch_alter_table("appeals") as batch:
        batch.add_column(sa.Column("dissatisfied_count", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("appeals") as batch:
        batch.drop_column("dissatisfied_count")
    with op.batch_alter_table("appeal_attachments") as batch:
        batch.drop_index("ix_appeal_attachments_event_id")
        batch.drop_column("event_id")

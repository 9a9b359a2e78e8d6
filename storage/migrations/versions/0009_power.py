"""Power-use monitoring: power_readings, power_reasons, power_anomalies, enterprises.power_account, outbox.photo.

Revision ID: 0009_power
Revises: 0007_calendar
"""
import sqlalchemy as sa
from alembic import op

from storage.models.base import BigInt, UTCDateTime

revision = "0009_power"
down_revision = "0007_calendar"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("photo", sa.LargeBinary))
    with op.batch_alter_table("enterprises") as batch:
        batch.add_column(sa.Column("power_account", sa.String(40)))
        batch.create_unique_constraint("uq_enterprises_power_account", ["power_account"])
    op.create_table(
        "power_readings",
        sa.Column("id", BigInt, primary_key=True),
        sa.Column("enterprise_id", BigInt, sa.ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date, nullable=False, index=True),
        sa.Column("kwh", sa.Float, nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("enterprise_id", "day", name="uq_power_readings_enterprise_day"),
    )
    op.create_table(
        "power_reasons",
        sa.Column("id", BigInt, primary_key=True),
        sa.Column("enterprise_id", BigInt, sa.ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("until", sa.Date, nullable=False),
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "power_anomalies",
        sa.Column("id", BigInt, primary_key=True),
        sa.Column("enterprise_id", BigInt, sa.ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date, nullable=False, index=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("use_kwh", sa.Float, nullable=False),
        sa.Column("baseline_kwh", sa.Float, nullable=False),
        sa.Column("change", sa.Float, nullable=False),
        sa.Column("reason_id", BigInt, sa.ForeignKey("power_reasons.id", ondelete="SET NULL")),
        sa.Column("appeal_id", BigInt, sa.ForeignKey("appeals.id", ondelete="SET NULL")),
        sa.Column("detected_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("enterprise_id", "day", name="uq_power_anomalies_enterprise_day"),
    )


def downgrade() -> None:
    op.drop_table("power_anomalies")
    op.drop_table("power_reasons")
    op.drop_table("power_readings")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("photo")
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_constraint("uq_enterprises_power_account", type_="unique")
        batch.drop_column("power_account")

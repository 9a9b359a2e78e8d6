"""Tables of the supply area: posts, matches, feedback and deals.

Revision ID: 0003_supply
Revises: 0001_core
"""
import sqlalchemy as sa
from alembic import op

from storage.models.base import BigInt, UTCDateTime

revision = "0003_supply"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def _id():
    return sa.Column("id", BigInt, primary_key=True)


def _ts(name, nullable=True, index=False):
    return sa.Column(name, UTCDateTime(), nullable=nullable, index=index)


def upgrade() -> None:
    op.create_table(
        "sd_posts",
        _id(),
        sa.Column("kind", sa.String(10), nullable=False, index=True),
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("enterprise_id", BigInt, sa.ForeignKey("enterprises.id"), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("products", sa.JSON, nullable=False),
        sa.Column("specs", sa.JSON, nullable=False),
        sa.Column("quantity", sa.String(40)),
        sa.Column("region", sa.String(20)),
        sa.Column("validity_days", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("chat_id", BigInt),
        _ts("created_at", nullable=False),
        _ts("opened_at"),
        _ts("expires_at", index=True),
        _ts("closed_at"),
        _ts("updated_at", nullable=False, index=True),
    )
    op.create_table(
        "sd_matches",
        _id(),
        sa.Column("supply_post_id", BigInt, sa.ForeignKey("sd_posts.id"), nullable=False, index=True),
        sa.Column("demand_post_id", BigInt, sa.ForeignKey("sd_posts.id"), nullable=False, index=True),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.UniqueConstraint("supply_post_id", "demand_post_id", name="uq_sd_matches_pair"),
    )
    op.create_table(
        "sd_feedback",
        _id(),
        sa.Column("match_id", BigInt, sa.ForeignKey("sd_matches.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("verdict", sa.String(10), nullable=False),
        _ts("at", nullable=False),
        sa.UniqueConstraint("match_id", "user_id", name="uq_sd_feedback_match_user"),
    )
    op.create_table(
        "sd_deals",
        _id(),
        sa.Column("match_id", BigInt, sa.ForeignKey("sd_matches.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("stage", sa.String(12), nullable=False, index=True),
        sa.Column("amount_wan", sa.Float),
        _ts("started_at", nullable=False),
        _ts("intent_at"),
        _ts("signed_at"),
        sa.Column("updated_by", BigInt, sa.ForeignKey("users.id")),
        _ts("updated_at", nullable=False),
    )


def downgrade() -> None:
    for table in ("sd_deals", "sd_feedback", "sd_matches", "sd_posts"):
        op.drop_table(table)

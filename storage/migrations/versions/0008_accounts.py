"""Platform accounts replace users.telegram_id: one user, accounts on several chat platforms.

Revision ID: 0008_accounts
Revises: 0009_power
"""
import sqlalchemy as sa
from alembic import op

from storage.models.base import BigInt, UTCDateTime

revision = "0008_accounts"
down_revision = "0009_power"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "platform_accounts",
        sa.Column("id", BigInt, primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("username", sa.String(64)),
        sa.Column("bound_at", UTCDateTime(), nullable=False),
        sa.Column("menu", sa.JSON),
        sa.UniqueConstraint("platform", "external_id", name="uq_platform_accounts_platform_external"),
    )
    # Today's bindings become accounts of that platform; the bind time is unknown, the user's creation stands in.
    op.execute(
        "INSERT INTO platform_accounts (platform, external_id, user_id, username, bound_at) "
        "SELECT 'telegram', CAST(telegram_id AS VARCHAR(64)), id, telegram_username, created_at "
        "FROM users WHERE telegram_id IS NOT NULL ORDER BY id"
    )
    if _is_sqlite():
        # SQLite drops a UNIQUE column only by rebuilding the table, and dropping the old users table
        # with foreign keys on would cascade-delete every row that references a user. The columns stay,
        # emptied and unmapped; nothing reads or writes them any more.
        op.execute("UPDATE users SET telegram_id = NULL, telegram_username = NULL")
    else:
        op.drop_column("users", "telegram_username")
        op.drop_column("users", "telegram_id")


def downgrade() -> None:
    if not _is_sqlite():
        op.add_column("users", sa.Column("telegram_id", sa.BigInteger, unique=True))
        op.add_column("users", sa.Column("telegram_username", sa.String(64)))
    # Only that platform's accounts fit the old columns; the latest bound one per user wins.
    op.execute(
        "UPDATE users SET telegram_id = (SELECT CAST(a.external_id AS BIGINT) FROM platform_accounts a "
        "WHERE a.user_id = users.id AND a.platform = 'telegram' ORDER BY a.id DESC LIMIT 1), "
        "telegram_username = (SELECT a.username FROM platform_accounts a "
        "WHERE a.user_id = users.id AND a.platform = 'telegram' ORDER BY a.id DESC LIMIT 1)"
    )
    op.drop_table("platform_accounts")


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"

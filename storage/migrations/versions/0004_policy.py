"""Tables of the policy area: policy_documents (versions), policy_clauses, policy_questions.

Revision ID: 0004_policy
Revises: 0003_supply
"""
import sqlalchemy as sa
from alembic import op

from storage.models.base import BigInt, UTCDateTime

revision = "0004_policy"
down_revision = "0003_supply"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_documents",
        sa.Column("id", BigInt, primary_key=True),
        sa.Column("title", sa.String(300), nullable=False, index=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("issuer", sa.String(200)),
        sa.Column("issued", sa.Date),
        sa.Column("issuer_line", sa.String(300)),
        sa.Column("style", sa.String(20), nullable=False),
        sa.Column("audience", sa.JSON, nullable=False),
        sa.Column("window", sa.JSON),
        sa.Column("source_text", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("current", sa.Boolean, nullable=False, index=True),
        sa.Column("replaced_by_id", BigInt, sa.ForeignKey("policy_documents.id")),
        sa.Column("imported_by_id", BigInt, sa.ForeignKey("users.id")),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "policy_clauses",
        sa.Column("id", BigInt, primary_key=True),
        sa.Column("document_id", BigInt, sa.ForeignKey("policy_documents.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200)),
        sa.Column("context", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("audience", sa.JSON, nullable=False),
    )
    op.create_table(
        "policy_questions",
        sa.Column("id", BigInt, primary_key=True),
        sa.Column("user_id", BigInt, sa.ForeignKey("users.id"), index=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False, index=True),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.Column("clause_id", BigInt, sa.ForeignKey("policy_clauses.id", ondelete="SET NULL")),
        sa.Column("confidence", sa.Float),
        sa.Column("appeal_id", BigInt, sa.ForeignKey("appeals.id", ondelete="SET NULL")),
        sa.Column("asked_at", UTCDateTime(), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("policy_questions")
    op.drop_table("policy_clauses")
    op.drop_table("policy_documents")

"""Tables of the policy area: handbook documents (with old versions), their clauses, questions asked."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class PolicyDoc(Base):
    """One version of a handbook document; re-importing a title adds a version and retires the old."""

    __tablename__ = "policy_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    issuer: Mapped[str | None] = mapped_column(String(200))
    issued: Mapped[date | None] = mapped_column(Date)
    issuer_line: Mapped[str | None] = mapped_column(String(300))
    style: Mapped[str] = mapped_column(String(20), default="hierarchy")
    audience: Mapped[dict] = mapped_column(JSON, default=dict)  # nlp.policy.Audience.to_dict()
    window: Mapped[dict | None] = mapped_column(JSON)  # nlp.policy.Window.to_dict()
    source_text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("policy_documents.id"))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    clauses: Mapped[list["PolicyClause"]] = relationship(
        back_populates="document", order_by="PolicyClause.seq", cascade="all, delete-orphan", lazy="selectin")


class PolicyClause(Base):
    """A clause of a document version, with its label as printed (第三条, 二、（一）)."""

    __tablename__ = "policy_clauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("policy_documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(80))
    title: Mapped[str | None] = mapped_column(String(200))
    context: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict] = mapped_column(JSON, default=dict)

    document: Mapped[PolicyDoc] = relationship(back_populates="clauses")


class PolicyQuestion(Base):
    """A policy question asked in chat and how it was answered (for statistics)."""

    __tablename__ = "policy_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(10), index=True)  # answer | related | none
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    clause_id: Mapped[int | None] = mapped_column(ForeignKey("policy_clauses.id", ondelete="SET NULL"))
    confidence: Mapped[float | None] = mapped_column(Float)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

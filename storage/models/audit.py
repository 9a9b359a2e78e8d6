"""The audit trail: who viewed or exported ledgers and enterprise files, and when."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AuditEntry(Base):
    """One use of a command that shows confidential data (/export, /enterprise, /ledger)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40))  # the command name
    detail: Mapped[str] = mapped_column(Text, default="")  # the arguments as typed
    outcome: Mapped[str] = mapped_column(Text, default="")  # first line of the answer (what was shown)
    chat_kind: Mapped[str] = mapped_column(String(16), default="private")  # private | group

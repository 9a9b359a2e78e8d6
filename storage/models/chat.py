"""Chat plumbing kept in the database: dialog state, seen updates, outbox, groups, invites."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigInt, utcnow


class DialogState(Base):
    """A user's unfinished multi-step dialog; survives restarts and is shared by workers."""

    __tablename__ = "dialog_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInt)
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProcessedUpdate(Base):
    """Update ids already handled, so a redelivered update is handled once."""

    __tablename__ = "processed_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OutboxStatus:
    """States of an outgoing notification."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after too many attempts
    BLOCKED = "blocked"  # the user blocked the bot
    UNDELIVERABLE = "undeliverable"  # no platform account to deliver to


class Outbox(Base):
    """A queued notification to one user; the sender delivers it exactly once."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInt)  # explicit target (a group); else the user's chat
    kind: Mapped[str] = mapped_column(String(20), default="notify")  # notify | reminder | digest | match
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list | None] = mapped_column(JSON)  # [[{"text": ..., "data": ...}]]
    # A PNG sent as a photo with the text as its caption (e.g. the power card's 30-day chart).
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # A key makes queuing idempotent: the same reminder is never queued twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class ChatGroup(Base):
    """A group chat an admin enrolled with /bindgroup; the bot works only there."""

    __tablename__ = "chat_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInt, unique=True)
    title: Mapped[str | None] = mapped_column(String(200))
    enrolled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invite(Base):
    """A one-time invite code that binds a chat account to a prepared user record."""

    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)

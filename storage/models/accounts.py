"""Platform accounts: which chat accounts (a chat platform's user id) belong to a user."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class PlatformAccount(Base):
    """One user's account on one chat platform; the external id is the platform's own user id."""

    __tablename__ = "platform_accounts"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_platform_accounts_platform_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # the adapter's platform name
    external_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    username: Mapped[str | None] = mapped_column(String(64))  # a public handle, where the platform has one
    # When bound, moved forward when the user writes from it: the outbox delivers to the latest.
    bound_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Numbered choices last offered to this account on a platform without buttons: [[text, data], ...].
    menu: Mapped[list | None] = mapped_column(JSON)

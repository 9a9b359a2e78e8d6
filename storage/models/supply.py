"""Tables of the supply area: posts, matches between posts, match feedback and deals."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigInt, utcnow


class PostKind:
    """A post offers goods/services (supply) or asks for them (demand)."""

    SUPPLY = "supply"
    DEMAND = "demand"


KIND_NAMES = {PostKind.SUPPLY: "供应", PostKind.DEMAND: "需求"}


class PostStatus:
    """Life of a post: drafted from a message, confirmed (open), then closed or expired."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


POST_STATUS_NAMES = {"draft": "待确认", "open": "匹配中", "closed": "已关闭", "expired": "已过期",
                     "cancelled": "已取消"}


class MatchStatus:
    """A match is proposed to both cadres; both 有意向 opens talks, then intent, then a signed deal."""

    PROPOSED = "proposed"
    REJECTED = "rejected"  # one side said 不相关: never proposed again for this pair
    NEGOTIATING = "negotiating"  # 洽谈中 (contacts exchanged)
    INTENT = "intent"  # 达成意向
    SIGNED = "signed"  # 已签约
    VOID = "void"  # a post closed or expired before both sides answered


MATCH_STATUS_NAMES = {"proposed": "待双方确认", "rejected": "不相关", "negotiating": "洽谈中",
                      "intent": "达成意向", "signed": "已签约", "void": "已失效"}


class SupplyPost(Base):
    """A supply or demand post by a resident cadre for one of their enterprises."""

    __tablename__ = "sd_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    products: Mapped[list] = mapped_column(JSON, default=list)
    specs: Mapped[list] = mapped_column(JSON, default=list)
    quantity: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(20))
    validity_days: Mapped[int] = mapped_column(Integer, default=30)
    status: Mapped[str] = mapped_column(String(12), index=True, default=PostStatus.DRAFT)
    source: Mapped[str] = mapped_column(String(10), default="command")  # command | group
    chat_id: Mapped[int | None] = mapped_column(BigInt)  # where it was posted
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None] = mapped_column()
    # Every change bumps it, so each process's in-memory matcher can catch up from the database.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SupplyMatch(Base):
    """A supply post paired with a demand post; one row per pair, ever."""

    __tablename__ = "sd_matches"
    __table_args__ = (UniqueConstraint("supply_post_id", "demand_post_id", name="uq_sd_matches_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supply_post_id: Mapped[int] = mapped_column(ForeignKey("sd_posts.id"), index=True)
    demand_post_id: Mapped[int] = mapped_column(ForeignKey("sd_posts.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), index=True, default=MatchStatus.PROPOSED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupplyFeedback(Base):
    """One cadre's answer to a match card: 有意向 (interested) or 不相关 (irrelevant)."""

    __tablename__ = "sd_feedback"
    __table_args__ = (UniqueConstraint("match_id", "user_id", name="uq_sd_feedback_match_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("sd_matches.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(10))  # interested | irrelevant
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SupplyDeal(Base):
    """A match both sides want: 洽谈中 -> 达成意向 -> 已签约 with the amount in 万元."""

    __tablename__ = "sd_deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("sd_matches.id", ondelete="CASCADE"), unique=True)
    stage: Mapped[str] = mapped_column(String(12), index=True, default=MatchStatus.NEGOTIATING)
    amount_wan: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    intent_at: Mapped[datetime | None] = mapped_column()
    signed_at: Mapped[datetime | None] = mapped_column()
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

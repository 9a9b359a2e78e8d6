"""Appeals (问题诉求): the graded ledger, its append-only history and attachments."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import BigInt, Base, utcnow
from .org import Enterprise, OrgUnit

CATEGORIES = ("金融", "基金", "土地", "能源", "人才", "生态环境", "政策", "审批", "市场", "其他")


class AppealStatus(StrEnum):
    """Each recorded state of the closed loop."""

    SUBMITTED = "submitted"  # 待县级审核
    RETURNED = "returned"  # 退回补充 (waits for the cadre)
    CITY_REVIEW = "city_review"  # 待市级审核
    CONSULTATION = "consultation"  # 会商中
    ASSIGNED = "assigned"  # 待签收
    IN_PROGRESS = "in_progress"  # 办理中 (also after a 重办)
    RESOLVED = "resolved"  # 已办结, awaiting the enterprise's satisfaction
    EXPLAINED = "explained"  # 已解释说明, awaiting the enterprise's satisfaction
    CLOSED = "closed"  # 已销号
    DISPUTED = "disputed"  # 不满意待裁定: a second 不满意, the reviewer decides redo or 销号


STATUS_NAMES = {
    AppealStatus.SUBMITTED: "待县级审核",
    AppealStatus.RETURNED: "退回补充材料",
    AppealStatus.CITY_REVIEW: "待市级审核",
    AppealStatus.CONSULTATION: "会商中",
    AppealStatus.ASSIGNED: "待签收",
    AppealStatus.IN_PROGRESS: "办理中",
    AppealStatus.RESOLVED: "已办结（待评价）",
    AppealStatus.EXPLAINED: "已解释说明（待评价）",
    AppealStatus.CLOSED: "已销号",
    AppealStatus.DISPUTED: "不满意待裁定",
}

# The deadline clock runs in these states (the appeal sits with a responsible unit).
CLOCK_RUNNING = (AppealStatus.ASSIGNED, AppealStatus.IN_PROGRESS)
# Not yet finished by anyone.
OPEN_STATUSES = tuple(s for s in AppealStatus if s not in (AppealStatus.RESOLVED, AppealStatus.EXPLAINED, AppealStatus.CLOSED))

SATISFACTION = ("满意", "基本满意", "不满意")


class Appeal(Base):
    """One enterprise appeal and its current state in the ledger."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    category_confidence: Mapped[float | None] = mapped_column(Float)
    urgency: Mapped[str] = mapped_column(String(1), default="B")  # A urgent, B normal
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True, default=AppealStatus.SUBMITTED)
    level: Mapped[str] = mapped_column(String(10), default="county")  # county | city
    # The unit the category routes to (suggestion), and the unit responsible once assigned.
    routed_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    consulted: Mapped[bool] = mapped_column(default=False)
    assigned_at: Mapped[datetime | None] = mapped_column()
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    extension_state: Mapped[str | None] = mapped_column(String(10))  # pending | granted | refused
    extension_days: Mapped[int | None] = mapped_column(Integer)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)  # 办结 result
    explanation: Mapped[str | None] = mapped_column(Text)  # 解释说明 for the enterprise
    outcome: Mapped[str | None] = mapped_column(String(10))  # resolved | explained
    finished_at: Mapped[datetime | None] = mapped_column()  # when resolved/explained (on-time check)
    satisfaction: Mapped[str | None] = mapped_column(String(10))
    redo_count: Mapped[int] = mapped_column(Integer, default=0)
    # Every 不满意 the enterprise gave, kept even when a later rating is better (figures show it).
    dissatisfied_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    closed_at: Mapped[datetime | None] = mapped_column()
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)  # for stage-reply reminders
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Optimistic lock: a transition only applies to the version the actor saw.
    version: Mapped[int] = mapped_column(Integer, default=1)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[unit_id], lazy="joined")
    county: Mapped[OrgUnit] = relationship(foreign_keys=[county_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class AppealEvent(Base):
    """An appended history entry: who did what, when, from which state to which."""

    __tablename__ = "appeal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class AppealAttachment(Base):
    """A photo or file attached to an appeal (the platform's file id, or a name in the console)."""

    __tablename__ = "appeal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # photo | document
    file_id: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str | None] = mapped_column(String(200))
    # The history entry (补充, 阶段性答复, 办结, 解释说明) the file came with; None: filed with the appeal.
    event_id: Mapped[int | None] = mapped_column(BigInt, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

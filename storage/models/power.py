"""Tables of the power-use monitoring area (日监测): daily readings, detected anomalies, reasons given."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

KIND_NAMES = {"drop": "用电骤降", "decline": "持续下降", "stop": "疑似停产"}
# Reason codes a cadre picks on a card; 'other' needs a text.
REASONS = {"maint": "检修", "orders": "订单减少", "limit": "限电", "rectify": "停产整顿", "other": "其他"}


class PowerReading(Base):
    """One enterprise's production power use on one day (kWh), as the grid company reports it."""

    __tablename__ = "power_readings"
    __table_args__ = (UniqueConstraint("enterprise_id", "day", name="uq_power_readings_enterprise_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    kwh: Mapped[float] = mapped_column(Float)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class PowerAnomaly(Base):
    """A flagged enterprise-day with its figures; the push and the cards refer to it by id."""

    __tablename__ = "power_anomalies"
    __table_args__ = (UniqueConstraint("enterprise_id", "day", name="uq_power_anomalies_enterprise_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(10))  # drop | decline | stop
    use_kwh: Mapped[float] = mapped_column(Float)
    baseline_kwh: Mapped[float] = mapped_column(Float)
    change: Mapped[float] = mapped_column(Float)  # fraction, negative below the baseline
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("power_reasons.id", ondelete="SET NULL"))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="SET NULL"))
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)


class PowerReason(Base):
    """Why an enterprise's use is low, as its cadre said; silences the enterprise until `until`."""

    __tablename__ = "power_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(10))  # a key of REASONS
    text: Mapped[str | None] = mapped_column(Text)
    since: Mapped[date] = mapped_column(Date)  # the anomaly day it explains
    until: Mapped[date] = mapped_column(Date)  # expected end: no flag up to and including this day
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def label(self) -> str:
        """'检修' or '其他：…'."""
        name = REASONS.get(self.code, self.code)
        return f"{name}：{self.text}" if self.code == "other" and self.text else name

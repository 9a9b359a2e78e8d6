"""The official holiday calendar as the operator loads it (国务院办公厅节假日安排), shared by all workers."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

HOLIDAY, WORKDAY = "放假", "上班"
DAY_KINDS = (HOLIDAY, WORKDAY)


class CalendarDay(Base):
    """One official day that differs from Monday-Friday: a holiday (放假) or a make-up working day (上班)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(4))  # 放假 | 上班
    name: Mapped[str] = mapped_column(String(40), default="")  # 春节, 国庆节 …
    source: Mapped[str] = mapped_column(String(200), default="")  # the file or "命令行"
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarStamp(Base):
    """A single row whose version goes up with every change, so every worker knows to reload."""

    __tablename__ = "calendar_stamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

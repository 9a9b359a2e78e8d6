"""The official calendar table: keeping this process's copy in step with the database, and saving days."""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import workdays
from .models.base import utcnow
from .models.calendar import HOLIDAY, WORKDAY, CalendarDay, CalendarStamp

STAMP_ID = 1
# A worker looks at the stamp at most this often (seconds); a change reaches every worker within it.
SYNC_INTERVAL_S = 1.0
_last_check = {"at": float("-inf")}


@dataclass(frozen=True)
class NewDay:
    """A day to save: a holiday (放假) or a make-up working day (上班)."""

    day: date
    kind: str
    name: str = ""

    @property
    def workday(self) -> bool:
        return self.kind == WORKDAY


async def _stamp(session: AsyncSession) -> int:
    return (await session.scalar(select(CalendarStamp.version).where(CalendarStamp.id == STAMP_ID))) or 0


async def reload_calendar(session: AsyncSession) -> int:
    """Read the whole table into this process (and clear the working-day caches); returns its version."""
    version = await _stamp(session)
    rows = await session.scalars(select(CalendarDay))
    workdays.load_table((workdays.TableDay(r.day, r.kind == WORKDAY, r.name, r.source) for r in rows), version)
    _last_check["at"] = time.monotonic()
    return version


async def sync_calendar(session: AsyncSession, *, force: bool = False) -> bool:
    """Reload when the table's version moved since this process read it; True when it reloaded.

    Costs one single-row read at most once a second, so every update can call it.
    """
    now = time.monotonic()
    if not force and now - _last_check["at"] < SYNC_INTERVAL_S and workdays.table_version() is not None:
        return False
    _last_check["at"] = now
    version = await _stamp(session)
    if version == workdays.table_version():
        return False
    await reload_calendar(session)
    return True


async def save_days(session: AsyncSession, days: Iterable[NewDay], source: str,
                    now: datetime | None = None) -> tuple[int, int]:
    """Insert or update days, bump the version and reload this process; returns (added, changed)."""
    now = now or utcnow()
    added = changed = 0
    for d in days:
        if d.kind not in (HOLIDAY, WORKDAY):
            raise ValueError(f"unknown calendar kind {d.kind!r}")
        row = await session.get(CalendarDay, d.day)
        if row is None:
            session.add(CalendarDay(day=d.day, kind=d.kind, name=d.name[:40], source=source[:200], updated_at=now))
            added += 1
        elif (row.kind, row.name) != (d.kind, d.name[:40]):
            row.kind, row.name, row.source, row.updated_at = d.kind, d.name[:40], source[:200], now
            changed += 1
    if added or changed:
        stamp = await session.get(CalendarStamp, STAMP_ID, with_for_update=True)
        if stamp is None:
            session.add(CalendarStamp(id=STAMP_ID, version=1, updated_at=now))
        else:
            stamp.version += 1
            stamp.updated_at = now
        await session.flush()
    await reload_calendar(session)
    return added, changed

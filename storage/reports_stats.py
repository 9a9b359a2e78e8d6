"""Appeal figures for the headquarters: counted from the appeals ledger, grouped and filtered."""
from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import CATEGORIES, Appeal, AppealStatus, OrgUnit
from .models.appeals import OPEN_STATUSES
from .reports_labels import DIMENSIONS, FIGURES, UNASSIGNED, pct
from .reports_period import TZ, Period, all_time, local_date
from .workdays import workdays_between

FINISHED_STATUSES = (AppealStatus.RESOLVED, AppealStatus.EXPLAINED, AppealStatus.CLOSED)
SATISFIED = ("满意", "基本满意")


@dataclass(frozen=True)
class Scope:
    """Which appeals a report covers: a county, a responsible unit and/or a category (None: all)."""

    county_id: int | None = None
    unit_id: int | None = None
    category: str | None = None

    def where(self) -> list[Any]:
        """SQL conditions on Appeal for this scope."""
        cond = []
        if self.county_id is not None:
            cond.append(Appeal.county_id == self.county_id)
        if self.unit_id is not None:
            cond.append(Appeal.unit_id == self.unit_id)
        if self.category is not None:
            cond.append(Appeal.category == self.category)
        return cond


def is_finished(a) -> bool:
    """办结: resolved or explained by the unit (whether or not the enterprise has rated it yet)."""
    return a.outcome in ("resolved", "explained") and a.finished_at is not None and a.status in FINISHED_STATUSES


from .figures import is_overdue  # noqa: E402,F401  (one definition for every report)


def overdue_workdays(a, today: date) -> int:
    """Working days past the deadline, in (deadline, today]."""
    return workdays_between(a.deadline, today) if a.deadline is not None else 0


def on_time(a, tz: str = TZ) -> bool | None:
    """True when finished on or before its deadline; None when not finished or without a deadline."""
    if not is_finished(a) or a.deadline is None:
        return None
    return local_date(a.finished_at, tz) <= a.deadline


def days_to_finish(a, tz: str = TZ) -> int | None:
    """Working days from submission to 办结, or None when not finished."""
    if not is_finished(a):
        return None
    return workdays_between(local_date(a.created_at, tz), local_date(a.finished_at, tz))


@dataclass
class AppealFigures:
    """Counts for one group of appeals; rates are derived (None when the denominator is 0)."""

    received: int = 0
    finished: int = 0
    resolved: int = 0
    explained: int = 0
    finished_with_deadline: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    redone: int = 0
    dissatisfied: int = 0  # appeals the enterprise rated 不满意 at least once, whatever came after
    open: int = 0
    overdue_now: int = 0
    days: list[int] = field(default_factory=list)

    @staticmethod
    def _rate(num: int, den: int) -> float | None:
        return num / den if den else None

    @property
    def finish_rate(self) -> float | None:
        """办结率 = (resolved + explained) / received."""
        return self._rate(self.finished, self.received)

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率 = finished on or before the deadline / finished with a deadline."""
        return self._rate(self.on_time, self.finished_with_deadline)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率 = (满意 + 基本满意) / rated."""
        return self._rate(self.satisfied, self.rated)

    @property
    def explained_share(self) -> float | None:
        """Explained / finished."""
        return self._rate(self.explained, self.finished)

    @property
    def redo_share(self) -> float | None:
        """Appeals redone at least once / received."""
        return self._rate(self.redone, self.received)

    @property
    def median_days(self) -> float | None:
        """Median working days from submission to 办结."""
        return statistics.median(self.days) if self.days else None

    def value(self, key: str) -> Any:
        """A figure by its FIGURES key."""
        return getattr(self, key)

    def formatted(self, key: str) -> str:
        """A figure as display text."""
        v = self.value(key)
        if key.endswith("_rate") or key.endswith("_share"):
            return pct(v)
        if key == "median_days":
            return "—" if v is None else (f"{v:g}")
        return str(v)


def compute(appeals: Iterable, period: Period, today: date, tz: str = TZ) -> AppealFigures:
    """Figures for appeals received in `period`; `open`/`overdue_now` count every open appeal given."""
    f = AppealFigures()
    for a in appeals:
        if a.duplicate_of_id is not None:
            continue
        if a.status in OPEN_STATUSES:
            f.open += 1
            f.overdue_now += is_overdue(a, today)
        if not period.contains(local_date(a.created_at, tz)):
            continue
        f.received += 1
        f.redone += (a.redo_count or 0) > 0
        f.dissatisfied += (getattr(a, "dissatisfied_count", 0) or 0) > 0
        if is_finished(a):
            f.finished += 1
            f.resolved += a.outcome == "resolved"
            f.explained += a.outcome == "explained"
            ok = on_time(a, tz)
            if ok is not None:
                f.finished_with_deadline += 1
                f.on_time += ok
            f.days.append(days_to_finish(a, tz))
        if a.satisfaction:
            f.rated += 1
            f.satisfied += a.satisfaction in SATISFIED
    return f


async def load_appeals(session: AsyncSession, scope: Scope, period: Period, today: date, tz: str = TZ) -> list[Appeal]:
    """Appeals in scope received in the period, plus every open one (for the 'now' figures)."""
    lo, hi = period.utc_bounds(tz)
    stmt = select(Appeal).where(*scope.where(), or_(and_(Appeal.created_at >= lo, Appeal.created_at < hi),
                                                    Appeal.status.in_([str(s) for s in OPEN_STATUSES])))
    return list((await session.scalars(stmt.order_by(Appeal.id))).unique())


@dataclass
class Breakdown:
    """Figures for the whole scope and for each group of one dimension."""

    period: Period
    dimension: str | None
    total: AppealFigures
    groups: list[tuple[str, AppealFigures]]


async def unit_names(session: AsyncSession) -> dict[int, OrgUnit]:
    """Every organisational unit by id."""
    return {u.id: u for u in (await session.scalars(select(OrgUnit).order_by(OrgUnit.id))).all()}


def group_key(a, dimension: str, units: dict[int, OrgUnit]) -> str:
    """The group label of one appeal for a dimension."""
    if dimension == "county":
        return units[a.county_id].name if a.county_id in units else str(a.county_id)
    if dimension == "unit":
        return units[a.unit_id].name if a.unit_id in units else UNASSIGNED
    return a.category


def _order(dimension: str, units: dict[int, OrgUnit]) -> list[str]:
    if dimension == "county":
        return [u.name for u in units.values() if u.kind == "county"]
    if dimension == "unit":
        return [u.name for u in units.values()] + [UNASSIGNED]
    return list(CATEGORIES)


async def breakdown(session: AsyncSession, scope: Scope, period: Period | None, today: date,
                    dimension: str | None = None, tz: str = TZ) -> Breakdown:
    """Figures for a scope and period, optionally split by county, unit or category."""
    period = period or all_time()
    rows = await load_appeals(session, scope, period, today, tz)
    total = compute(rows, period, today, tz)
    groups: list[tuple[str, AppealFigures]] = []
    if dimension:
        if dimension not in DIMENSIONS:
            raise ValueError(dimension)
        units = await unit_names(session)
        by_key: dict[str, list] = {}
        for a in rows:
            by_key.setdefault(group_key(a, dimension, units), []).append(a)
        order = _order(dimension, units)
        keys = sorted(by_key, key=lambda k: (order.index(k) if k in order else len(order), k))
        for k in keys:
            fig = compute(by_key[k], period, today, tz)
            if fig.received or fig.open:
                groups.append((k, fig))
    return Breakdown(period, dimension, total, groups)


def figure_lines(f: AppealFigures, keys: Sequence[str] = tuple(FIGURES)) -> list[str]:
    """'label：value' lines for a figures block."""
    return [f"{FIGURES[k]}：{f.formatted(k)}" for k in keys]

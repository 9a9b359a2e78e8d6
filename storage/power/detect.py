"""Anomaly detection on one enterprise's daily power use against its own robust baseline.

Pure functions over {date: kWh}; the calendar comes from storage.workdays (holidays and 调休): a
holiday, a rest day or a make-up working day (a 调休 Saturday or Sunday, which plants work lightly or
not at all) is neither judged nor part of a baseline, nor are the working days at the edges of long
holidays. Missing days are meter gaps: never a stop, never a baseline value.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from statistics import median

from storage.workdays import is_workday

LOOKBACK_DAYS = 84  # calendar days of history a baseline may draw on (12 weeks)


@dataclass(frozen=True)
class Thresholds:
    """Detection settings (PANDENG_POWER_* in bot.settings)."""

    drop: float = 0.30  # a working day at least this far below the baseline is a sharp drop
    decline: float = 0.15  # ... this far below on `decline_days` working days in a row is a decline
    decline_days: int = 3
    stop: float = 0.10  # at most this fraction of the baseline is a stop (near zero)
    min_history: int = 10  # comparable working days needed before an enterprise is judged
    baseline_days: int = 20  # recent comparable working days in the baseline
    restart_days: int = 5  # working days after a week-long holiday (春节, 国庆) that are not judged
    wind_down_days: int = 2  # working days before a week-long holiday (春节, 国庆) that are not judged

    @classmethod
    def from_settings(cls, settings) -> "Thresholds":
        """Read the power_* settings, falling back to the defaults for a settings object without them."""
        d = cls()
        return cls(**{f: getattr(settings, f"power_{f}", getattr(d, f)) for f in d.__dataclass_fields__})


@dataclass(frozen=True)
class Verdict:
    """The judgement of one enterprise-day: a kind, or why it was not judged."""

    kind: str | None  # drop | decline | stop | None
    use: float | None = None
    baseline: float | None = None
    change: float | None = None
    skipped: str | None = None  # rest_day | makeup | gap | history | restart (holiday edge)


@lru_cache(maxsize=8192)
def after_long_holiday(day: date, restart_days: int) -> bool:
    """True on the first `restart_days` working days after a run of >= 7 rest days (春节, 国庆: plants ramp up)."""
    seen = 0
    d = day - timedelta(days=1)
    for _ in range(40):
        if is_workday(d):
            seen += 1
            if seen >= restart_days:
                return False
            d -= timedelta(days=1)
            continue
        run = 0
        while not is_workday(d):
            run += 1
            d -= timedelta(days=1)
        if run >= 7:
            return True
    return False


@lru_cache(maxsize=8192)
def before_week_long_holiday(day: date, wind_down_days: int) -> bool:
    """True on the last `wind_down_days` working days before a run of >= 7 rest days (workers leave early)."""
    seen = 0
    d = day + timedelta(days=1)
    for _ in range(40):
        if is_workday(d):
            seen += 1
            if seen >= wind_down_days:
                return False
            d += timedelta(days=1)
            continue
        run = 0
        while not is_workday(d):
            run += 1
            d += timedelta(days=1)
        if run >= 7:
            return True
    return False


def makeup_day(day: date) -> bool:
    """A make-up working day (调休): a Saturday or Sunday the official calendar makes a working day."""
    return day.weekday() >= 5 and is_workday(day)


def holiday_edge(day: date, th: "Thresholds") -> bool:
    """True on a working day at the edge of a long holiday, where plants ramp down or up again."""
    return after_long_holiday(day, th.restart_days) or before_week_long_holiday(day, th.wind_down_days)


def _comparable(series: dict[date, float], day: date, th: Thresholds) -> list[tuple[date, float]]:
    """Recent working days before `day` with a reading, outside restart windows, newest first."""
    out = []
    d = day - timedelta(days=1)
    stop = day - timedelta(days=LOOKBACK_DAYS)
    while d >= stop and len(out) < th.baseline_days * 2:
        v = series.get(d)
        if v is not None and is_workday(d) and not makeup_day(d) and not holiday_edge(d, th):
            out.append((d, v))
        d -= timedelta(days=1)
    return out


def baseline(series: dict[date, float], day: date, th: Thresholds) -> float | None:
    """Median of recent comparable working days, blended with the same weekday's median; None: too little history."""
    days = _comparable(series, day, th)
    if len(days) < th.min_history:
        return None
    recent = median(v for _, v in days[: th.baseline_days])
    same = [v for d, v in days if d.weekday() == day.weekday()][:6]
    if len(same) >= 3:
        return (recent + median(same)) / 2
    return recent


def _change(use: float, base: float) -> float:
    return (use - base) / base if base > 0 else 0.0


def judge(series: dict[date, float], day: date, th: Thresholds = Thresholds()) -> Verdict:
    """Judge the reading dated `day` against the enterprise's own history (readings after `day` are ignored)."""
    if not is_workday(day):
        return Verdict(None, skipped="rest_day")
    if makeup_day(day):
        return Verdict(None, use=series.get(day), skipped="makeup")
    use = series.get(day)
    if use is None:
        return Verdict(None, skipped="gap")
    if holiday_edge(day, th):
        return Verdict(None, use=use, skipped="restart")
    base = baseline(series, day, th)
    if base is None or base <= 0:
        return Verdict(None, use=use, skipped="history")
    change = _change(use, base)
    if use <= th.stop * base:
        return Verdict("stop", use, base, change)
    before = _declining_before(series, day, th) if change <= -th.decline else None
    # A bad day inside a run of milder ones is the decline going on, not a new drop; a run of
    # drop-deep days is one drop lasting.
    if before is not None and any(c > -th.drop for c in before):
        return Verdict("decline", use, base, change)
    if change <= -th.drop:
        return Verdict("drop", use, base, change)
    if before is not None:
        return Verdict("decline", use, base, change)
    return Verdict(None, use, base, change)


def _declining_before(series: dict[date, float], day: date, th: Thresholds) -> list[float] | None:
    """The changes of the `decline_days - 1` previous working days when each was at least `decline` below, else None."""
    changes: list[float] = []
    d = day - timedelta(days=1)
    for _ in range(30):
        if len(changes) >= th.decline_days - 1:
            return changes
        if is_workday(d) and not makeup_day(d):
            use = series.get(d)
            if use is None or holiday_edge(d, th):
                return None  # a gap or a restart day breaks the run: "in a row" means measured days
            base = baseline(series, d, th)
            if base is None or base <= 0 or _change(use, base) > -th.decline:
                return None
            changes.append(_change(use, base))
        d -= timedelta(days=1)
    return changes if len(changes) >= th.decline_days - 1 else None

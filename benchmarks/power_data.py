"""A labelled synthetic power-use set: enterprises over 2025-2026 with injected events and calendar traps.

Every enterprise has a level, a profile (Monday-Friday plant, or continuous process), weekly rhythm,
noise, a seasonal shape, one-off meter gaps, and the behaviour real plants show around the official
calendar: holidays at rest level (Spring Festival lower still), some plants winding down before the
Spring Festival and ramping up after it and National Day, make-up working days (调休) at 80-100%.
Injected events, on working days: drop (1-3 working days at 30-68%), stop (1-8 working days at 0-6%),
decline (4-10 working days at 72-84%; labelled from its third working day, when the rule can know).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from storage.workdays import is_workday

FIRST, LAST = date(2025, 1, 1), date(2026, 12, 31)
EVENTS_FROM = date(2025, 3, 1)  # leave the detector some history first


@dataclass
class Enterprise:
    """One synthetic enterprise: its readings and the labels of its injected events."""

    id: int
    profile: str
    series: dict[date, float] = field(default_factory=dict)
    labels: dict[date, str] = field(default_factory=dict)  # working day -> drop | stop | decline
    event_days: set[date] = field(default_factory=set)  # every day touched by an event (lead days too)


def _days():
    d = FIRST
    while d <= LAST:
        yield d
        d += timedelta(days=1)


@lru_cache(maxsize=1)
def _rest_runs() -> list[tuple[date, date]]:
    """Runs of consecutive rest days (first, last)."""
    runs, start = [], None
    for d in _days():
        if not is_workday(d):
            start = start or d
        elif start:
            runs.append((start, d - timedelta(days=1)))
            start = None
    return runs


def _working_after(day: date, n: int) -> list[date]:
    out, d = [], day
    while len(out) < n:
        d += timedelta(days=1)
        if is_workday(d):
            out.append(d)
    return out


def _working_before(day: date, n: int) -> list[date]:
    out, d = [], day
    while len(out) < n:
        d -= timedelta(days=1)
        if is_workday(d):
            out.append(d)
    return out


def spring_festival_runs() -> list[tuple[date, date]]:
    """The two Spring Festival holidays (the week-long runs in January/February)."""
    return [(a, b) for a, b in _rest_runs() if (b - a).days >= 6 and a.month in (1, 2)]


def national_day_runs() -> list[tuple[date, date]]:
    """The two National Day holidays."""
    return [(a, b) for a, b in _rest_runs() if (b - a).days >= 6 and a.month in (9, 10)]


def make_enterprise(i: int, rng: random.Random) -> Enterprise:
    """One enterprise with its readings and labels (deterministic for a given rng state)."""
    profile = "continuous" if rng.random() < 0.2 else "weekday"
    ent = Enterprise(i, profile)
    level = math.exp(rng.uniform(math.log(800), math.log(150000)))
    rest = rng.uniform(0.75, 0.95) if profile == "continuous" else rng.uniform(0.1, 0.45)
    weekly = [1 + rng.uniform(-0.05, 0.05) for _ in range(7)]
    noise = rng.uniform(0.02, 0.07)
    seasonal = rng.uniform(0.0, 0.2) if rng.random() < 0.5 else 0.0
    phase = rng.uniform(0, 2 * math.pi)
    trend = rng.uniform(-0.15, 0.35) if rng.random() < 0.3 else 0.0  # per year: a ramping or shrinking plant
    sf_depth = rng.uniform(0.6, 0.9) if profile == "continuous" else rng.uniform(0.03, 0.2)
    winds_down = profile == "weekday" and rng.random() < 0.4
    makeup = rng.uniform(0.8, 1.0)
    factor: dict[date, float] = {}
    for a, b in spring_festival_runs():
        d = a
        while d <= b:
            factor[d] = sf_depth
            d += timedelta(days=1)
        ramp = rng.randint(1, 5) if profile == "weekday" else rng.randint(0, 2)
        for k, w in enumerate(_working_after(b, ramp)):
            factor[w] = 0.35 + 0.65 * k / max(ramp, 1)
        if winds_down:
            for k, w in enumerate(_working_before(a, rng.randint(1, 2))):
                factor[w] = rng.uniform(0.55, 0.85) if k == 0 else rng.uniform(0.8, 0.95)
    for a, b in national_day_runs():
        for k, w in enumerate(_working_after(b, rng.randint(0, 2))):
            factor[w] = 0.6 + 0.2 * k
    for d in _days():
        t = (d - FIRST).days / 365.0
        normal = level * (1 + trend * t) * (1 + seasonal * math.sin(2 * math.pi * t + phase)) * weekly[d.weekday()]
        if not is_workday(d):
            normal *= rest
        elif d.weekday() >= 5:
            normal *= makeup  # a 调休 Saturday or Sunday: worked, a little lighter
        normal *= factor.get(d, 1.0)
        ent.series[d] = normal * max(0.5, rng.gauss(1, noise))
    _inject(ent, rng)
    for _ in range(rng.randint(0, 6)):  # one-off meter gaps, anywhere (inside events too)
        ent.series.pop(FIRST + timedelta(days=rng.randrange((LAST - FIRST).days + 1)), None)
    return ent


def _inject(ent: Enterprise, rng: random.Random) -> None:
    plan = (["drop"] * _poisson(rng, 1.2) + ["stop"] * _poisson(rng, 0.5) + ["decline"] * _poisson(rng, 0.6))
    rng.shuffle(plan)
    busy_until = EVENTS_FROM
    for kind in plan:
        start = busy_until + timedelta(days=rng.randint(20, 200))
        while not is_workday(start):
            start += timedelta(days=1)
        length = {"drop": rng.randint(1, 3), "stop": rng.randint(1, 8), "decline": rng.randint(4, 10)}[kind]
        days = [start] + _working_after(start, length - 1)
        if days[-1] > LAST:
            break
        d = start
        while d <= days[-1]:
            ent.event_days.add(d)
            frac = {"drop": rng.uniform(0.3, 0.68), "stop": rng.uniform(0.0, 0.06),
                    "decline": rng.uniform(0.72, 0.84)}[kind]
            ent.series[d] *= frac
            d += timedelta(days=1)
        for k, w in enumerate(days):
            if kind != "decline" or k >= 2:
                ent.labels[w] = kind
        busy_until = days[-1] + timedelta(days=30)


def _poisson(rng: random.Random, lam: float) -> int:
    k, p, threshold = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p < threshold:
            return k
        k += 1


def make_set(n: int = 600, seed: int = 20261203) -> list[Enterprise]:
    """The benchmark set: `n` enterprises, deterministic for a seed."""
    rng = random.Random(seed)
    return [make_enterprise(i, rng) for i in range(n)]


@lru_cache(maxsize=4096)
def holiday_trap(day: date) -> bool:
    """A day where the calendar, not the plant, explains low use: rest days, make-up days, holiday edges."""
    if not is_workday(day) or day.weekday() >= 5:
        return True
    for a, b in _rest_runs():
        if (b - a).days >= 2:
            if b < day <= b + timedelta(days=10) and len([x for x in _between(b, day) if is_workday(x)]) <= 5:
                return True
            if day < a and len([x for x in _between(day, a) if is_workday(x)]) <= 3:
                return True
    return False


def _between(a: date, b: date) -> list[date]:
    """Days in (a, b]."""
    out, d = [], a
    while d < b:
        d += timedelta(days=1)
        out.append(d)
    return out

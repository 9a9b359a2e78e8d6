"""Hand-made power series for the power tests: a Monday-Friday plant on the official calendar."""
from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from storage.workdays import is_workday

WORK_KWH = 10000.0
REST_KWH = 2000.0


def plant(first: date, last: date, overrides: dict[date, float | None] | None = None) -> dict[date, float]:
    """Working days ~10,000 kWh (a small fixed wobble), rest days and holidays 2,000; overrides win (None: gap)."""
    out: dict[date, float] = {}
    d = first
    while d <= last:
        wobble = (d.toordinal() % 5 - 2) * 100  # -200..+200, deterministic
        out[d] = (WORK_KWH if is_workday(d) else REST_KWH) + wobble
        d += timedelta(days=1)
    for d, v in (overrides or {}).items():
        if v is None:
            out.pop(d, None)
        else:
            out[d] = v
    return out


def write_long_csv(path: Path, series: dict[str, dict[date, float]], *, encoding: str = "utf-8",
                   key: str = "企业名称") -> Path:
    """The long layout: 企业名称 (or 户号), 日期, 用电量."""
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow([key, "日期", "用电量"])
        for name, days in series.items():
            for d, v in sorted(days.items()):
                w.writerow([name, d.isoformat(), f"{v:.1f}"])
    return path

"""Small PNG charts of power use, drawn with the bundled font (labels use only characters it holds)."""
from __future__ import annotations

from datetime import date, timedelta

import matplotlib

from storage.reports_charts import _new_figure, _style, to_png
from storage.workdays import is_workday

WORK, REST, FLAG, LINE = "#2F6EBA", "#B8C4D6", "#C8504B", "#E9883A"


def thirty_day_chart(series: dict[date, float], day: date, baseline: float | None, *, days: int = 30) -> bytes:
    """Bars of the last `days` days up to `day` (rest days pale, the judged day red), the baseline dashed."""
    dates = [day - timedelta(days=days - 1 - i) for i in range(days)]
    values = [series.get(d, 0.0) for d in dates]
    colors = [FLAG if d == day else (WORK if is_workday(d) else REST) for d in dates]
    with matplotlib.rc_context(_style()):
        fig = _new_figure(5.0, 2.4)
        ax = fig.add_subplot()
        ax.bar(range(days), values, color=colors, width=0.8)
        for i, d in enumerate(dates):
            if d not in series:
                ax.text(i, 0, "x", ha="center", va="bottom", fontsize=7, color="#888888")  # meter gap
        if baseline:
            ax.axhline(baseline, color=LINE, linestyle="--", linewidth=1.2, label="基线")
            ax.legend(loc="lower left", fontsize=7, frameon=False)
        ticks = [i for i in range(days) if i % 7 == days % 7 - 1 or i == days - 1]
        ax.set_xticks(ticks, [dates[i].strftime("%m-%d") for i in ticks], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_title("近30天日用电量（kWh）：红色为当日，x 为无数据", fontsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return to_png(fig)


def monthly_chart(labels: list[str], this: list[float], last: list[float], last_year: list[float], title: str) -> bytes:
    """Grouped bars: this month, last month and the same month last year, per county or cluster (MWh)."""
    with matplotlib.rc_context(_style()):
        fig = _new_figure(8.0, 4.2)
        ax = fig.add_subplot()
        x = range(len(labels))
        w = 0.27
        ax.bar([i - w for i in x], [v / 1000 for v in last_year], w, color=REST, label="上年同月")
        ax.bar(list(x), [v / 1000 for v in last], w, color=LINE, label="上月")
        ax.bar([i + w for i in x], [v / 1000 for v in this], w, color=WORK, label="本月")
        ax.set_xticks(list(x), labels, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("用电量（MWh）")
        ax.set_title(title)
        ax.legend(fontsize=8, frameon=False)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return to_png(fig)

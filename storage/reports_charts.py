"""PNG charts for the headquarters, drawn with the bundled CJK font (no system font needed)."""
from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .fonts import FONT_FAMILY, FONT_FILE
from .reports_labels import pct

COLORS = ("#2F6EBA", "#E9883A", "#4EA162", "#C8504B", "#8A6BBE", "#8C6D5A", "#D67AB1", "#7F7F7F", "#B5B83D", "#3DB5C4")


@lru_cache(maxsize=1)
def register_font() -> str:
    """Add the bundled font to matplotlib's font manager (once) and return its family name."""
    font_manager.fontManager.addfont(str(FONT_FILE))
    return FONT_FAMILY


def _style() -> dict:
    # Only our family, so a label never silently falls back to a font without hanzi.
    return {"font.family": [register_font()], "axes.unicode_minus": False, "svg.fonttype": "none"}


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes (Agg, no pyplot, no global backend switch)."""
    buf = io.BytesIO()
    with matplotlib.rc_context(_style()):
        fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def _empty(ax, title: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, "暂无数据", ha="center", va="center", fontsize=16, color="#888888", transform=ax.transAxes)
    ax.set_axis_off()


def category_month_chart(months: Sequence[str], counts: dict[str, Sequence[int]], title: str = "各类别诉求按月分布") -> Figure:
    """Stacked bars: appeals per month, one colour per category (counts[category][i] for months[i])."""
    with matplotlib.rc_context(_style()):
        fig = _new_figure(8, 4.8)
        ax = fig.add_subplot()
        if not months or not any(sum(v) for v in counts.values()):
            _empty(ax, title)
            return fig
        bottom = [0] * len(months)
        for i, (cat, values) in enumerate(counts.items()):
            if not sum(values):
                continue
            ax.bar(months, values, bottom=bottom, label=cat, color=COLORS[i % len(COLORS)], width=0.6)
            bottom = [b + v for b, v in zip(bottom, values)]
        for x, total in enumerate(bottom):
            if total:
                ax.text(x, total, str(total), ha="center", va="bottom", fontsize=9)
        ax.set_title(title)
        ax.set_xlabel("月份")
        ax.set_ylabel("诉求数量（件）")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
    return fig


def rates_chart(rows: Sequence[tuple[str, float | None, float | None, float | None]],
                title: str = "各县区办结率、按期办结率与满意率") -> Figure:
    """Horizontal grouped bars: 办结率, 按期办结率, 满意率 for each county (None drawn as no bar)."""
    with matplotlib.rc_context(_style()):
        fig = _new_figure(8, max(3.2, 0.55 * len(rows) + 1.5))
        ax = fig.add_subplot()
        if not rows:
            _empty(ax, title)
            return fig
        names = [r[0] for r in rows][::-1]
        h = 0.26
        for j, label in enumerate(("办结率", "按期办结率", "满意率")):
            values = [r[j + 1] for r in rows][::-1]
            ys = [i + (1 - j) * h for i in range(len(names))]
            ax.barh(ys, [0 if v is None else v * 100 for v in values], height=h, label=label, color=COLORS[j])
            for y, v in zip(ys, values):
                ax.text((v or 0) * 100 + 1, y, pct(v), va="center", fontsize=7)
        ax.set_yticks(range(len(names)), names)
        ax.set_xlim(0, 112)
        ax.set_xlabel("比率（%）")
        ax.set_title(title)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
    return fig


def funnel_chart(stages: Sequence[tuple[str, int]] | None, amount_wan: float | None = None,
                 title: str = "供需对接转化漏斗") -> Figure:
    """A funnel of the supply-and-demand stages (posts → matches → intents → deals), with the amount."""
    with matplotlib.rc_context(_style()):
        fig = _new_figure(7, 4.2)
        ax = fig.add_subplot()
        if not stages or not any(v for _, v in stages):
            _empty(ax, title)
            return fig
        top = max(v for _, v in stages) or 1
        for i, (label, value) in enumerate(stages):
            width = value / top
            ax.barh(-i, width, left=(1 - width) / 2, color=COLORS[i % len(COLORS)], height=0.7)
            ax.text(0.5, -i, f"{label}：{value}", ha="center", va="center", fontsize=11, color="black")
        ax.set_xlim(0, 1)
        ax.set_axis_off()
        if amount_wan is not None:
            title = f"{title}（签约金额 {amount_wan:,.0f} 万元）"
        ax.set_title(title)
        fig.tight_layout()
    return fig


def missing_chars(text: str) -> set[str]:
    """Characters of `text` the bundled font cannot draw (for checks and tests)."""
    cmap = _cmap()
    return {c for c in text if not c.isspace() and ord(c) not in cmap}


@lru_cache(maxsize=1)
def _cmap() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(FONT_FILE))["cmap"].getBestCmap())

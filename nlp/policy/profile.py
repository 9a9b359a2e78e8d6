"""Audience (clusters, tags, counties, size thresholds) and application windows from policy text,
and matching an enterprise profile against them."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .model import Audience, Threshold, Window

CLUSTERS = ("高端装备", "高端化工", "新一代信息技术", "新能源", "新材料", "医药", "节能环保")

# canonical tag -> patterns as written in policy texts
TAGS: dict[str, tuple[str, ...]] = {
    "专精特新": ("专精特新",),
    "小巨人": ("小巨人",),
    "瞪羚": ("瞪羚",),
    "单项冠军": ("单项冠军",),
    "高新技术企业": ("高新技术企业", "高企"),
    "规上": ("规模以上", "规上"),
    "链主": ("链主",),
}

# canonical county name -> spellings
COUNTIES: dict[str, tuple[str, ...]] = {
    "任城区": ("任城区",), "兖州区": ("兖州区",), "曲阜市": ("曲阜市",), "邹城市": ("邹城市",),
    "微山县": ("微山县",), "鱼台县": ("鱼台县",), "金乡县": ("金乡县",), "嘉祥县": ("嘉祥县",),
    "汶上县": ("汶上县",), "泗水县": ("泗水县",), "梁山县": ("梁山县",),
    "济宁高新区": ("济宁高新区", "济宁国家高新区", "高新区"),
    "济宁经济技术开发区": ("济宁经济技术开发区", "济宁经开区", "经开区"),
    "太白湖新区": ("太白湖新区",),
}

_METRIC = r"(营业收入|主营业务收入|销售收入|营收|年产值|工业总产值|产值|纳税额|税收|资产总额|研发投入|研发费用)"
_THRESH_RE = re.compile(
    _METRIC + r"[^，。；,;\d]{0,8}?(\d+(?:\.\d+)?)\s*(亿元|万元|亿|万)(?:及)?以上"
)
_THRESH_CMP_RE = re.compile(
    _METRIC + r"[^，。；,;\d]{0,6}?(?:不低于|不少于|超过|达到)\s*(\d+(?:\.\d+)?)\s*(亿元|万元|亿|万)(?!.{0,2}以上)"
)
_DATE = r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日"
_WINDOW_RE = re.compile(
    r"(?:申报|受理|申请|兑现)[^。；，,\n]{0,8}?(?:时间|期限|日期|期)[^。；\d]{0,6}?(每年)?"
    + _DATE + r"\s*(?:至|到|—|－|-|~|～)\s*(?:次年|每年)?" + _DATE
)
_ALWAYS_RE = re.compile(r"常年受理|常年申报|随时申报|随时受理")
# applicability sentences: where a document says who it is for
APPLIES_RE = re.compile(r"适用于|所称企业|申报企业须|申报条件|适用对象|支持对象|申报主体")


def extract_audience(text: str) -> Audience:
    """Clusters, tags, counties and size thresholds that the text names."""
    clusters = tuple(c for c in CLUSTERS if c in text)
    tags = tuple(t for t, pats in TAGS.items() if any(p in text for p in pats))
    counties = []
    for name, spellings in COUNTIES.items():
        if any(s in text for s in spellings):
            counties.append(name)
    thresholds = []
    matches = list(_THRESH_RE.finditer(text)) + list(_THRESH_CMP_RE.finditer(text))
    for m in sorted(matches, key=lambda m: m.start()):
        amount = float(m.group(2)) * (10000.0 if m.group(3).startswith("亿") else 1.0)
        metric = "营业收入" if m.group(1) in ("营收", "销售收入", "主营业务收入") else m.group(1)
        thresholds.append(Threshold(metric, amount, m.group(0)))
    return Audience(clusters, tags, tuple(counties), tuple(thresholds))


def _mkdate(y: str | None, m: str, d: str, default_year: int) -> dt.date | None:
    try:
        return dt.date(int(y) if y else default_year, int(m), int(d))
    except ValueError:
        return None


def extract_window(text: str, issued: dt.date | None = None) -> Window | None:
    """The application window (申报时间 …至…), or 常年受理, or None."""
    m = _WINDOW_RE.search(text)
    if m:
        every, y1, m1, d1, y2, m2, d2 = m.groups()
        recurring = bool(every) or (y1 is None and y2 is None and issued is None)
        base = issued.year if issued else 2000
        start = _mkdate(y1, m1, d1, int(y2) if y2 else base)
        end = _mkdate(y2, m2, d2, start.year if start else base)
        if start and end and end < start and not y2:
            end = end.replace(year=end.year + 1)
        return Window(text=re.sub(r"\s+", " ", m.group(0)), start=start, end=end, recurring=recurring)
    m2 = _ALWAYS_RE.search(text)
    if m2:
        return Window(text=m2.group(0), always=True)
    return None


@dataclass
class EnterpriseProfile:
    """What the bot knows of an enterprise for policy matching (revenue in 万元)."""

    name: str = ""
    tags: set[str] = field(default_factory=set)
    cluster: str | None = None
    county: str | None = None
    revenue_wan: float | None = None
    figures: dict[str, float] = field(default_factory=dict)  # other metrics in 万元


@dataclass
class Eligibility:
    """Result of matching one document's audience against an enterprise."""

    qualifies: bool  # no hard condition fails (unknown data does not fail)
    met: list[str]
    unmet: list[str]  # conditions the enterprise does not yet meet
    unknown: list[str]  # conditions we lack data to check


def match(audience: Audience, ent: EnterpriseProfile) -> Eligibility:
    """Check an audience against an enterprise; tags and clusters are any-of lists."""
    met: list[str] = []
    unmet: list[str] = []
    unknown: list[str] = []
    hard_fail = False
    if audience.counties:
        label = "注册地：" + "、".join(audience.counties)
        if ent.county is None:
            unknown.append(label)
        elif ent.county in audience.counties:
            met.append(label)
        else:
            unmet.append(label)
            hard_fail = True  # a county policy never applies elsewhere
    if audience.clusters:
        label = "产业：" + "、".join(audience.clusters)
        if ent.cluster is None:
            unknown.append(label)
        elif ent.cluster in audience.clusters:
            met.append(label)
        else:
            unmet.append(label)
    if audience.tags:
        label = "企业类型：" + "或".join(audience.tags)
        if set(audience.tags) & ent.tags:
            met.append(label)
        else:
            unmet.append(label)  # a tag can still be earned: shown as a condition to meet
    for th in audience.thresholds:
        label = f"{th.metric}{th.min_wan:g}万元以上"
        value = ent.revenue_wan if th.metric == "营业收入" else ent.figures.get(th.metric)
        if value is None:
            unknown.append(label)
        elif value >= th.min_wan:
            met.append(label)
        else:
            unmet.append(label)
    return Eligibility(not hard_fail, met, unmet, unknown)

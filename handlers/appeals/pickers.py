"""Choosing a unit without knowing its internal name: common names, abbreviations and picker buttons.

Buttons: `ap:pk:<appeal>:<act><kind>` opens a list (act t=转办, r=另派重办; kind ''=likely units,
f=all factor groups, t=all task forces); a unit button carries `ap:<action>:<appeal>:<unit>`.
"""
from __future__ import annotations

from sqlalchemy import select

from handlers.types import Button
from storage.models import Appeal, OrgUnit, UnitKind
from storage.org_data import COUNTY_ALIASES

from .rules import find_unit, route_unit, short_unit

# What people call the departments behind each factor group ('市生态环境局' -> 生态环境组).
CATEGORY_WORDS = {
    "生态环境": ("生态环境局", "环保局", "生态局", "环境局", "环保", "环评"),
    "土地": ("自然资源局", "自然资源和规划局", "国土局", "规划局", "自然资源", "国土", "用地"),
    "人才": ("人社局", "人力资源和社会保障局", "人才办", "人社", "人力资源"),
    "能源": ("发改委", "能源局", "供电公司", "电力公司", "国网", "供电"),
    "金融": ("金融办", "金融局", "人民银行", "人行", "银保监", "金融监管局", "银行"),
    "基金": ("基金公司", "产业基金", "投资基金"),
    "政策": ("工信局", "财政局", "政策兑现", "惠企政策"),
    # No unit of their own: the enterprise's cluster task force takes them (as routing does).
    "审批": ("行政审批服务局", "审批服务局", "审批局", "政务服务中心", "审批"),
    "市场": ("市场监管局", "市场监督管理局", "商务局", "市场"),
}
CLUSTER_SHORT = {"高端装备": "装备", "高端化工": "化工", "新一代信息技术": "信息技术", "新能源": "新能源",
                 "新材料": "材料", "医药": "医药", "节能环保": "环保专班"}
ACTS = {"t": "trp", "r": "rdo"}


def _cluster_match(text: str, units: list[OrgUnit]) -> OrgUnit | None:
    for u in units:
        if u.kind == UnitKind.TASK_FORCE and u.cluster:
            short = CLUSTER_SHORT.get(u.cluster, u.cluster)
            if f"{short}专班" in text or short.endswith("专班") and short in text:
                return u
    return None


async def resolve_unit(session, text: str, appeal: Appeal) -> OrgUnit | None:
    """The unit a free text names: an internal name, a short name, a department's common name."""
    units = list(await session.scalars(select(OrgUnit).where(OrgUnit.kind != UnitKind.CITY_OFFICE).order_by(OrgUnit.id)))
    for alias, full in COUNTY_ALIASES.items():
        if alias in text and full not in text:
            text = text.replace(alias, full)
    unit = find_unit(text, units) or _cluster_match(text, units)
    if unit is not None:
        return unit
    for category, words in CATEGORY_WORDS.items():
        if any(w in text for w in words):
            return await route_unit(session, category, appeal.enterprise)
    return None


async def likely_units(session, appeal: Appeal) -> list[OrgUnit]:
    """The units an appeal most likely belongs to: its category's unit, its cluster's task force, its county."""
    out: list[OrgUnit] = []
    routed = await route_unit(session, appeal.category, appeal.enterprise)
    cluster = (await session.scalars(select(OrgUnit).where(OrgUnit.kind == UnitKind.TASK_FORCE,
                                                           OrgUnit.cluster == appeal.enterprise.cluster))).first()
    county = await session.get(OrgUnit, appeal.county_id)
    for u in (routed, cluster, county):
        if u is not None and u.id != appeal.unit_id and u not in out:
            out.append(u)
    return out


async def unit_picker(session, appeal: Appeal, act: str, kind: str = "") -> list[list[Button]]:
    """Buttons: likely units first with 'all factor groups' / 'all task forces'; or one full list."""
    action = ACTS[act]
    if kind in ("f", "t"):
        want = UnitKind.FACTOR_GROUP if kind == "f" else UnitKind.TASK_FORCE
        units = [u for u in await session.scalars(select(OrgUnit).where(OrgUnit.kind == want).order_by(OrgUnit.id))
                 if u.id != appeal.unit_id]
    else:
        units = await likely_units(session, appeal)
    buttons = [Button(short_unit(u.name), data=f"ap:{action}:{appeal.id}:{u.id}") for u in units]
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    more = [Button(label, data=f"ap:pk:{appeal.id}:{act}{k}") for k, label in (("f", "全部要素保障组"), ("t", "全部产业专班"))
            if k != kind]
    if kind:
        more.insert(0, Button("常用单位", data=f"ap:pk:{appeal.id}:{act}"))
    return rows + [more]

"""/export: the ledger file, narrowed by exactly the filters /ledger takes (plus a period and csv)."""
from __future__ import annotations


from storage.models import OrgUnit, Role
from storage.reports_period import parse_period
from storage.reports_stats import Scope
from storage.models.appeals import CATEGORIES

from .appeals.views import keeps, parse_filters, restrict
from .context import Context
from .registry import command
from .types import OutFile, Reply

EXPORT_USAGE = ("用法：/export [筛选条件] [期间] [csv]\n筛选条件与 /ledger 相同：县区（如 任城区）、责任单位（如 金融组）、"
                "类别（如 金融）、状态（待县级审核、办理中、待评价、已销号、在办…）、超期、A 或 B；期间如 本月、2026Q1；"
                "加 csv 导出 CSV 文件，默认 Excel。\n例：/export 任城区 超期、/export 金融组 本月 csv")
FORMAT_WORDS = {"csv": "csv", "xlsx": "xlsx", "excel": "xlsx"}


@command("export", "导出诉求台账（筛选同 /ledger，可加期间、csv）", roles={Role.ADMIN, Role.REVIEWER},
         confidential=True, audit=True)
async def export(ctx: Context) -> Reply:
    """The ledger as .xlsx (print sheet, summary, one sheet per county) or CSV, for the /ledger filters."""
    from storage.reports_ledger import export_ledger

    fmt, period, rest = "xlsx", None, []
    for word in ctx.args.replace("，", " ").split():
        if word.lower() in FORMAT_WORDS:
            fmt = FORMAT_WORDS[word.lower()]
        elif (p := parse_period(word, ctx.today)) is not None:
            period = p
        else:
            rest.append(word)
    f = await parse_filters(ctx, " ".join(rest), help_text=EXPORT_USAGE)
    if isinstance(f, str):
        return Reply(f)
    refusal = restrict(ctx, f)
    if refusal:
        return Reply(refusal)
    county = await ctx.session.get(OrgUnit, f.county) if f.county else None
    unit = await ctx.session.get(OrgUnit, f.unit) if f.unit else None
    category = CATEGORIES[f.category] if f.category is not None else None
    scope = Scope(f.county, f.unit, category)
    label = "·".join(x for x in (county.name if county else "全市", unit.name if unit else "", category or "",
                                 "超期" if f.overdue else "") if x)
    data, count = await export_ledger(ctx.session, scope, period, ctx.today, fmt=fmt, title=f"{label}问题诉求台账",
                                      generated=ctx.now, tz=ctx.settings.timezone, keep=keeps(f, ctx.today))
    name = f"诉求台账_{label}_{ctx.today:%Y%m%d}.{fmt}"
    return Reply(f"已导出台账：{count} 条诉求（{label}）。", document=OutFile(name, data))

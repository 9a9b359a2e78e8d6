"""Summaries for the headquarters: /stats, /overdue, /export, /chart and /enterprise (一企一档)."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from storage.models import STATUS_NAMES, Appeal, AppealStatus, CadreEnterprise, Enterprise, OrgUnit, Role, User
from storage.models.supply import KIND_NAMES, POST_STATUS_NAMES, SupplyPost
from storage.reports_extra import funnel, policy_figures
from storage.reports_filters import ReportArgs, parse_args
from storage.reports_labels import DEFINITIONS, DIMENSIONS, FUNNEL, POLICY, pct
from storage.reports_period import Period, local_date
from storage.reports_stats import breakdown, figure_lines

from nlp.clip import clip

from . import audit
from .context import Context
from .enterprise_pick import find_enterprises
from .ids import parse_id
from .registry import callback, command
from .types import Button, OutFile, Reply

STAFF = {Role.ADMIN, Role.REVIEWER}
NO_DATA = "暂无数据"


async def _args(ctx: Context) -> tuple[ReportArgs | None, Reply | None]:
    """Parsed arguments with the reviewer's county enforced; or a refusal/correction reply."""
    units = list((await ctx.session.scalars(select(OrgUnit).order_by(OrgUnit.id))).all())
    args = parse_args(ctx.args, ctx.today, units)
    if args.errors:
        return None, Reply(f"无法识别：{'、'.join(args.errors[:5])}。\n用法示例：/stats county 本月、/stats 任城区 2026Q1、"
                           "/stats category 2026-03-01至2026-03-31")
    if ctx.user.role == Role.REVIEWER:
        if args.county is not None and args.county.id != ctx.user.county_id:
            return None, Reply("县级审核人员只能查看本县区的数据。")
        args.county = next((u for u in units if u.id == ctx.user.county_id), None)
        if args.county is None:
            return None, Reply("您的账号未关联县区，请联系市指挥部办公室。")
    return args, None


def _scope_label(args: ReportArgs) -> str:
    parts = [x for x in (args.county.name if args.county else "全市", args.unit.name if args.unit else "", args.category or "") if x]
    return "·".join(parts)


@command("stats", "诉求办理、供需对接、政策咨询统计", roles=STAFF, confidential=True)
async def stats(ctx: Context) -> Reply:
    """Figures for a scope and period, optionally broken down by county, unit or category."""
    if ctx.args.strip() == "口径":
        return Reply("\n".join(DEFINITIONS))
    args, err = await _args(ctx)
    if err:
        return err
    return Reply(await stats_text(ctx.session, args, ctx.today, ctx.settings.timezone, definitions=False))


async def stats_text(session, args: ReportArgs, today, tz: str, *, definitions: bool = True) -> str:
    """The /stats text (also printed by `pandeng report stats`)."""
    b = await breakdown(session, args.scope(), args.period, today, args.dimension, tz)
    lines = [f"【{_scope_label(args)}】统计期间：{b.period.label}", "一、问题诉求"]
    lines += ["  " + x for x in figure_lines(b.total)]
    if b.dimension:
        lines.append(f"按{DIMENSIONS[b.dimension]}：")
        if not b.groups:
            lines.append(f"  {NO_DATA}")
        for name, f in b.groups:
            lines.append(f"  {name}：受理{f.received}，办结率{pct(f.finish_rate)}，按期{pct(f.on_time_rate)}，"
                         f"满意{pct(f.satisfaction_rate)}，逾期{f.overdue_now}")
    lines.append("二、供需对接")
    lines += await _funnel_lines(session, args, b.period, tz)
    lines.append("三、政策咨询")
    lines += await _policy_lines(session, args, b.period, tz)
    lines += list(DEFINITIONS) if definitions else ["发送 /stats 口径 查看各项指标的计算方法。"]
    return "\n".join(lines)


async def _funnel_lines(session, args: ReportArgs, period: Period, tz: str) -> list[str]:
    f = await funnel(session, period, args.county.id if args.county else None, tz=tz)
    return [f"  {FUNNEL[k]}：{getattr(f, k):,.0f}" if k == "amount_wan" else f"  {FUNNEL[k]}：{getattr(f, k)}" for k in FUNNEL]


async def _policy_lines(session, args: ReportArgs, period: Period, tz: str) -> list[str]:
    p = await policy_figures(session, period, tz)
    note = "（全市口径，政策咨询不区分县区）" if args.county else ""
    return [f"  {POLICY['asked']}：{p.asked}，{POLICY['answered']}：{p.answered}，{POLICY['not_covered']}：{p.not_covered}{note}"]


@command("overdue", "逾期诉求清单（按责任单位）", roles={Role.ADMIN, Role.REVIEWER, Role.HANDLER}, confidential=True)
async def overdue(ctx: Context) -> Reply:
    """Overdue appeals grouped by responsible unit, with working days overdue and reminders sent."""
    from handlers.reminders.jobs import overdue_list

    user = ctx.user
    kw = {}
    if user.role == Role.REVIEWER:
        kw["county_id"] = user.county_id
    elif user.role == Role.HANDLER:
        kw["unit_id"] = user.unit_id
    items = await overdue_list(ctx.session, ctx.today, **kw)
    if not items:
        return Reply("目前没有逾期诉求。")
    by_unit: dict[str, list] = defaultdict(list)
    for it in items:
        by_unit[it.unit_name].append(it)
    lines = [f"逾期诉求 {len(items)} 件（截至 {ctx.today:%Y-%m-%d}，按工作日计）："]
    for unit, rows in sorted(by_unit.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"【{unit}】{len(rows)} 件")
        for it in rows:
            last = f"，最近 {local_date(it.last_reminder_at, ctx.settings.timezone):%m-%d}" if it.last_reminder_at else ""
            lines.append(f"  #{it.appeal_id} {it.enterprise}（{it.category}，{it.county_name}）时限 {it.deadline:%m-%d}，"
                         f"逾期 {it.days_overdue} 个工作日；已催办 {it.reminders_sent} 次{last}")
    return Reply("\n".join(lines))


@command("chart", "统计图表（类别按月、县区比率、供需漏斗）", roles=STAFF, confidential=True)
async def chart(ctx: Context) -> list[Reply]:
    """Three PNG charts for the scope and period (default: the last six months)."""
    from storage import reports_charts as charts  # matplotlib loads only when a chart is asked for

    args, err = await _args(ctx)
    if err:
        return [err]
    tz = ctx.settings.timezone
    period = args.period or Period((ctx.today.replace(day=1) - timedelta(days=150)).replace(day=1), ctx.today, "近六个月")
    months, counts = await category_months(ctx, args, period)
    b = await breakdown(ctx.session, args.scope(), period, ctx.today, "county", tz)
    rates = [(n, f.finish_rate, f.on_time_rate, f.satisfaction_rate) for n, f in b.groups if f.received]
    fun = await funnel(ctx.session, period, args.county.id if args.county else None, tz=tz)
    label = f"{_scope_label(args)} {period.label}"
    # The title names scope, period and the day drawn; the file name adds the user, so charts never overwrite.
    stamp = f"{_scope_label(args)}·{period.label}·{ctx.today:%Y-%m-%d}"
    tag = f"{_scope_label(args)}_{ctx.today:%Y%m%d}_{ctx.user.id}"

    def titled(base: str) -> str:
        return f"{base}\n{stamp}"

    return [
        Reply(f"{label}：各类别诉求按月分布", photo=OutFile(f"类别按月_{tag}.png", charts.to_png(
            charts.category_month_chart(months, counts, title=titled("各类别诉求按月分布"))))),
        Reply(f"{label}：各县区办结率、按期办结率、满意率", photo=OutFile(f"县区比率_{tag}.png", charts.to_png(
            charts.rates_chart(rates, title=titled("各县区办结率、按期办结率与满意率"))))),
        Reply(f"{label}：供需对接转化漏斗", photo=OutFile(f"供需漏斗_{tag}.png", charts.to_png(
            charts.funnel_chart(fun.stages(), fun.amount_wan, title=titled("供需对接转化漏斗"))))),
    ]


async def category_months(ctx: Context, args: ReportArgs, period: Period) -> tuple[list[str], dict[str, list[int]]]:
    """Month labels and per-category counts of appeals received in the period."""
    lo, hi = period.utc_bounds(ctx.settings.timezone)
    rows = (await ctx.session.scalars(select(Appeal).where(*args.scope().where(), Appeal.created_at >= lo,
                                                            Appeal.created_at < hi, Appeal.duplicate_of_id.is_(None)))).unique()
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a in rows:
        tally[a.category][f"{local_date(a.created_at, ctx.settings.timezone):%Y-%m}"] += 1
    months = sorted({m for c in tally.values() for m in c})
    return months, {cat: [tally[cat].get(m, 0) for m in months] for cat in sorted(tally)}


@command("enterprise", "查看企业档案（一企一档）", roles={Role.ADMIN, Role.REVIEWER, Role.CADRE},
         confidential=True, audit=True)
async def enterprise(ctx: Context) -> Reply:
    """The enterprise file, found by a fuzzy name; reviewers see their county, cadres their enterprises."""
    query = ctx.args.strip()
    if not query:
        return Reply("请在命令后写企业名称，例如：/enterprise 恒泰重工")
    ents = await _visible_enterprises(ctx)
    found = find_enterprises(query, ents)
    if not found:
        return Reply("在您可查看的范围内没有找到该企业。")
    if len(found) > 1:
        buttons = [[Button(e.name, data=f"ef:{e.id}")] for e in found]
        return Reply(f"“{query}”对应 {len(found)} 家企业，请点选要查看的一家：", buttons=buttons)
    ent = found[0]
    return Reply(await enterprise_file(ctx, ent))


async def _visible_enterprises(ctx: Context) -> list[Enterprise]:
    """Enterprises the user may open: reviewers their county, cadres their own, admins all."""
    stmt = select(Enterprise).order_by(Enterprise.id)
    if ctx.user.role == Role.REVIEWER:
        stmt = stmt.where(Enterprise.county_id == ctx.user.county_id)
    elif ctx.user.role == Role.CADRE:
        stmt = stmt.join(CadreEnterprise, CadreEnterprise.enterprise_id == Enterprise.id).where(CadreEnterprise.user_id == ctx.user.id)
    return list((await ctx.session.scalars(stmt)).unique())


@callback("ef", roles={Role.ADMIN, Role.REVIEWER, Role.CADRE})
async def enterprise_button(ctx: Context) -> Reply:
    """A candidate pressed after an ambiguous /enterprise: the same scope is checked again."""
    if not ctx.inc.is_private:
        return Reply("企业档案只在与攀登助手的私聊中查看。", toast=True)
    ent_id = parse_id(ctx.parts[1] if len(ctx.parts) == 2 else "", strip_hash=False)
    ent = next((e for e in await _visible_enterprises(ctx) if e.id == ent_id), None)
    if ent is None:
        return Reply("您无权查看该企业档案，或按钮已失效。", toast=True)
    reply = Reply(await enterprise_file(ctx, ent))
    ctx.args = ent.name  # the audit trail names the file opened
    await audit.record(ctx, "enterprise", [reply])
    return reply


async def enterprise_file(ctx: Context, ent: Enterprise) -> str:
    """The text of one enterprise file: profile, tags, cadres, appeals, supply posts and deals."""
    tz = ctx.settings.timezone
    cadres = (await ctx.session.scalars(select(User).join(CadreEnterprise, CadreEnterprise.user_id == User.id)
                                        .where(CadreEnterprise.enterprise_id == ent.id))).unique()
    lines = [f"【一企一档】{ent.name}", f"县区：{ent.county.name}；产业集群：{ent.cluster}",
             f"标签：{'、'.join(ent.tags) if ent.tags else '无'}",
             f"营业收入：{ent.revenue_wan:,.0f} 万元；职工：{ent.employees or '—'} 人" if ent.revenue_wan else f"职工：{ent.employees or '—'} 人",
             f"主要产品：{ent.main_products or '—'}", f"驻企干部：{'、'.join(u.name for u in cadres) or '暂无'}"]
    appeals = list((await ctx.session.scalars(select(Appeal).where(Appeal.enterprise_id == ent.id).order_by(Appeal.id.desc()))).unique())
    lines.append(f"问题诉求：{len(appeals)} 件")
    for a in appeals[:10]:
        status = STATUS_NAMES.get(AppealStatus(a.status), a.status)
        lines.append(f"  #{a.id} {local_date(a.created_at, tz):%Y-%m-%d} {a.category}：{clip(a.description, 30)}（{status}）")
    lines += await _supply_lines(ctx, ent)
    lines += await _qualifying_policy_lines(ctx, ent)
    return "\n".join(lines)


async def _qualifying_policy_lines(ctx: Context, ent: Enterprise) -> list[str]:
    """Policies of the current handbook the enterprise may qualify for, with what is still missing."""
    from handlers.policy.offer import offer
    from handlers.policy.store import current_docs

    offers = [(doc, offer(doc, ent)) for doc in await current_docs(ctx.session)]
    offers = [(doc, o) for doc, o in offers if o.qualifies]
    if not offers:
        return ["可能适用的政策：暂无（或尚未导入政策汇编）"]
    offers.sort(key=lambda pair: bool(pair[1].unmet))
    lines = [f"可能适用的政策：{len(offers)} 份"]
    for doc, o in offers[:6]:
        clause = f" {o.clause.label}" if o.clause is not None else ""
        amount = f"（{o.amount}）" if o.amount else ""
        missing = f"；尚未满足：{'、'.join(o.unmet)}" if o.unmet else ""
        lines.append(f"  {'✅' if not o.unmet else '🔸'}《{doc.title}》{clause}{amount}{missing}")
    if len(offers) > 6:
        lines.append(f"  ……另有 {len(offers) - 6} 份，发送 /policies 查看全部")
    return lines


async def _supply_lines(ctx: Context, ent: Enterprise) -> list[str]:
    posts = list(await ctx.session.scalars(select(SupplyPost).where(SupplyPost.enterprise_id == ent.id, SupplyPost.status != "draft")
                                           .order_by(SupplyPost.id.desc())))
    lines = [f"供需信息：{len(posts)} 条"]
    for p in posts[:5]:
        lines.append(f"  {KIND_NAMES.get(p.kind, p.kind)}：{clip(p.text, 30)}（{POST_STATUS_NAMES.get(p.status, p.status)}）")
    f = await funnel(ctx.session, None, enterprise_id=ent.id, tz=ctx.settings.timezone)
    lines.append(f"对接：匹配 {f.matches}，双方有意向 {f.both_interested}，签约 {f.deals}，金额 {f.amount_wan:,.0f} 万元")
    return lines

"""Matches between posts: cards to both cadres, 有意向/不相关, contacts, deals and /deals."""
from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from nlp.clip import clip
from nlp.matching import Matcher
from storage.models import Enterprise, Role, User
from storage.models.supply import (
    KIND_NAMES, MATCH_STATUS_NAMES, MatchStatus, PostKind, SupplyDeal, SupplyFeedback, SupplyMatch,
    SupplyPost,
)

from ..accounts import contact_handles
from ..context import Context
from ..ids import parse_id, part
from ..registry import callback, command, flow
from ..types import Button, Reply
from .index import is_live
from .posting import close_post, draft_button

MAX_NEW_MATCHES = 5
MAX_WEAK = 5  # 可能相关 candidates shown to the poster only
MAX_AMOUNT_WAN = 10_000_000  # 1,000 亿元: anything above is a typo


async def propose_matches(ctx: Context, post: SupplyPost, matcher: Matcher) -> tuple[int, list[str]]:
    """Match a newly opened post: strong hits become pairs with cards to both cadres; weak ones
    ("可能相关") come back as lines for the poster only and are never pushed to the other side."""
    made, weak = 0, []
    for hit in matcher.search(post.text, post.kind, k=MAX_NEW_MATCHES + MAX_WEAK):
        other = await ctx.session.get(SupplyPost, hit.post_id)
        if not is_live(other, ctx.now):
            matcher.remove(hit.post_id)
            continue
        if other.enterprise_id == post.enterprise_id or other.user_id == post.user_id:
            continue
        if not hit.strong:
            if len(weak) < MAX_WEAK:
                weak.append(f"{len(weak) + 1}. {KIND_NAMES[other.kind]} #{other.id}：{clip(other.text, 60)}\n"
                            f"   {await _enterprise_line(ctx, other)}，匹配度 {hit.score:.0f}；{hit.reason}")
            continue
        if made >= MAX_NEW_MATCHES:
            continue
        supply, demand = (post, other) if post.kind == PostKind.SUPPLY else (other, post)
        exists = await ctx.session.scalar(select(SupplyMatch.id).where(
            SupplyMatch.supply_post_id == supply.id, SupplyMatch.demand_post_id == demand.id))
        if exists is not None:
            continue  # a pair is proposed once; 不相关 is never repeated
        match = SupplyMatch(supply_post_id=supply.id, demand_post_id=demand.id, score=hit.score,
                            reason=hit.reason[:300], status=MatchStatus.PROPOSED,
                            created_at=ctx.now, updated_at=ctx.now)
        ctx.session.add(match)
        await ctx.session.flush()
        for mine, theirs in ((post, other), (other, post)):
            text, buttons = await match_card(ctx, match, mine, theirs)
            await ctx.notify(mine.user_id, text, buttons, key=f"sd:m:{match.id}:{mine.user_id}", kind="match")
        made += 1
    return made, weak


async def _enterprise_line(ctx: Context, post: SupplyPost) -> str:
    ent = await ctx.session.get(Enterprise, post.enterprise_id)
    return f"{ent.name}（{ent.county.name}）" if ent else "—"


async def match_card(ctx: Context, match: SupplyMatch, mine: SupplyPost, theirs: SupplyPost):
    """Text and buttons of the card one cadre gets about a match."""
    text = (f"🔗 供需匹配 #{match.id}（匹配度 {match.score:.0f}）\n"
            f"您的{KIND_NAMES[mine.kind]} #{mine.id}：{mine.text[:80]}\n"
            f"对方{KIND_NAMES[theirs.kind]} #{theirs.id}：{theirs.text[:120]}\n"
            f"对方企业：{await _enterprise_line(ctx, theirs)}\n"
            f"匹配原因：{match.reason}\n"
            "双方都点“有意向”后，才会互相交换联系方式。")
    buttons = [[Button("👍 有意向", data=f"sd:y:{match.id}"), Button("🙅 不相关", data=f"sd:n:{match.id}")]]
    return text, buttons


async def _match_for_user(ctx: Context) -> tuple[SupplyMatch, SupplyPost, SupplyPost] | Reply:
    """The match in the button and (mine, theirs) posts, if the presser is one of its two cadres."""
    match_id = part(ctx.parts, 2)
    match = await ctx.session.get(SupplyMatch, match_id) if match_id is not None else None
    if match is None:
        return Reply("这条匹配不存在。", toast=True)
    supply = await ctx.session.get(SupplyPost, match.supply_post_id)
    demand = await ctx.session.get(SupplyPost, match.demand_post_id)
    if ctx.user is None or ctx.user.id not in (supply.user_id, demand.user_id):
        return Reply("只有这条匹配双方的驻企干部可以操作。", toast=True)
    return (match, supply, demand) if ctx.user.id == supply.user_id else (match, demand, supply)


async def _contacts(ctx: Context, post: SupplyPost) -> str:
    cadre = await ctx.session.get(User, post.user_id)
    ent = await ctx.session.get(Enterprise, post.enterprise_id)
    handles = await contact_handles(ctx.session, cadre.id) if cadre else []
    tg = "".join(f"，{h}" for h in handles)
    lines = [f"企业：{ent.name}（{ent.county.name}）",
             f"驻企干部：{cadre.name}，电话 {cadre.phone or '未登记'}{tg}"]
    if _real_contact(ent.contact_name):
        lines.append(f"企业联系人：{ent.contact_name}，电话 {ent.contact_phone or '—'}")
    elif cadre:  # no real contact on file: the cadre is the one to call
        lines.append(f"企业联系人：{cadre.name}（驻企干部），电话 {cadre.phone or '未登记'}")
    return "\n".join(lines)


_PLACEHOLDER_CONTACTS = {"企业联系人", "联系人", "无", "暂无", "待定", "未知", "-", "—", "/", "x", "xx"}


def _real_contact(name: str | None) -> bool:
    """A contact name that is a person, not an import placeholder such as 企业联系人."""
    return bool(name and name.strip() and name.strip().lower() not in _PLACEHOLDER_CONTACTS)


def deal_buttons(match: SupplyMatch) -> list[list[Button]]:
    """Buttons that move a deal forward from its current stage."""
    if match.status == MatchStatus.NEGOTIATING:
        return [[Button("🤝 达成意向", data=f"sd:in:{match.id}"), Button("✍️ 已签约", data=f"sd:sg:{match.id}")]]
    if match.status == MatchStatus.INTENT:
        return [[Button("✍️ 已签约（填金额）", data=f"sd:sg:{match.id}")]]
    if match.status == MatchStatus.SIGNED:
        return [[Button("✏️ 更正签约金额", data=f"sd:fx:{match.id}")]]
    return []


async def feedback(ctx: Context, verdict: str) -> list[Reply] | Reply:
    """sd:y / sd:n: one side's answer; both 有意向 exchanges contacts and opens talks."""
    found = await _match_for_user(ctx)
    if isinstance(found, Reply):
        return found
    match, mine, theirs = found
    if match.status == MatchStatus.VOID or (match.status == MatchStatus.PROPOSED and not (
            is_live(mine, ctx.now) and is_live(theirs, ctx.now))):
        if match.status == MatchStatus.PROPOSED:
            match.status, match.updated_at = MatchStatus.VOID, ctx.now
        return Reply("该供需信息已关闭，匹配已失效。", toast=True)
    if match.status != MatchStatus.PROPOSED:
        return Reply(f"这条匹配当前为“{MATCH_STATUS_NAMES[match.status]}”，无需再选。", toast=True)
    old = await ctx.session.scalar(select(SupplyFeedback).where(
        SupplyFeedback.match_id == match.id, SupplyFeedback.user_id == ctx.user.id))
    if old is not None:
        return Reply("您已答复过这条匹配。", toast=True)
    ctx.session.add(SupplyFeedback(match_id=match.id, user_id=ctx.user.id, verdict=verdict, at=ctx.now))
    match.updated_at = ctx.now
    if verdict == "irrelevant":
        match.status = MatchStatus.REJECTED
        await ctx.session.flush()
        return Reply(f"已标记匹配 #{match.id} 为不相关，今后不会再推荐这一对信息。", edit=True)
    other_yes = await ctx.session.scalar(select(SupplyFeedback.id).where(
        SupplyFeedback.match_id == match.id, SupplyFeedback.user_id == theirs.user_id,
        SupplyFeedback.verdict == "interested"))
    if other_yes is None:
        await ctx.session.flush()
        return Reply(f"已记录您对匹配 #{match.id} 有意向，等待对方确认；对方确认后会把联系方式发给您。", edit=True)
    match.status = MatchStatus.NEGOTIATING
    ctx.session.add(SupplyDeal(match_id=match.id, stage=MatchStatus.NEGOTIATING, started_at=ctx.now,
                               updated_by=ctx.user.id, updated_at=ctx.now))
    await ctx.session.flush()
    head = f"🎉 匹配 #{match.id} 双方都有意向，已进入洽谈。对方联系方式：\n"
    tail = "\n洽谈有进展时，请点下方按钮更新（/deals 可随时查看）。"
    await ctx.notify(theirs.user_id, head + await _contacts(ctx, mine) + tail, deal_buttons(match),
                     key=f"sd:c:{match.id}:{theirs.user_id}", kind="match")
    return Reply(head + await _contacts(ctx, theirs) + tail, buttons=deal_buttons(match), edit=True)


async def advance(ctx: Context, stage: str) -> Reply:
    """sd:in (达成意向) or sd:sg (已签约, asks the amount) on a deal of the presser."""
    found = await _match_for_user(ctx)
    if isinstance(found, Reply):
        return found
    match, mine, theirs = found
    allowed = {"in": (MatchStatus.NEGOTIATING,), "sg": (MatchStatus.NEGOTIATING, MatchStatus.INTENT),
               "fx": (MatchStatus.SIGNED,)}[stage]
    if match.status not in allowed:
        return Reply(f"这条匹配当前为“{MATCH_STATUS_NAMES[match.status]}”，不能这样操作。", toast=True)
    if stage == "fx":
        await ctx.set_dialog("sd_amount", "amount", {"match_id": match.id, "fix": True})
        return Reply(f"请输入匹配 #{match.id} 更正后的签约金额（万元）。发送 /cancel 放弃。")
    if stage == "sg":
        await ctx.set_dialog("sd_amount", "amount", {"match_id": match.id})
        return Reply(f"请输入匹配 #{match.id} 的签约金额（万元），例如：2000。发送 /cancel 放弃。")
    deal = await ctx.session.scalar(select(SupplyDeal).where(SupplyDeal.match_id == match.id))
    match.status = deal.stage = MatchStatus.INTENT
    deal.intent_at = deal.updated_at = match.updated_at = ctx.now
    deal.updated_by = ctx.user.id
    await ctx.notify(theirs.user_id, f"匹配 #{match.id} 已由{ctx.user.name}更新为：达成意向。",
                     deal_buttons(match), key=f"sd:i:{match.id}", kind="match")
    return Reply(f"匹配 #{match.id} 已更新为：达成意向。", buttons=deal_buttons(match), edit=True)


_AMOUNT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(万元|万)?\s*$")


@flow("sd_amount")
async def amount_flow(ctx: Context) -> Reply:
    """The signed amount in 万元 for a deal."""
    m = _AMOUNT_RE.match(ctx.text.replace(",", "").replace("，", ""))
    if m and float(m.group(1)) > MAX_AMOUNT_WAN:
        return Reply(f"金额过大：签约金额最多 {MAX_AMOUNT_WAN:,} 万元（1000亿元），请核对单位（万元）后重新输入。"
                     "发送 /cancel 放弃。")
    if not m or not float(m.group(1)) > 0:
        return Reply("请输入一个正数金额，单位万元，例如：2000 或 35.5。发送 /cancel 放弃。")
    data = ctx.dialog.data or {}
    match_id = parse_id(str(data.get("match_id", "")), strip_hash=False)
    match = await ctx.session.get(SupplyMatch, match_id) if match_id is not None else None
    await ctx.clear_dialog()
    fix = bool(data.get("fix"))
    if match is None or match.status not in ((MatchStatus.SIGNED,) if fix else
                                             (MatchStatus.NEGOTIATING, MatchStatus.INTENT)):
        return Reply("这条匹配已不能登记签约（可能已由对方登记）。发送 /deals 查看。")
    ctx.parts = ["sd", "sg", str(match.id)]
    found = await _match_for_user(ctx)
    if isinstance(found, Reply):
        return Reply(found.text)
    _, mine, theirs = found
    deal = await ctx.session.scalar(select(SupplyDeal).where(SupplyDeal.match_id == match.id))
    amount = float(m.group(1))
    if fix:
        return await _correct_amount(ctx, match, deal, theirs, amount)
    match.status = deal.stage = MatchStatus.SIGNED
    deal.amount_wan = amount
    deal.signed_at = deal.updated_at = match.updated_at = ctx.now
    deal.intent_at = deal.intent_at or ctx.now
    deal.updated_by = ctx.user.id
    await ctx.notify(theirs.user_id, f"✍️ 匹配 #{match.id} 已由{ctx.user.name}登记为已签约，金额 {amount:g} 万元。",
                     deal_buttons(match), key=f"sd:s:{match.id}", kind="match")
    return Reply(f"✍️ 已登记：匹配 #{match.id} 已签约，金额 {amount:g} 万元。祝贺！", buttons=deal_buttons(match))


async def _correct_amount(ctx: Context, match: SupplyMatch, deal: SupplyDeal, theirs: SupplyPost,
                          amount: float) -> Reply:
    """Either cadre corrects a signed amount; who and when are kept on the deal, the other side is told."""
    old = deal.amount_wan
    deal.amount_wan = amount
    deal.updated_at = match.updated_at = ctx.now
    deal.updated_by = ctx.user.id
    was = f"（原 {old:g} 万元）" if old is not None else ""
    await ctx.notify(theirs.user_id, f"✏️ 匹配 #{match.id} 的签约金额已由{ctx.user.name}更正为 {amount:g} 万元{was}。",
                     key=f"sd:fx:{match.id}:{ctx.now.isoformat()}", kind="match")
    return Reply(f"✏️ 已更正：匹配 #{match.id} 签约金额 {amount:g} 万元{was}。", buttons=deal_buttons(match))


@command("deals", "供需对接进展", roles={Role.CADRE, Role.ADMIN}, confidential=True)
async def deals(ctx: Context) -> Reply:
    """Matches in talks, with intent or signed: one's own, or all of them for the city office."""
    s, d = aliased(SupplyPost), aliased(SupplyPost)
    stmt = (select(SupplyMatch, s, d).join(s, s.id == SupplyMatch.supply_post_id)
            .join(d, d.id == SupplyMatch.demand_post_id)
            .where(SupplyMatch.status.in_([MatchStatus.NEGOTIATING, MatchStatus.INTENT, MatchStatus.SIGNED])))
    if ctx.user.role != Role.ADMIN:
        stmt = stmt.where(or_(s.user_id == ctx.user.id, d.user_id == ctx.user.id))
    rows = (await ctx.session.execute(stmt.order_by(SupplyMatch.updated_at.desc()))).all()
    if not rows:
        return Reply("暂无进入洽谈的供需对接。匹配卡片上双方都点“有意向”后会出现在这里。")
    deal_rows = {x.match_id: x for x in (await ctx.session.scalars(select(SupplyDeal).where(
        SupplyDeal.match_id.in_([m.id for m, _, _ in rows])))).all()}
    signed = [deal_rows[m.id].amount_wan or 0 for m, _, _ in rows if m.status == MatchStatus.SIGNED]
    counts = {st: sum(1 for m, _, _ in rows if m.status == st) for st in
              (MatchStatus.NEGOTIATING, MatchStatus.INTENT, MatchStatus.SIGNED)}
    lines = [("全市" if ctx.user.role == Role.ADMIN else "您的") + "供需对接："
             f"洽谈中 {counts['negotiating']}，达成意向 {counts['intent']}，已签约 {counts['signed']}"
             f"（合计 {sum(signed):g} 万元）"]
    buttons = []
    for m, sp, dp in rows[:15]:
        amount = deal_rows[m.id].amount_wan if m.id in deal_rows else None
        money = f"，{amount:g}万元" if amount else ""
        names = "、".join((sp.products or dp.products or [sp.text[:10]])[:2])
        lines.append(f"#{m.id} {names}：{await _short_ent(ctx, sp)} → {await _short_ent(ctx, dp)}"
                     f" — {MATCH_STATUS_NAMES[m.status]}{money}")
        if ctx.user.id in (sp.user_id, dp.user_id):
            for row in deal_buttons(m):
                buttons.append([Button(f"#{m.id} {b.text}", data=b.data) for b in row])
    return Reply("\n".join(lines), buttons=buttons)


async def _short_ent(ctx: Context, post: SupplyPost) -> str:
    ent = await ctx.session.get(Enterprise, post.enterprise_id)
    return ent.name if ent else "—"


@callback("sd", roles={Role.CADRE, Role.ADMIN})
async def on_button(ctx: Context) -> list[Reply] | Reply:
    """Every supply button: sd:<action>:<id>; the object-level checks live in each action."""
    action = ctx.parts[1] if len(ctx.parts) > 2 else ""
    if action in ("ok", "kd", "vd", "ed", "en", "ep", "cx", "ps", "pd"):
        return await draft_button(ctx, action)
    if action == "cl":
        return await close_post(ctx)
    if action in ("y", "n"):
        return await feedback(ctx, "interested" if action == "y" else "irrelevant")
    if action in ("in", "sg", "fx"):
        return await advance(ctx, action)
    return Reply("这个按钮已失效，请重新打开相关页面。", toast=True)

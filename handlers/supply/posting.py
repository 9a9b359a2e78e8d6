"""Posting supply and demand: /supply, /demand, plain group messages, the confirm card and /myposts."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from nlp.matching.lexicon import analyse
from nlp.matching.posts import classify_group_message, extract_post, has_product
from storage.models import CadreEnterprise, Enterprise, Role
from storage.models.supply import (
    KIND_NAMES, POST_STATUS_NAMES, PostKind, PostStatus, SupplyPost,
)

from ..context import Context
from ..ids import parse_id, part
from ..registry import command, flow, text_handler
from ..types import Button, Reply
from .index import matcher_for, sync_post, void_pending_matches

MIN_LEN, MAX_LEN = 4, 500
VALIDITY_STEPS = (7, 15, 30, 60, 90, 180)
DRAFT_TTL = timedelta(days=1)  # an unconfirmed draft older than this is dropped from /myposts
USAGE = {
    PostKind.SUPPLY: "请写明产品、规格、数量、地区等，例如：\n/supply 长期供应304不锈钢板 3mm 500吨 任城区 有效期3个月",
    PostKind.DEMAND: "请写明产品、规格、数量、地区等，例如：\n/demand 求购锂电池 48V 200组 邹城市 一周内",
}
NOT_CADRE = "发布供需信息需要驻企干部身份，且已关联服务企业。如有疑问请联系市指挥部办公室。"


async def cadre_enterprises(ctx: Context) -> list[Enterprise]:
    """The enterprises the current user is stationed in."""
    if ctx.user is None:
        return []
    stmt = (select(Enterprise).join(CadreEnterprise, CadreEnterprise.enterprise_id == Enterprise.id)
            .where(CadreEnterprise.user_id == ctx.user.id).order_by(Enterprise.id))
    return list((await ctx.session.scalars(stmt)).unique())


def check_text(text: str) -> str | None:
    """A Chinese complaint when the text cannot be a post, else None."""
    if len(text) < MIN_LEN:
        return "内容太短，请写明产品名称、规格或数量。"
    if len(text) > MAX_LEN:
        return f"内容过长（超过{MAX_LEN}字），请精简后重发。"
    if not analyse(text).phrases or not has_product(text):
        return "没有识别到产品或服务名称，请写明具体的产品和数量（例如：钢板 500吨）。"
    return None


def date_text(ctx: Context, when) -> str:
    """A local date with its year, so a one-year post never looks like it ends today."""
    return f"{when.astimezone(ctx.tz):%Y年%m月%d日}"


async def new_draft(ctx: Context, kind: str, text: str, source: str) -> SupplyPost | str:
    """A draft post from text, or a Chinese error message."""
    if ctx.user is None or ctx.user.role != Role.CADRE:
        return NOT_CADRE
    enterprises = await cadre_enterprises(ctx)
    if not enterprises:
        return NOT_CADRE
    problem = check_text(text)
    if problem:
        return problem
    same = await ctx.session.scalar(select(SupplyPost).where(
        SupplyPost.user_id == ctx.user.id, SupplyPost.status == PostStatus.DRAFT,
        SupplyPost.kind == kind, SupplyPost.text == text, SupplyPost.created_at > ctx.now - DRAFT_TTL).order_by(SupplyPost.id.desc()).limit(1))
    if same is not None:
        return same  # the same text again: show the existing draft, never a second one
    chosen, decided = await choose_enterprise(ctx, text, enterprises)
    post = SupplyPost(kind=kind, user_id=ctx.user.id, enterprise_id=chosen.id, text=text,
                      status=PostStatus.DRAFT, source=source, chat_id=ctx.inc.chat_id,
                      created_at=ctx.now, updated_at=ctx.now)
    apply_text(post, text, kind_from_text=False)
    post.region = post.region or chosen.county.name
    ctx.session.add(post)
    await ctx.session.flush()
    # Not stored: only this update's card asks (a cadre of several firms, nothing to go on).
    post.ask_enterprise = not decided and source in ("command", "group")
    return post


REMEMBER = timedelta(hours=12)  # "the session": a working day's run of posts


async def choose_enterprise(ctx: Context, text: str, enterprises: list[Enterprise]) -> tuple[Enterprise, bool]:
    """The enterprise a post is for, and whether that is settled: one firm, named in the text, or the last one used."""
    if len(enterprises) == 1:
        return enterprises[0], True
    from handlers.appeals.rules import short_enterprise

    named = [e for e in enterprises if e.name in text or short_enterprise(e.name) in text
             or short_enterprise(e.name, 2) in text and len(short_enterprise(e.name, 2)) == 2]
    if len(named) == 1:
        return named[0], True
    last = await ctx.session.scalar(select(SupplyPost.enterprise_id).where(
        SupplyPost.user_id == ctx.user.id, SupplyPost.status.not_in([PostStatus.DRAFT, PostStatus.CANCELLED]),
        SupplyPost.opened_at > ctx.now - REMEMBER).order_by(SupplyPost.opened_at.desc()).limit(1))
    by_id = {e.id: e for e in enterprises}
    if last in by_id:
        return by_id[last], True
    return enterprises[0], False


def enterprise_question(post: SupplyPost, enterprises: list[Enterprise], kind: str) -> Reply:
    """Ask which enterprise a post is for (buttons sd:ep:<post>:<enterprise>)."""
    rows = [[Button(e.name, data=f"sd:ep:{post.id}:{e.id}")] for e in enterprises[:10]]
    rows.append([Button("✖️ 取消", data=f"sd:cx:{post.id}")])
    return Reply(f"您负责多家企业，这条{kind}信息属于哪家企业？\n原文：{post.text}", buttons=rows)


def apply_text(post: SupplyPost, text: str, *, kind_from_text: bool) -> None:
    """Fill the extracted fields of a post from its text."""
    fields = extract_post(text)
    post.text = text
    post.products = fields.products
    post.specs = fields.specs
    post.quantity = fields.quantity
    post.region = fields.region
    post.validity_days = fields.validity_days
    if kind_from_text and fields.kind:
        post.kind = fields.kind


async def draft_card(ctx: Context, post: SupplyPost, *, edit: bool = False, chat_id: int | None = None) -> Reply:
    """The confirm card: what was understood, with one-tap confirm and edit buttons."""
    ent = await ctx.session.get(Enterprise, post.enterprise_id)
    enterprises = await cadre_enterprises(ctx) if ctx.user and ctx.user.id == post.user_id else [ent]
    kind = KIND_NAMES[post.kind]
    if getattr(post, "ask_enterprise", False) and not edit and len(enterprises) > 1:
        question = enterprise_question(post, enterprises, kind)
        question.chat_id = chat_id
        return question
    fields = extract_post(post.text)
    until = date_text(ctx, ctx.now + timedelta(days=post.validity_days))
    lines = [
        f"请确认您的{kind}信息（#{post.id}）：",
        f"类型：{kind}",
        f"企业：{ent.name}（{ent.county.name}）" if ent else "企业：—",
        f"产品：{'、'.join(post.products) or '（未识别，将按原文匹配）'}",
        f"规格：{'、'.join(post.specs) or '—'}",
        f"数量：{post.quantity or '—'}",
        *([f"产能：{fields.capacity}"] if fields.capacity else []),
        f"地区：{post.region or (ent.county.name if ent else '—')}",
        f"有效期：{post.validity_days}天（至{until}）",
        f"原文：{post.text}",
        *[f"⚠️ {note}" for note in fields.notes
          if "有效期" not in note or post.validity_days == fields.validity_days],
        "确认后将自动为您匹配其他企业的" + KIND_NAMES[_other(post.kind)] + "。",
    ]
    other = KIND_NAMES[_other(post.kind)]
    rows = [
        [Button("✅ 确认发布", data=f"sd:ok:{post.id}"), Button(f"🔁 改为{other}", data=f"sd:kd:{post.id}")],
        [Button("✏️ 修改内容", data=f"sd:ed:{post.id}"), Button(f"⏳ 修改有效期（现{post.validity_days}天）", data=f"sd:vd:{post.id}")],
    ]
    if len(enterprises) > 1:
        rows.append([Button("🏭 换一家企业", data=f"sd:en:{post.id}")])
    rows.append([Button("✖️ 取消", data=f"sd:cx:{post.id}")])
    return Reply("\n".join(lines), buttons=rows, edit=edit, chat_id=chat_id)


def _other(kind: str) -> str:
    return PostKind.DEMAND if kind == PostKind.SUPPLY else PostKind.SUPPLY


async def _post_command(ctx: Context, kind: str) -> Reply:
    text = ctx.args.strip()
    if not text:
        if ctx.user is None or ctx.user.role != Role.CADRE:
            return Reply(NOT_CADRE)
        await ctx.set_dialog("sd_new", "text", {"kind": kind})
        return Reply(f"请发送{KIND_NAMES[kind]}内容。\n" + USAGE[kind] + "\n发送 /cancel 取消。")
    draft = await new_draft(ctx, kind, text, "command")
    if isinstance(draft, str):
        return Reply(draft + "\n" + USAGE[kind])
    return await draft_card(ctx, draft)


@command("supply", "发布供应信息（/supply 产品 规格 数量）", roles={Role.CADRE})
async def supply_cmd(ctx: Context) -> Reply:
    """/supply <text>: draft a supply post and show it back for confirmation."""
    return await _post_command(ctx, PostKind.SUPPLY)


@command("demand", "发布需求信息（/demand 产品 规格 数量）", roles={Role.CADRE})
async def demand_cmd(ctx: Context) -> Reply:
    """/demand <text>: draft a demand post and show it back for confirmation."""
    return await _post_command(ctx, PostKind.DEMAND)


@flow("sd_new")
async def new_flow(ctx: Context) -> Reply:
    """The text of a post after a bare /supply or /demand."""
    kind = (ctx.dialog.data or {}).get("kind", PostKind.SUPPLY)
    draft = await new_draft(ctx, kind, ctx.text, "command")
    if isinstance(draft, str):
        return Reply(draft + "\n请重新发送，或发送 /cancel 取消。")
    await ctx.clear_dialog()
    return await draft_card(ctx, draft)


@flow("sd_edit")
async def edit_flow(ctx: Context) -> Reply:
    """New text for a draft: re-extract and show the card again."""
    post_id = parse_id(str((ctx.dialog.data or {}).get("post_id", "")), strip_hash=False)
    post = await ctx.session.get(SupplyPost, post_id) if post_id is not None else None
    if post is None or post.user_id != ctx.user.id or post.status != PostStatus.DRAFT:
        await ctx.clear_dialog()
        return Reply("这条草稿已不存在或已发布，无需修改。")
    problem = check_text(ctx.text)
    if problem:
        return Reply(problem + "\n请重新发送，或发送 /cancel 取消。")
    apply_text(post, ctx.text, kind_from_text=True)
    post.updated_at = ctx.now
    await ctx.clear_dialog()
    return await draft_card(ctx, post)


@text_handler("supply_group_post", priority=80, where="group")
async def group_post(ctx: Context) -> list[Reply] | None:
    """A plain group message that reads as a post: draft it and ask the poster privately."""
    if ctx.group is None or ctx.user is None or ctx.user.role != Role.CADRE:
        return None
    kind = classify_group_message(ctx.text)
    if kind is None:
        return None
    draft = await new_draft(ctx, kind, ctx.text, "group")
    if isinstance(draft, str):
        return None
    card = await draft_card(ctx, draft)
    intro = f"您在群“{ctx.group.title or '助企攀登群'}”发的消息像一条{KIND_NAMES[kind]}信息，需要发布并自动匹配吗？\n\n"
    await ctx.notify(ctx.user, intro + card.text, card.buttons, key=f"sd:draft:{draft.id}", kind="match")
    return []  # stay silent in the group


async def owned_post(ctx: Context, *statuses: str) -> SupplyPost | Reply:
    """The post named in the button, if the presser owns it and it is in one of `statuses`."""
    post_id = part(ctx.parts, 2)
    post = await ctx.session.get(SupplyPost, post_id) if post_id is not None else None
    if post is None:
        return Reply("这条供需信息不存在。", toast=True)
    if ctx.user is None or post.user_id != ctx.user.id:
        return Reply("只有发布人本人可以操作这条供需信息。", toast=True)
    if post.status not in statuses:
        return Reply(f"这条信息当前状态为“{POST_STATUS_NAMES.get(post.status, post.status)}”，不能这样操作。", toast=True)
    return post


async def draft_button(ctx: Context, action: str) -> list[Reply] | Reply:
    """Buttons on the confirm card: kd (kind), vd (validity), ed (edit), en (enterprise), cx, ok, ps/pd."""
    post = await owned_post(ctx, PostStatus.DRAFT)
    if isinstance(post, Reply):
        return post
    if action == "kd":
        post.kind = _other(post.kind)
    elif action == "vd":
        later = [d for d in VALIDITY_STEPS if d > post.validity_days]
        post.validity_days = later[0] if later else VALIDITY_STEPS[0]
    elif action == "en":
        ents = await cadre_enterprises(ctx)
        ids = [e.id for e in ents]
        if post.enterprise_id in ids and len(ids) > 1:
            nxt = ents[(ids.index(post.enterprise_id) + 1) % len(ids)]
            post.enterprise_id = nxt.id
            post.region = extract_post(post.text).region or nxt.county.name
    elif action == "ep":
        ents = {e.id: e for e in await cadre_enterprises(ctx)}
        chosen = parse_id(ctx.parts[3] if len(ctx.parts) > 3 else "", strip_hash=False)
        if chosen not in ents:
            return Reply("您不是该企业的驻企干部。", toast=True)
        post.enterprise_id = chosen
        post.region = extract_post(post.text).region or ents[chosen].county.name
    elif action == "ed":
        await ctx.set_dialog("sd_edit", "text", {"post_id": post.id})
        return Reply("请发送修改后的完整内容（产品、规格、数量、地区、有效期）。发送 /cancel 放弃修改。")
    elif action == "cx":
        post.status = PostStatus.CANCELLED
        post.closed_at = post.updated_at = ctx.now
        return Reply(f"已取消，这条{KIND_NAMES[post.kind]}信息不会发布。", edit=True)
    elif action in ("ok", "ps", "pd"):
        if action != "ok":  # 发布为供应 / 发布为需求 from a private message
            post.kind = PostKind.SUPPLY if action == "ps" else PostKind.DEMAND
        return await publish(ctx, post)
    post.updated_at = ctx.now
    await ctx.session.flush()
    return await draft_card(ctx, post, edit=True)


async def publish(ctx: Context, post: SupplyPost) -> list[Reply]:
    """Open a confirmed post, index it and propose matches to both sides."""
    from .matches import propose_matches

    post.status = PostStatus.OPEN
    post.opened_at = post.updated_at = ctx.now
    post.expires_at = ctx.now + timedelta(days=post.validity_days)
    await ctx.session.flush()
    matcher = await matcher_for(ctx)
    sync_post(matcher, post, ctx.now)
    found, weak = await propose_matches(ctx, post, matcher)
    kind = KIND_NAMES[post.kind]
    text = (f"✅ {kind}信息 #{post.id} 已发布，有效期至 {date_text(ctx, post.expires_at)}。\n"
            + (f"已为您找到 {found} 条匹配，匹配卡片已私信发给您和对方干部。" if found else
               "暂未找到合适的匹配；有新的对口信息发布时会第一时间通知您。"))
    if weak:  # below the strong bar: shown to the poster only, the other side is not told
        text += ("\n\n🔎 以下信息可能相关（仅您可见，未通知对方）：\n"
                 + "\n".join(weak))
    text += "\n发送 /myposts 查看和关闭您的供需信息。"
    return [Reply(text, edit=True)]


@command("myposts", "我的供需信息", roles={Role.CADRE})
async def myposts(ctx: Context) -> Reply:
    """List the cadre's posts, open ones first, with a close button each."""
    await matcher_for(ctx)  # marks expired posts
    rows = (await ctx.session.scalars(select(SupplyPost).where(
        SupplyPost.user_id == ctx.user.id, SupplyPost.status != PostStatus.CANCELLED)
        .order_by(SupplyPost.id.desc()).limit(30))).all()
    # a draft nobody confirmed within a day is stale: not listed (it can still be re-sent)
    rows = [p for p in rows if p.status != PostStatus.DRAFT or p.created_at > ctx.now - DRAFT_TTL]
    rows = sorted(rows, key=lambda p: ({PostStatus.DRAFT: 0, PostStatus.OPEN: 1}.get(p.status, 2), -p.id))[:12]
    if not rows:
        return Reply("您还没有发布过供需信息。发送 /supply 或 /demand 加内容即可发布。")
    lines, buttons = ["您的供需信息："], []
    for p in rows:
        until = f"，至{date_text(ctx, p.expires_at)}" if p.status == PostStatus.OPEN and p.expires_at else ""
        name = "、".join(p.products[:3]) or p.text[:16]
        lines.append(f"#{p.id} [{KIND_NAMES[p.kind]}] {name} — {POST_STATUS_NAMES[p.status]}{until}")
        if p.status == PostStatus.OPEN:
            buttons.append([Button(f"关闭 #{p.id} {name[:10]}", data=f"sd:cl:{p.id}")])
        elif p.status == PostStatus.DRAFT:
            buttons.append([Button(f"✅ 确认发布 #{p.id}", data=f"sd:ok:{p.id}"),
                            Button(f"🗑 删除 #{p.id}", data=f"sd:cx:{p.id}")])
    return Reply("\n".join(lines), buttons=buttons)


async def close_post(ctx: Context) -> Reply:
    """sd:cl:<id>: close an open post; it stops matching at once."""
    post = await owned_post(ctx, PostStatus.OPEN)
    if isinstance(post, Reply):
        return post
    post.status = PostStatus.CLOSED
    post.closed_at = post.updated_at = ctx.now
    await void_pending_matches(ctx, post)
    await ctx.session.flush()
    sync_post(await matcher_for(ctx), post, ctx.now)
    listing = await myposts(ctx)
    return Reply(f"已关闭 #{post.id}，不再参与匹配。\n\n" + listing.text, buttons=listing.buttons, edit=True)


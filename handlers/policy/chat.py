"""Policy answers in chat: /policy, plain questions in private, /policies, /handbook, admin file import,
and buttons `po` (related clause, turn an uncovered question into a 政策支持 appeal)."""
from __future__ import annotations

import re

from sqlalchemy import select

from handlers.context import Context
from handlers.ids import parse_id, part
from handlers.registry import attachment_handler, callback, command, text_handler
from handlers.types import Button, Reply
from nlp.policy import HIGH_BAR, LOW_BAR, SUPPORTED, Window
from nlp.policy.text import is_chatter
from storage.models import CadreEnterprise, Enterprise, Role
from storage.models.policy import PolicyClause, PolicyDoc, PolicyQuestion

from .files import fetch
from .offer import offer
from .store import (
    MAX_FILE_BYTES, current_docs, get_index, import_bytes, question_stats, record_question, window_text,
)

QUESTION_RE = re.compile(r"[?？]\s*$|吗|怎么|怎样|如何|多少|什么|哪些|哪个|是否|能否|能不能|可不可以|有没有|咋|啥")
# words that make an unanswerable plain question still a policy question worth an honest "not covered"
POLICY_CUE = re.compile(r"政策|补贴|奖励|奖补|补助|资助|扶持|申报|贷款|融资|贴息|税|费|用地|厂房|人才|认定|资金|优惠|减免|"
                        r"专精特新|小巨人|瞪羚|高企|高新技术|规上|链主|上市|技改|研发")
ASK_RE = re.compile(r"我想问|想问一下|问一下|想了解|了解一下|咨询|请问|请教")
POLICY_TOPIC = re.compile(r"政策|补贴|奖励|奖补|贴息|资助|扶持资金|认定条件|申报条件")
NO_HANDBOOK = "惠企政策汇编尚未导入。请联系市指挥部办公室导入。"
MAX_QUESTION = 300
ASK_REAL = "请写出具体想了解的政策问题，例如：/policy 专精特新企业有什么奖励？"


def _short(title: str, n: int = 12) -> str:
    t = re.sub(r"^(济宁市|济宁)", "", title)
    t = re.sub(r"的?(若干)?(政策)?(措施|办法|实施办法|意见|通知)$", "", t)
    return t if len(t) <= n else t[:n] + "…"


async def _cadre_enterprises(ctx: Context) -> list[Enterprise]:
    stmt = (select(Enterprise).join(CadreEnterprise, CadreEnterprise.enterprise_id == Enterprise.id)
            .where(CadreEnterprise.user_id == ctx.user.id).order_by(Enterprise.id))
    return list((await ctx.session.scalars(stmt)).unique())


def _can_appeal(ctx: Context) -> bool:
    return ctx.user.role == Role.CADRE and ctx.inc.is_private


async def answer_question(ctx: Context, question: str, *, strict: bool = False) -> list[Reply] | Reply | None:
    """Answer from the handbook (direct / these may help / not covered) and record the question."""
    question = question.strip()
    if len(question) > MAX_QUESTION:
        return Reply(f"问题太长（超过{MAX_QUESTION}字），请简要描述想了解的政策。")
    if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", question):
        return Reply("请用文字描述想了解的政策，例如：专精特新企业有什么奖励？")
    if is_chatter(question):
        # greetings and single letters ask nothing: no record, no "not covered", no appeal offer
        return None if strict else Reply(ASK_REAL)
    index, clause_ids = await get_index(ctx.session)
    if not index.clauses:
        return None if strict else Reply(NO_HANDBOOK)
    hits = index.search(question, k=3)
    top = hits[0] if hits else None
    outcome = "none"
    if top is not None and top.confidence >= HIGH_BAR:
        outcome = "answer"
    elif top is not None and top.confidence >= LOW_BAR:
        outcome = "related"
    if strict and outcome != "answer" and not POLICY_CUE.search(question):
        return None  # a plain question that is not about policy: let other handlers have it
    rec = await record_question(ctx.session, ctx.user.id, question, outcome,
                                clause_ids.get((top.doc, top.clause)) if top and outcome == "answer" else None,
                                top.confidence if top else None, ctx.now)
    if outcome == "answer":
        text = "📖 " + index.render(top, question)
        trimmed = "……" in text
        doc = index.documents.get(top.doc)
        if doc is not None and doc.window is not None:
            text += f"\n🗓 申报时间：{window_text(doc.window, ctx.today)}"
        if doc is not None and doc.audience.counties and ctx.user.role == Role.CADRE:
            counties = {e.county.name for e in await _cadre_enterprises(ctx)}
            if counties and not counties & set(doc.audience.counties):
                text += f"\n⚠️ 该文件仅适用于{'、'.join(doc.audience.counties)}的企业。"
        buttons = []
        if trimmed:
            buttons.append([Button("查看完整条款", data=f"po:c:{clause_ids[(top.doc, top.clause)]}")])
        for h in [h for h in hits[1:] if h.confidence >= LOW_BAR][:2]:
            buttons.append([Button(f"相关：{_short(h.title)} {h.clause}", data=f"po:c:{clause_ids[(h.doc, h.clause)]}")])
        return Reply(text, buttons=buttons)
    helpful = [h for h in hits if h.confidence >= LOW_BAR][:2]
    if helpful:
        lines = ["汇编未直接涉及这个问题，以下条款可能有帮助："]
        lines += [f"· {h.cite}：{h.text.replace(chr(10), ' ')[:40]}…" for h in helpful]
    else:
        lines = ["汇编未涉及这个问题：现有惠企政策汇编中没有找到相关条款。"]
    buttons = [[Button(f"查看：{_short(h.title)} {h.clause}", data=f"po:c:{clause_ids[(h.doc, h.clause)]}")]
               for h in helpful]
    if _can_appeal(ctx):
        lines.append("如需进一步协调，可一键转为“政策支持”诉求，由政策支持要素保障组答复。")
        buttons.append([Button("转为政策支持诉求", data=f"po:ap:{rec.id}")])
    else:
        lines.append("如需进一步了解，可联系政策支持要素保障组。")
    return Reply("\n".join(lines), buttons=buttons)


@command("policy", "政策问答（/policy 问题）")
async def policy_command(ctx: Context):
    """`/policy <question>`: the clause that answers, or an honest "not covered"."""
    if not ctx.args.strip():
        return Reply("请在命令后写上问题，例如：/policy 专精特新企业有什么奖励？\n在私聊中也可以直接发送问题。")
    return await answer_question(ctx, ctx.args)


@text_handler("policy_question", priority=60, where="private")
async def on_question(ctx: Context):
    """A plain private message that reads as a question gets a handbook answer."""
    text = ctx.text
    if text.startswith("/") or len(text) < 4:
        return None
    # '贷款贴息政策', '我想问一下专精特新的奖励': plain asks without a question mark are questions too.
    asks = QUESTION_RE.search(text) or ASK_RE.search(text) or (len(text) <= 20 and POLICY_TOPIC.search(text))
    if not asks:
        return None
    return await answer_question(ctx, text, strict=True)


@callback("po")
async def on_button(ctx: Context):
    """po:c:<clause id> shows a clause; po:ap:<question id>[:<enterprise id>] files a 政策 appeal."""
    parts = ctx.parts
    kind = parts[1] if len(parts) > 1 else ""
    arg = part(parts, 2)
    if arg is None:
        return Reply("这个按钮已失效。", toast=True)
    if kind == "c":
        clause = await ctx.session.get(PolicyClause, arg)
        if clause is None:
            return Reply("该条款已不存在，请重新提问。", toast=True)
        doc = await ctx.session.get(PolicyDoc, clause.document_id)
        note = "" if doc.current else "\n（注意：该文件已有新版本，此为旧版本条款，请重新提问查看最新内容。）"
        return Reply(f"📄《{doc.title}》{clause.label}\n{clause.text}{note}")
    if kind == "ap":
        return await _to_appeal(ctx, arg, parts[3] if len(parts) > 3 else None)
    return Reply("这个按钮已失效。", toast=True)


async def _to_appeal(ctx: Context, question_id: int, enterprise_arg: str | None):
    from handlers.appeals.service import appeal_card, file_appeal

    q = await ctx.session.get(PolicyQuestion, question_id)
    if q is None or q.user_id != ctx.user.id:
        return Reply("只能把自己提出的问题转为诉求。", toast=True)
    if q.appeal_id is not None:
        return Reply(f"该问题已转为诉求 #{q.appeal_id}，发送 /appeal {q.appeal_id} 查看。", toast=True)
    if ctx.user.role != Role.CADRE:
        return Reply("只有驻企干部可以提交诉求。", toast=True)
    ents = await _cadre_enterprises(ctx)
    if not ents:
        return Reply("您尚未关联任何企业，暂不能提交诉求。", toast=True)
    chosen = None
    if enterprise_arg is not None:
        chosen = next((e for e in ents if e.id == parse_id(enterprise_arg, strip_hash=False)), None)
        if chosen is None:
            return Reply("您不是该企业的驻企干部。", toast=True)
    elif len(ents) == 1:
        chosen = ents[0]
    else:
        return Reply("这个问题涉及哪家企业？", edit=True,
                     buttons=[[Button(e.name, data=f"po:ap:{q.id}:{e.id}")] for e in ents[:20]])
    description = f"政策咨询：{q.question}（惠企政策汇编未涉及，请政策支持要素保障组答复。）"
    try:
        appeal = await file_appeal(ctx, enterprise_id=chosen.id, description=description, category="政策")
    except ValueError as exc:
        return Reply(f"未能提交：{exc}", toast=True)
    q.appeal_id = appeal.id
    await ctx.session.flush()
    return [Reply(f"已转为政策支持诉求 #{appeal.id}（{chosen.name}），进展会通知您。", edit=True),
            await appeal_card(ctx, appeal)]


@command("policies", "我的企业可能符合的惠企政策", roles={Role.CADRE}, where="private")
async def policies_command(ctx: Context):
    """For each of the cadre's enterprises: policies it may qualify for, unmet conditions, windows."""
    ents = await _cadre_enterprises(ctx)
    if not ents:
        return Reply("您尚未关联任何企业。请联系市指挥部办公室登记。")
    docs = await current_docs(ctx.session)
    if not docs:
        return Reply(NO_HANDBOOK)
    replies = []
    for ent in ents[:10]:
        tags = "、".join(ent.tags or []) or "无"
        lines = [f"🏭 {ent.name}（{ent.county.name}｜{ent.cluster}｜{tags}）"]
        rows, elsewhere = [], 0
        for doc in docs:
            of = offer(doc, ent)
            if of.qualifies:
                rows.append((len(of.unmet), doc, of))
            else:
                elsewhere += 1
        rows.sort(key=lambda r: (r[0], -r[1].id))
        if not rows:
            lines.append("暂未找到可能符合的政策。")
        for n_unmet, doc, of in rows[:8]:
            mark = "✅" if n_unmet == 0 else "🔸"
            lines.append(f"{mark}《{doc.title}》")
            if of.clause is not None:
                lines.append(f"   重点条款：{of.clause.label}" + (f"（{of.amount}）" if of.amount else ""))
            lines.append("   已满足：" + ("；".join(of.met) if of.met else "未限定适用对象"))
            if of.unmet:
                lines.append("   尚未满足：" + "；".join(of.unmet))
            if of.unknown:
                lines.append("   待核实：" + "；".join(of.unknown))
            if doc.window:
                lines.append("   申报时间：" + window_text(Window.from_dict(doc.window), ctx.today))
        if len(rows) > 8:
            lines.append(f"……另有 {len(rows) - 8} 份，可用 /policy 提问查找。")
        if elsewhere:
            lines.append(f"另有 {elsewhere} 份文件仅适用于其他县（市、区），未列出。")
        replies.append(Reply("\n".join(lines)))
    return replies


@command("handbook", "惠企政策汇编目录")
async def handbook_command(ctx: Context):
    """List the current documents of the handbook."""
    docs = await current_docs(ctx.session)
    if not docs:
        return Reply(NO_HANDBOOK)
    lines = [f"📚 惠企政策汇编（{len(docs)}份）："]
    for d in docs:
        issued = f"，{d.issued.year}年{d.issued.month}月{d.issued.day}日" if d.issued else ""
        lines.append(f"· 《{d.title}》（{d.issuer or '发文单位未注明'}{issued}，第{d.version}版）")
    lines.append("提问示例：/policy 首次认定高新技术企业奖励多少？")
    return Reply("\n".join(lines))


@command("policystats", "政策问答统计（管理员）", roles={Role.ADMIN}, where="private", menu=False)
async def policystats_command(ctx: Context):
    """Questions asked in the last 30 days, how many the handbook answered, and the gaps."""
    from datetime import timedelta

    since = ctx.now - timedelta(days=30)
    st = await question_stats(ctx.session, since)
    if not st["asked"]:
        return Reply("近30天没有政策提问。")
    rate = st["answer"] / st["asked"] * 100
    lines = [f"📊 近30天政策提问 {st['asked']} 次：直接解答 {st['answer']}（{rate:.0f}%），"
             f"提供参考条款 {st['related']}，汇编未涉及 {st['none']}，转为诉求 {st['appeals']}。"]
    gaps = list(await ctx.session.scalars(
        select(PolicyQuestion.question).where(PolicyQuestion.asked_at >= since, PolicyQuestion.outcome != "answer")
        .order_by(PolicyQuestion.id.desc()).limit(8)))
    if gaps:
        lines.append("最近未能直接解答的问题（可据此补充汇编）：")
        lines += [f"· {q[:60]}" for q in gaps]
    return Reply("\n".join(lines))


@attachment_handler("policy_import", priority=50, where="private")
async def on_document(ctx: Context):
    """An admin sends a .md/.txt/.docx file in private chat: import it into the handbook."""
    att = next((a for a in ctx.inc.attachments if a.kind == "document"), None)
    if att is None or not (att.file_name or "").lower().endswith(SUPPORTED) or ctx.user.role != Role.ADMIN:
        return None
    if att.size and att.size > MAX_FILE_BYTES:
        return Reply("文件超过 2MB，请拆分后再发送。未导入任何内容。")
    try:
        data = await fetch(ctx, att)
    except Exception:  # network or missing file: nothing was changed
        return Reply("文件下载失败，请稍后重发。未导入任何内容。")
    name = att.file_name.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        result = await import_bytes(ctx.session, data, name, user_id=ctx.user.id, now=ctx.now)
    except ValueError as exc:
        return Reply(f"导入失败：{exc}\n未导入任何内容。")
    return Reply(import_summary(result, ctx.today))


def import_summary(result, today=None) -> str:
    """Chinese summary of one import."""
    import datetime as dt

    from nlp.policy import Audience, Window

    d = result.doc
    if result.unchanged:
        return f"内容未变化，未导入：《{d.title}》与现行第{d.version}版相同，未新增版本，也未发送通知。"
    style = "条款式（第X条）" if d.style == "articles" else "层级式（一、（一）1.）"
    lines = [f"✅ 已导入《{d.title}》：{len(d.clauses)} 条，{style}。"]
    if d.issuer_line:
        lines.append(f"发文：{d.issuer_line}")
    aud = Audience.from_dict(d.audience)
    parts = list(aud.tags) + list(aud.clusters) + list(aud.counties) + [
        f"{t.metric}{t.min_wan:g}万元以上" for t in aud.thresholds]
    lines.append("适用对象：" + ("、".join(parts) if parts else "未限定（全市企业）"))
    if d.window:
        lines.append("申报时间：" + window_text(Window.from_dict(d.window), today or dt.date.today()))
    if result.replaced is not None:
        lines.append(f"已替换同名文件（第{result.replaced.version}版已保留为历史版本），当前为第{d.version}版。")
    lines.append(f"已通知 {result.notified} 名可能符合条件企业的驻企干部。")
    if result.already_told:
        lines.append(f"另有 {result.already_told} 名驻企干部此前已收到该文件通知（适用对象和申报时间未变），未重复通知。")
    return "\n".join(lines)

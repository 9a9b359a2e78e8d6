"""The appeals service other areas call: file an appeal, render its card; plus history and similar ones."""
from __future__ import annotations

import logging

from sqlalchemy import func, select

from nlp.clip import clip
from nlp.similar import similar_texts
from handlers.context import Context
from handlers.types import Button, Reply
from storage.models import (
    Appeal, AppealAttachment, AppealEvent, AppealStatus, Enterprise, OrgUnit, STATUS_NAMES, UnitKind, User,
)
from storage.models.appeals import CATEGORIES
from storage.workdays import fallback_note, workdays_between

from . import workflow
from .rules import URGENCY_NAMES, days_left_label, route_unit, short_unit, validate_text

log = logging.getLogger(__name__)
S = AppealStatus


async def file_appeal(ctx: Context, *, enterprise_id: int, description: str, category: str | None = None,
                      urgency: str = "B", attachments=()) -> Appeal:
    """File an appeal for an enterprise: classify when no category, route, record the event, notify."""
    description = (description or "").strip()
    error = validate_text(description)
    if error:
        raise ValueError(error)
    if urgency not in ("A", "B"):
        raise ValueError("紧急程度只能是 A 或 B")
    enterprise = await ctx.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise ValueError("企业不存在")
    confidence = None
    if category is None:
        category, confidence = classify_text(description)
    if category not in CATEGORIES:
        raise ValueError(f"未知的诉求类别：{category}")
    unit = await route_unit(ctx.session, category, enterprise)
    appeal = Appeal(
        enterprise_id=enterprise.id, cadre_id=ctx.user.id, county_id=enterprise.county_id, category=category,
        category_confidence=confidence, urgency=urgency, description=description, status=S.SUBMITTED,
        level="county", routed_unit_id=unit.id if unit else None, consulted=False, redo_count=0,
        last_activity_at=ctx.now, created_at=ctx.now,
    )
    ctx.session.add(appeal)
    await ctx.session.flush()
    for att in attachments:
        ctx.session.add(AppealAttachment(appeal_id=appeal.id, kind=att.get("kind", "document"), file_id=att["file_id"],
                                         file_name=att.get("file_name"), created_at=ctx.now))
    how = "自动识别" if confidence is not None else "人工选择"
    ctx.session.add(AppealEvent(appeal_id=appeal.id, actor_id=ctx.user.id, at=ctx.now, action="file", from_status=None,
                                to_status=str(S.SUBMITTED), note=f"类别：{category}（{how}），对口单位：{short_unit(unit.name) if unit else '—'}"))
    await ctx.session.flush()
    await ctx.session.refresh(appeal)
    await workflow.notify_concerned(ctx, appeal, "提交新诉求，待县级审核", appeal.description[:200])
    return appeal


def classify_text(text: str) -> tuple[str, float]:
    """The classifier's category and confidence; '其他' with 0 if it fails (filing must not fail on it)."""
    try:
        from nlp.classify import classify_appeal

        result = classify_appeal(text)
        if result.category in CATEGORIES:
            return result.category, float(result.confidence)
    except Exception:
        log.exception("classify_appeal failed")
    return "其他", 0.0


def _first_line(text: str | None, limit: int = 200) -> str:
    return clip(text, limit)


async def card_text(ctx: Context, appeal: Appeal) -> str:
    """The card body: who, what, status, unit, deadline and working days left."""
    status = S(appeal.status)
    lines = [
        f"📋 诉求 #{appeal.id}｜{appeal.category}｜{URGENCY_NAMES.get(appeal.urgency, appeal.urgency)}",
        f"企业：{appeal.enterprise.name}（{appeal.county.name}）",
        f"状态：{STATUS_NAMES[status]}" + ("（重办）" if appeal.redo_count and status == S.IN_PROGRESS else ""),
    ]
    if appeal.unit is not None:
        level = "市级" if appeal.level == "city" else "县级"
        lines.append(f"责任单位：{short_unit(appeal.unit.name)}（{level}交办）")
    else:
        routed = await ctx.session.get(OrgUnit, appeal.routed_unit_id) if appeal.routed_unit_id else None
        lines.append(f"对口单位：{short_unit(routed.name) if routed else '—'}（待交办）")
    if appeal.deadline is not None:
        if status in (S.ASSIGNED, S.IN_PROGRESS):
            lines.append(f"办理时限：{appeal.deadline.isoformat()}（{days_left_label(appeal.deadline, ctx.today)}）"
                         + fallback_note(appeal.deadline, ctx.today))
        else:
            lines.append(f"办理时限：{appeal.deadline.isoformat()}{_timeliness(ctx, appeal)}")
    if appeal.extension_state == "pending":
        lines.append(f"延期申请：待审批，{appeal.extension_days} 个工作日（{_first_line(appeal.extension_reason, 80)}）")
    lines.append(f"内容：{_first_line(appeal.description, 300)}")
    from .staffing import stand_in

    standing = await stand_in(ctx.session, appeal)
    if standing is not None:
        lines.append(standing.note)
    files = await attachment_rows(ctx, appeal)
    if files:
        lines.append(f"附件（{len(files)} 个）：" + "、".join(f"{name}（{stage}）" for _, name, stage in files))
    if appeal.dissatisfied_count:
        reason = await _latest_note(ctx, appeal, "dispute") or await _latest_note(ctx, appeal, "redo")
        lines.append(f"企业不满意 {appeal.dissatisfied_count} 次" + (f"：{_first_line(reason, 120)}" if reason else ""))
    if status == S.RETURNED or status in (S.SUBMITTED, S.CITY_REVIEW):
        # The cadre must see what to add; after resubmitting, the reviewer sees what was asked for.
        last_return = await _latest_note(ctx, appeal, "ret")
        if last_return:
            label = "退回原因" if status == S.RETURNED else "上次退回原因"
            lines.append(f"{label}：{_first_line(last_return, 200)}")
    if status in (S.ASSIGNED, S.IN_PROGRESS):
        last_stage = await _latest_note(ctx, appeal, "stg")
        if last_stage:
            lines.append(f"最新阶段性答复：{_first_line(last_stage, 150)}")
    if appeal.result and status != S.IN_PROGRESS:
        lines.append(f"办理结果：{_first_line(appeal.result, 200)}")
    if appeal.explanation and status != S.IN_PROGRESS:
        lines.append(f"解释说明：{_first_line(appeal.explanation, 200)}")
    if appeal.satisfaction:
        lines.append(f"企业评价：{appeal.satisfaction}")
    if status == S.CLOSED and appeal.dissatisfied_count:
        ruling = await _latest_note(ctx, appeal, "cls")
        if ruling:
            lines.append(f"裁定说明：{_first_line(ruling.removeprefix('裁定销号：'), 200)}")
    if appeal.duplicate_of_id:
        lines.append(f"重复诉求：与 #{appeal.duplicate_of_id} 重复")
    return "\n".join(lines)


STAGE_NAMES = {"res": "补充材料", "stg": "阶段性答复", "fin": "办结", "exp": "解释说明"}


async def attachment_rows(ctx: Context, appeal: Appeal) -> list[tuple[int, str, str]]:
    """(attachment id, file name, the step it came with) for every file of an appeal, oldest first."""
    rows = (await ctx.session.execute(
        select(AppealAttachment, AppealEvent.action).outerjoin(AppealEvent, AppealEvent.id == AppealAttachment.event_id)
        .where(AppealAttachment.appeal_id == appeal.id).order_by(AppealAttachment.id))).all()
    out = []
    for att, action in rows:
        name = att.file_name or ("照片" if att.kind == "photo" else "文件")
        out.append((att.id, name, STAGE_NAMES.get(action, workflow.ACTION_NAMES.get(action, "提交时")) if action else "提交时"))
    return out


async def _latest_note(ctx: Context, appeal: Appeal, action: str) -> str | None:
    """The note of the appeal's latest event of an action (return reason, stage reply), or None."""
    return await ctx.session.scalar(
        select(AppealEvent.note).where(AppealEvent.appeal_id == appeal.id, AppealEvent.action == action)
        .order_by(AppealEvent.id.desc()).limit(1))


def _timeliness(ctx: Context, appeal: Appeal) -> str:
    """'（按期办结）' or '（超期 N 个工作日办结）' once the unit has finished."""
    if appeal.finished_at is None or appeal.deadline is None:
        return ""
    done = appeal.finished_at.astimezone(ctx.tz).date()
    if done <= appeal.deadline:
        return "（按期办结）"
    return f"（超期 {workdays_between(appeal.deadline, done)} 个工作日办结）"


async def card_buttons(ctx: Context, appeal: Appeal) -> list[list[Button]]:
    """Exactly the buttons the viewer may use now (the workflow table decides)."""
    actions = await workflow.allowed_actions(ctx, appeal)
    rels = await workflow.relations(ctx, appeal)
    rows: list[list[Button]] = []
    aid = workflow.with_state(appeal)  # a press is refused if the appeal has moved on since this card
    if "asg" in actions:
        row = []
        if S(appeal.status) == S.SUBMITTED:
            row.append(Button(f"县级办理（{appeal.county.name}）", data=f"ap:asg:{aid}:{appeal.county_id}"))
        if appeal.routed_unit_id and appeal.routed_unit_id != appeal.county_id:
            routed = await ctx.session.get(OrgUnit, appeal.routed_unit_id)
            row.append(Button(f"交{short_unit(routed.name)}", data=f"ap:asg:{aid}:{routed.id}"))
        rows.append(row)
        if workflow.ADMIN in rels:
            rows.append([Button("选择其他单位", data=f"ap:au:{aid}")])
    simple = [a for a in ("esc", "ret", "res", "con", "sign", "stg", "fin", "exp", "tr", "ext", "exy", "exn", "cls", "dl", "dup")
              if a in actions]
    if "rdo" in actions:
        rows.append([Button("另派单位重办", data=f"ap:pk:{aid}:r")])
    for i in range(0, len(simple), 3):
        rows.append([Button(workflow.TABLE[a].label, data=f"ap:{a}:{aid}") for a in simple[i:i + 3]])
    if "sat" in actions:
        rows.append([Button(name, data=f"ap:sat:{aid}:{k}") for k, name in (("1", "满意"), ("2", "基本满意"), ("3", "不满意"))])
    fixes = []
    if "cat" in actions:
        fixes.append(Button("更正类别", data=f"ap:cp:{aid}"))
    if "urg" in actions:
        other = "B" if appeal.urgency == "A" else "A"
        fixes.append(Button(f"改为{other}类", data=f"ap:urg:{aid}:{other}"))
    if fixes:
        rows.append(fixes)
    files = await attachment_rows(ctx, appeal)
    opens = [Button(f"📎{_first_line(name, 12)}", data=f"ap:f:{aid}:{att_id}") for att_id, name, _ in files[-6:]]
    rows += [opens[i:i + 3] for i in range(0, len(opens), 3)]
    rows.append([Button("办理记录", data=f"ap:h:{aid}")])
    return rows


async def appeal_card(ctx: Context, appeal: Appeal) -> Reply:
    """Status, unit, deadline, working days left and exactly the buttons this viewer may use."""
    return Reply(await card_text(ctx, appeal), buttons=await card_buttons(ctx, appeal))


async def history_text(ctx: Context, appeal: Appeal) -> str:
    """Every recorded event of an appeal: when, who, what, from which state to which, and the note."""
    rows = (await ctx.session.execute(
        select(AppealEvent, User.name).outerjoin(User, User.id == AppealEvent.actor_id)
        .where(AppealEvent.appeal_id == appeal.id).order_by(AppealEvent.id))).all()
    lines = [f"🕘 诉求 #{appeal.id} 办理记录（{len(rows)} 条）："]
    for ev, name in rows:
        when = ev.at.astimezone(ctx.tz).strftime("%m-%d %H:%M")
        src = STATUS_NAMES.get(S(ev.from_status), ev.from_status) if ev.from_status else "—"
        dst = STATUS_NAMES.get(S(ev.to_status), ev.to_status) if ev.to_status else "—"
        move = dst if src in ("—", dst) else f"{src} → {dst}"
        label = workflow.ACTION_NAMES.get(ev.action, ev.action)
        lines.append(f"{when} {name or '系统'} {label}｜{move}")
        if ev.note:
            lines.append(f"    {_first_line(ev.note, 200)}")
    files = await attachment_rows(ctx, appeal)
    if files:
        lines.append("附件：" + "、".join(f"{name}（{stage}）" for _, name, stage in files))
    return "\n".join(lines)


async def can_view(ctx: Context, appeal: Appeal) -> bool:
    """Admins, the county's reviewers, the current unit's handlers and the enterprise's cadres may view."""
    return bool(await workflow.relations(ctx, appeal))


OUTCOME_NAMES = {"resolved": "已办结", "explained": "已解释说明"}


async def similar_appeals(ctx: Context, appeal: Appeal, k: int = 3) -> list[tuple[Appeal, float]]:
    """Up to k similar earlier appeals of other enterprises (same category), best first."""
    rows = (await ctx.session.execute(
        select(Appeal.id, Appeal.description)
        .where(Appeal.category == appeal.category, Appeal.enterprise_id != appeal.enterprise_id, Appeal.id != appeal.id)
        .order_by(Appeal.id.desc()).limit(2000))).all()
    if not rows:
        return []
    try:
        hits = similar_texts(appeal.description, [(r[0], r[1]) for r in rows], k=k, min_score=0.35)
    except Exception:  # similarity is a hint; filing must never fail because of it
        log.exception("similar_texts failed")
        return []
    out = []
    for aid, score in hits:
        other = await ctx.session.get(Appeal, aid)
        if other is not None:
            out.append((other, score))
    return out


def similar_line(other: Appeal) -> str:
    """'#12 某企业：已办结——结果…' for the similar-appeals hint."""
    status = S(other.status)
    if other.outcome == "resolved" or other.result:
        how = f"已办结：{_first_line(other.result, 50)}"
    elif other.outcome == "explained" or other.explanation:
        how = f"已解释说明：{_first_line(other.explanation, 50)}"
    else:
        how = STATUS_NAMES[status]
    if status == S.CLOSED and other.satisfaction:
        how += f"（{other.satisfaction}）"
    return f"#{other.id} {other.enterprise.name}：{_first_line(other.description, 40)}\n   → {how}"


async def units_for_picker(ctx: Context, appeal: Appeal) -> list[OrgUnit]:
    """Units an admin may pick: the appeal's county unit, factor groups and task forces."""
    units = list(await ctx.session.scalars(select(OrgUnit).where(OrgUnit.kind != UnitKind.CITY_OFFICE).order_by(OrgUnit.id)))
    return [u for u in units if u.kind != UnitKind.COUNTY or u.id == appeal.county_id]

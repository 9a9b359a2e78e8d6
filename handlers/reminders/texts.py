"""Chinese texts of reminders and digests, and fitting long lists under the message limit."""
from __future__ import annotations

from datetime import date

from storage.models import STATUS_NAMES, Appeal, AppealStatus
from storage.workdays import fallback_note, workdays_between

from . import ladder as L

DIGEST_LIMIT = 3900  # below the 4096-character message limit, leaving room for the footer
MUTE_HINT = "如不需要每周推送，可发送 /settings 关闭一周一调度（办理时限提醒不可关闭）。"


def short(text: str | None, limit: int = 40) -> str:
    """One line, at most `limit` characters."""
    one = " ".join((text or "").split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def mmdd(day: date | None) -> str:
    """'02-09', or '未定' without a date."""
    return day.strftime("%m-%d") if day else "未定"


def status_name(status: str) -> str:
    """The Chinese name of a status."""
    try:
        return STATUS_NAMES[AppealStatus(status)]
    except ValueError:
        return status


def _facts_block(a: Appeal) -> str:
    unit = a.unit.name if a.unit else "未指定"
    return (f"企业：{a.enterprise.name if a.enterprise else '—'}\n诉求：{short(a.description, 60)}\n"
            f"责任单位：{unit}（{'市级' if a.level == 'city' else '县级'}，{a.urgency}类）")


_HEAD = {
    L.HALF: "【办理提醒】诉求 #{id} 的办理时限已过半。",
    L.FOUR_FIFTHS: "【临期提醒】诉求 #{id} 的办理时限已过五分之四。",
    L.DUE: "【到期提醒】诉求 #{id} 今天到期。",
    L.OVERDUE: "【超期提醒】诉求 #{id} 已超期 {days} 个工作日。",
    L.ESCALATE: "【超期督办】诉求 #{id} 已超过完成时限，请督促责任单位办理。",
    L.ADMIN: "【超期清单】诉求 #{id} 已超期 {days} 个工作日，已列入市指挥部超期清单。",
    L.STAGE: "【阶段性答复】诉求 #{id} 已连续 {days} 个工作日没有进展更新。",
    L.RETURNED: "【补充材料提醒】您的诉求 #{id} 已退回补充材料，等待您处理已 {days} 个工作日。",
}

_ASK = {
    L.HALF: "请抓紧办理，并及时更新办理进展。",
    L.FOUR_FIFTHS: "请加快办理，确保按期办结；确需延期的，请在到期前申请。",
    L.DUE: "请今日办结并反馈结果；确有困难请说明情况。",
    L.OVERDUE: "请立即办理并反馈，超期情况已同步审核人。",
    L.ESCALATE: "请督促责任单位尽快办结，或协调解决困难。",
    L.ADMIN: "超期超过 5 个工作日，请市指挥部办公室跟踪督办。",
    L.STAGE: "请提交阶段性答复：目前进展、存在困难、预计办结时间。",
    L.RETURNED: "请按审核意见补充材料后重新提交；如企业已不需要办理，请告知县级指挥部。",
}


def reminder_text(item: L.DueReminder, a: Appeal, today: date, *, fallback: bool = False, to_reviewer: bool = False) -> str:
    """The message for one due reminder about appeal `a`."""
    lines = [_HEAD[item.kind].format(id=a.id, days=item.days)]
    if item.kind == L.RETURNED:
        lines.append(f"企业：{a.enterprise.name if a.enterprise else '—'}\n诉求：{short(a.description, 60)}")
    else:
        lines.append(_facts_block(a))
        if item.deadline is not None:
            if item.kind in (L.HALF, L.FOUR_FIFTHS, L.STAGE):
                lines.append(f"完成时限：{item.deadline.isoformat()}（还剩 {workdays_between(today, item.deadline)} 个工作日）"
                             + fallback_note(item.deadline, today))
            else:
                lines.append(f"完成时限：{item.deadline.isoformat()}" + fallback_note(item.deadline, today))
        if a.status == AppealStatus.ASSIGNED and item.kind not in (L.ESCALATE, L.ADMIN):
            lines.append("该诉求尚未签收，请先签收。")
        if a.extension_state == "pending":
            lines.append(f"延期申请（{a.extension_days or '?'} 个工作日）正在等待审核。")
        elif a.extension_state == "granted":
            lines.append("（已批准延期，以上为延期后的完成时限。）")
    ask = _ASK[item.kind]
    if item.kind == L.DUE and to_reviewer:
        ask = "请督促责任单位今日办结。"
    lines.append(ask)
    if fallback:
        lines.append("（责任单位暂无登记的经办人，此提醒转您跟进。）")
    return "\n".join(lines)


def fit(header: str, lines: list[str], footer: str = "", limit: int = DIGEST_LIMIT) -> str:
    """Header, as many lines as fit under `limit` characters, a count of the rest, and the footer."""
    out = [header]
    size = len(header) + len(footer) + 40
    shown = 0
    for line in lines:
        if size + len(line) + 1 > limit:
            break
        out.append(line)
        size += len(line) + 1
        shown += 1
    if shown < len(lines):
        out.append(f"……另有 {len(lines) - shown} 件未列出，请在台账中查看。")
    if footer:
        out.append(footer)
    return "\n".join(out)

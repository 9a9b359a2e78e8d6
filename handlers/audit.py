"""The audit trail of confidential views and exports, and /audit for the city office to read it."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry, Role, User

from .context import Context
from .registry import command
from .types import Reply

SHOWN = 30


async def record(ctx: Context, action: str, replies: list[Reply]) -> None:
    """Write who used `action`, with which arguments and what the first answer line was."""
    first = next((r.text for r in replies if r.text), "")
    ctx.session.add(AuditEntry(at=ctx.now, user_id=ctx.user.id if ctx.user else None, action=action,
                               detail=ctx.args[:200], outcome=first.split("\n", 1)[0][:120],
                               chat_kind="private" if ctx.inc.is_private else "group"))
    await ctx.session.flush()


@command("audit", "查阅记录：谁导出或查看了台账、企业档案（管理员）", roles={Role.ADMIN}, where="private", menu=False)
async def audit_command(ctx: Context) -> Reply:
    """The latest entries of the audit trail, optionally only one person's (/audit 张伟)."""
    stmt = select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.user_id)
    who = ctx.args.strip()
    if who:
        stmt = stmt.where(User.name == who[:40])
    rows = (await ctx.session.execute(stmt.order_by(AuditEntry.id.desc()).limit(SHOWN))).all()
    if not rows:
        return Reply(f"没有 {who} 的查阅记录。" if who else "暂无查阅记录。")
    lines = [f"最近 {len(rows)} 条查阅记录（台账、导出、企业档案）："]
    for entry, name in rows:
        when = entry.at.astimezone(ctx.tz).strftime("%m-%d %H:%M")
        where = "群聊" if entry.chat_kind == "group" else "私聊"
        args = f" {entry.detail}" if entry.detail else ""
        lines.append(f"{when} {name or '（已删除）'} /{entry.action}{args}（{where}）→ {entry.outcome or '—'}")
    return Reply("\n".join(lines))

"""Per-chat order of the outbox: a row waits while an earlier row to the same chat is pending."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from storage.db import Database
from storage.models import Outbox, OutboxStatus


BEHIND = "behind #"  # last_error of a row waiting for an earlier one to the same chat


def chat_key(user_id: int | None, target: str | None):
    """Rows to a user are ordered per user; rows to an explicit chat (no user) per chat."""
    return ("u", user_id) if user_id is not None else ("c", target)


async def in_chat_order(db: Database, jobs: list, now) -> list:
    """The claimed jobs that may go now, each chat's in id order; the others wait for their chat's first row.

    A held row is postponed to its blocker's next attempt (not just released), so the sender does
    not claim it again and again while the earlier row waits out a backoff.
    """
    if not jobs:
        return jobs
    uids = {j.user_id for j in jobs if j.user_id is not None}
    cids = {int(j.target) for j in jobs if j.user_id is None and j.target is not None}
    async with db.session(read_only=True) as s:
        rows = (await s.execute(
            select(Outbox.id, Outbox.user_id, Outbox.chat_id, Outbox.next_attempt_at)
            .where(Outbox.status == OutboxStatus.PENDING,
                   or_(Outbox.user_id.in_(uids), and_(Outbox.user_id.is_(None), Outbox.chat_id.in_(cids))))
            .order_by(Outbox.id))).all()
    pending: dict = {}  # chat -> [(id, next_attempt_at)] in id order
    for row_id, user_id, chat_id, when in rows:
        key = chat_key(user_id, None if user_id is not None else str(chat_id))
        pending.setdefault(key, []).append((row_id, when))
    groups: dict = {}
    for job in jobs:
        groups.setdefault(chat_key(job.user_id, job.target), []).append(job)
    ready, held = [], {}
    for key, group in groups.items():
        claimed = {j.id: j for j in group}
        queue = pending.get(key) or [(j.id, now) for j in sorted(group, key=lambda j: j.id)]
        # The claimed rows may go as far as they are an unbroken run from the chat's oldest pending row.
        blocker = None
        for row_id, when in queue:
            if row_id not in claimed:
                blocker = (row_id, when)
                break
            ready.append(claimed.pop(row_id))
        for job in claimed.values():
            head_id, when = blocker if blocker is not None else (job.id, now)
            # Behind a row that is due (in flight at another worker): it frees us when it settles;
            # behind one that backs off: wait as long as it does.
            held[job.id] = (head_id, max(when, now) + timedelta(seconds=1))
    if held:
        async with db.session() as s:
            for job_id, (head_id, when) in held.items():
                await s.execute(update(Outbox).where(Outbox.id == job_id).values(
                    claimed_until=None, next_attempt_at=when, last_error=f"{BEHIND}{head_id}"))
    return ready

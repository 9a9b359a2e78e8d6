"""Queuing notifications in the outbox table (delivery is bot.outbox_sender's job)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Outbox, utcnow


def _buttons_json(buttons) -> list | None:
    if not buttons:
        return None
    rows = []
    for row in buttons:
        rows.append([{k: v for k, v in (("text", b.text), ("data", b.data), ("url", b.url)) if v is not None} for b in row])
    return rows


async def queue_notification(
    session: AsyncSession,
    user_id: int | None,
    text: str,
    buttons=None,
    *,
    key: str | None = None,
    kind: str = "notify",
    chat_id: int | None = None,
    now: datetime | None = None,
    photo: bytes | None = None,
) -> bool:
    """Add an outbox row; returns False when a row with the same key already exists."""
    if key is not None:
        exists = await session.scalar(select(Outbox.id).where(Outbox.dedupe_key == key))
        if exists is not None:
            return False
    row = Outbox(
        user_id=user_id,
        chat_id=chat_id,
        kind=kind,
        text=text,
        buttons=_buttons_json(buttons),
        photo=photo,
        dedupe_key=key,
        next_attempt_at=now or utcnow(),
        created_at=now or utcnow(),
        attempts=0,
    )
    if key is None:
        session.add(row)
        await session.flush()
        return True
    # Two workers may race on the same key: the unique index decides, a savepoint keeps our transaction.
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True

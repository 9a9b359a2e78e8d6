"""A test driver that talks to the real Dispatcher the way an adapter does."""
from __future__ import annotations

import itertools
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.channels import configured_invite_links
from bot.settings import Settings
from handlers.ports import Ports
from handlers.dispatcher import Dispatcher
from handlers.types import Incoming, Reply
from storage.db import Database
from storage.models import Outbox, User


class Clock:
    """A settable clock for tests (aware UTC)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai

    def __call__(self) -> datetime:
        return self.now


class RunningClock:
    """A clock that starts at a fixed moment and runs in real time: for end-to-end tests with timeouts.

    The bot's dispatcher, outbox sender and scheduler read it, so what they do never depends on the
    date the suite happens to run on.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self.start = start or datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai
        self._t0 = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._t0)


class ChatDriver:
    """Send messages and press buttons as a given user; inspect replies and the outbox."""

    def __init__(self, db: Database, settings: Settings | None = None, clock: Clock | None = None,
                 ports: Ports | None = None) -> None:
        self.db = db
        self.clock = clock or Clock()
        settings = settings or Settings(_env_file=None)
        self.dispatcher = Dispatcher(db, settings, clock=self.clock,
                                     ports=ports or Ports(invite_links=configured_invite_links(settings)))
        self._ids = itertools.count(1)

    async def user(self, name: str) -> User:
        """A user row by name."""
        async with self.db.session() as s:
            return (await s.scalars(select(User).where(User.name == name))).unique().one()

    async def send(self, user_id: int, text: str, *, chat_id: int | None = None, chat_type: str = "private", **kw) -> list[Reply]:
        """A text message from an internal user id (console platform: users.id)."""
        inc = Incoming(platform="console", user_id=user_id, chat_id=chat_id or user_id, chat_type=chat_type,
                       text=text, message_id=next(self._ids), **kw)
        return await self.dispatcher.handle(inc)

    async def press(self, user_id: int, data: str, *, chat_id: int | None = None, chat_type: str = "private") -> list[Reply]:
        """A button press carrying `data`."""
        inc = Incoming(platform="console", user_id=user_id, chat_id=chat_id or user_id, chat_type=chat_type,
                       callback_data=data, callback_id=str(next(self._ids)), message_id=1)
        return await self.dispatcher.handle(inc)

    async def outbox(self, user_id: int | None = None) -> list[Outbox]:
        """Queued notifications (for one user, if given), oldest first."""
        async with self.db.session() as s:
            stmt = select(Outbox).order_by(Outbox.id)
            if user_id is not None:
                stmt = stmt.where(Outbox.user_id == user_id)
            return list(await s.scalars(stmt))


def buttons_of(replies: list[Reply]) -> dict[str, str]:
    """Every button in the replies: text -> callback data."""
    return {b.text: b.data for r in replies for row in r.buttons for b in row if b.data}


def text_of(replies: list[Reply]) -> str:
    """All reply texts joined."""
    return "\n".join(r.text for r in replies)


async def send_post(chat: ChatDriver, user_id: int, text: str, **kw) -> list[Reply]:
    """/supply or /demand; a cadre of several enterprises asked which one takes the first (issue 15)."""
    replies = await chat.send(user_id, text, **kw)
    first = next((b.data for r in replies for row in r.buttons for b in row if (b.data or "").startswith("sd:ep:")), None)
    return await chat.press(user_id, first) if first else replies

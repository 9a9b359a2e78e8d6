"""What a handler gets: the update, the user, a DB session, the clock and small helpers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatGroup, DialogState, User
from storage.outbox import queue_notification

from .ports import Ports
from .types import Button, Incoming


class HandlerSettings(Protocol):
    """The settings handlers read (bot.settings.Settings satisfies it)."""

    timezone: str
    deadline_days_a: int
    deadline_days_b: int
    deadline_days_consult: int
    stage_reply_after_days: int
    reminder_hour: int


@dataclass
class Context:
    """One update being handled, inside one database transaction."""

    session: AsyncSession
    inc: Incoming
    user: User | None
    settings: HandlerSettings
    now: datetime  # aware, UTC
    dialog: DialogState | None = None
    group: ChatGroup | None = None
    args: str = ""  # text after the command
    parts: list[str] = field(default_factory=list)  # callback data split on ':'
    ports: Ports = field(default_factory=Ports)  # what the running channels provide

    def invite_lines(self, code: str) -> list[str]:
        """How to use an invite code on each running channel (deep links are built by the adapters)."""
        lines = [line for make in self.ports.invite_links if (line := make(code))]
        return lines or [f"请被邀请人在与攀登助手的私聊中发送：/start {code}"]

    @property
    def tz(self) -> ZoneInfo:
        """The local time zone (Asia/Shanghai)."""
        return ZoneInfo(self.settings.timezone)

    @property
    def local_now(self) -> datetime:
        """Now in local time."""
        return self.now.astimezone(self.tz)

    @property
    def today(self) -> date:
        """Today's local date."""
        return self.local_now.date()

    @property
    def text(self) -> str:
        """The message text, stripped."""
        return (self.inc.text or "").strip()

    async def set_dialog(self, flow: str, step: str, data: dict[str, Any] | None = None) -> DialogState:
        """Start or advance the user's dialog; stored in the database, not in memory."""
        assert self.user is not None, "dialogs need an enrolled user"
        state = self.dialog or await self.session.get(DialogState, self.user.id)
        if state is None:
            state = DialogState(user_id=self.user.id, chat_id=self.inc.chat_id, flow=flow, step=step, data=data or {})
            self.session.add(state)
        else:
            state.chat_id, state.flow, state.step = self.inc.chat_id, flow, step
            # Assign a new dict so the JSON column is seen as changed.
            state.data = dict(data if data is not None else state.data)
        state.updated_at = self.now
        self.dialog = state
        await self.session.flush()
        return state

    async def clear_dialog(self) -> None:
        """End the user's dialog, if any."""
        if self.user is None:
            return
        state = self.dialog or await self.session.get(DialogState, self.user.id)
        if state is not None:
            await self.session.delete(state)
            await self.session.flush()
        self.dialog = None

    async def notify(
        self,
        user: User | int,
        text: str,
        buttons: list[list[Button]] | None = None,
        *,
        key: str | None = None,
        kind: str = "notify",
    ) -> bool:
        """Queue a notification in the outbox; with a key, a second identical one is dropped."""
        user_id = user if isinstance(user, int) else user.id
        return await queue_notification(self.session, user_id, text, buttons, key=key, kind=kind, now=self.now)

    async def users_with_role(self, role: str, *, unit_id: int | None = None, county_id: int | None = None) -> list[User]:
        """Active users of a role, optionally of one unit or county."""
        stmt = select(User).where(User.role == role, User.active.is_(True))
        if unit_id is not None:
            stmt = stmt.where(User.unit_id == unit_id)
        if county_id is not None:
            stmt = stmt.where(User.county_id == county_id)
        return list((await self.session.scalars(stmt.order_by(User.id))).unique())

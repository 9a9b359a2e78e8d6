"""The single entry point: one update in, replies out, in one DB transaction per update."""
from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError

from storage.calendar import sync_calendar
from storage.db import Database
from storage.models import ChatGroup, DialogState, ProcessedUpdate, User, utcnow

from . import audit, observe, registry
from .accounts import CONSOLE, resolve_user
from .boundary import clean_incoming, valid_callback_data
from .confidential import send_privately
from .context import Context, HandlerSettings
from .ports import Ports
from .types import Incoming, Reply

log = logging.getLogger(__name__)

MAX_TEXT = 5000
NOT_ENROLLED_USER = (
    "您好！“攀登助手”仅供济宁市“干部助企攀登”驻企干部及相关工作人员使用。\n"
    "您的账号尚未登记，请联系市制造强市建设指挥部办公室获取专属邀请码或邀请链接，"
    "打开链接或在私聊中发送“/start 邀请码”后即可开始使用。"
)
NOT_ENROLLED_GROUP = "本群尚未登记，攀登助手暂不在此工作，也不会保存本群消息。如需启用，请市指挥部办公室管理员在群内发送 /bindgroup。"
ERROR_REPLY = "抱歉，处理这条消息时出了问题，未做任何更改。请稍后重试；问题已记录。"
STALE_REPLY = "该事项刚刚已被他人更新，本次操作未执行。请重新打开查看最新状态。"
NO_RIGHT = "您的角色无权执行此操作。"


class UpdateNotCommitted(Exception):
    """The database could not take this update's work (unreachable, locked): nothing was stored.

    Adapters must not confirm such an update to the platform (webhook: answer 500; polling: keep
    the offset), so it is delivered again; the dedupe row was rolled back with everything else.
    """


class _AlreadyHandled(Exception):
    """Raised inside the transaction when the update id was seen before: roll back, answer nothing."""


def as_list(result) -> list[Reply]:
    """Normalise a handler's return value to a list of replies."""
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)


class Dispatcher:
    """Routes an Incoming to the registered handler; safe for concurrent updates."""

    def __init__(self, db: Database, settings: HandlerSettings, *, clock: Callable[[], datetime] = utcnow,
                 ports: Ports | None = None) -> None:
        import handlers.modules  # noqa: F401  (registers every capability)

        self.db = db
        self.settings = settings
        self.clock = clock
        self.ports = ports or Ports()
        self._resolve = self.ports.resolver or resolve_user
        # In-process order of one user's updates (FIFO); the database lock below does the real work
        # across workers, this only keeps a burst from one user from holding many connections.
        self._locks: dict[tuple[str, int | str], tuple[asyncio.Lock, list[int]]] = {}
        self._told_groups: set[int] = set()
        self.observers: list[observe.Observer] = []  # the runtime adds metrics here

    async def handle(self, inc: Incoming) -> list[Reply]:
        """Handle one update; a failure becomes a Chinese apology and a rollback.

        Raises UpdateNotCommitted only when the database itself failed, so the caller leaves the
        update unconfirmed and it is delivered again.
        """
        inc = clean_incoming(inc)  # NUL and control characters never reach a handler or the database
        key = (inc.platform, inc.user_id)
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        started, outcome, replies = time.perf_counter(), "ok", []
        observe.start()
        try:
            async with lock:
                replies = await self._handle(inc)
                return replies
        except _AlreadyHandled:
            outcome = "duplicate"
            return replies
        except StaleDataError:
            outcome, replies = "stale", [Reply(STALE_REPLY, toast=inc.is_button)]
            return replies
        except (OperationalError, InterfaceError, PoolTimeout, OSError) as exc:  # OSError: server unreachable
            outcome = "not_committed"
            log.warning("update %s not committed, the database failed: %s", inc.update_id, exc)
            raise UpdateNotCommitted(str(exc)) from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                outcome = "not_committed"
                log.warning("update %s not committed, connection lost: %s", inc.update_id, exc)
                raise UpdateNotCommitted(str(exc)) from exc
            log.exception("update failed: %s %s update_id=%s", inc.platform, observe.kind_of(inc), inc.update_id)
            outcome, replies = "error", [Reply(ERROR_REPLY, toast=inc.is_button)]
            return replies
        except Exception:
            # The update's fields only: its text may carry enterprise contact data.
            log.exception("update failed: %s %s update_id=%s", inc.platform, observe.kind_of(inc), inc.update_id)
            outcome, replies = "error", [Reply(ERROR_REPLY, toast=inc.is_button)]
            return replies
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._locks.pop(key, None)
            observe.finish(inc, outcome, time.perf_counter() - started, len(replies), self.observers)

    async def _handle(self, inc: Incoming) -> list[Reply]:
        if len(inc.text or "") > MAX_TEXT:
            # In a group a long chat message is not meant for the bot: stay silent unless it is a command.
            if not inc.is_private and not (inc.text or "").lstrip().startswith("/"):
                return []
            return [Reply(f"消息过长（超过{MAX_TEXT}字），未做任何处理，请精简后重发。")]
        async with self.db.session() as session:
            group = None
            if not inc.is_private:
                group = await session.scalar(select(ChatGroup).where(ChatGroup.chat_id == inc.chat_id, ChatGroup.active.is_(True)))
                if group is None and not _is_command(inc, "bindgroup"):
                    return self._not_enrolled_group(inc)
            if not self.db.is_sqlite:
                # One user's updates run one at a time across every worker (SQLite: BEGIN IMMEDIATE
                # already serialises writers), so a dialog step is never taken twice in parallel.
                await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": user_lock_key(inc)})
            if inc.update_id is not None and not await _first_time(session, inc):
                raise _AlreadyHandled
            user = await self._resolve(session, inc)
            # Another worker may have loaded official holidays: deadlines below must count on them.
            await sync_calendar(session)
            if user is not None and user.blocked_bot and inc.platform != CONSOLE:
                user.blocked_bot = False  # they write to us again, so they unblocked the bot
            dialog = await session.get(DialogState, user.id) if user else None
            ctx = Context(session, inc, user, self.settings, self.clock(), dialog=dialog, group=group,
                          ports=self.ports)
            return as_list(await route(ctx))

    def _not_enrolled_group(self, inc: Incoming) -> list[Reply]:
        # Say it once (per process) when addressed or added; otherwise stay silent and store nothing.
        addressed = inc.event == "bot_added" or inc.is_button or (inc.text or "").startswith("/")
        if not addressed or inc.chat_id in self._told_groups:
            return [Reply(NOT_ENROLLED_GROUP, toast=True)] if inc.is_button else []
        self._told_groups.add(inc.chat_id)
        return [Reply(NOT_ENROLLED_GROUP)]


def _is_command(inc: Incoming, name: str) -> bool:
    cmd, _ = split_command(inc.text or "")
    return cmd == name


def split_command(text: str) -> tuple[str | None, str]:
    """'/appeal@bot 贷款难' -> ('appeal', '贷款难'); a non-command -> (None, text)."""
    text = text.strip()
    if not text.startswith("/") or len(text) < 2:
        return None, text
    head, _, rest = text[1:].partition(" ")
    if "\n" in head:
        head, _, more = head.partition("\n")
        rest = (more + " " + rest).strip()
    name = head.split("@", 1)[0].lower()
    return name, rest.strip()


def user_lock_key(inc: Incoming) -> int:
    """A stable signed 64-bit advisory-lock key for (platform, user id); collisions only serialise more."""
    uid = inc.user_id if isinstance(inc.user_id, int) else zlib.crc32(str(inc.user_id).encode())  # WeCom ids are text
    key = (zlib.crc32(inc.platform.encode()) << 32) ^ (uid & 0xFFFFFFFFFFFF)
    return key - (1 << 64) if key >= (1 << 63) else key


async def _first_time(session, inc: Incoming) -> bool:
    """Record the update id in the update's own transaction; False when it was already handled.

    The row commits or rolls back with the update's work, so a failed update is not marked as done.
    On PostgreSQL a concurrent copy of the same update waits for the first one's commit here.
    """
    if session.bind.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    stmt = insert(ProcessedUpdate).values(platform=inc.platform, update_id=inc.update_id, at=utcnow())
    result = await session.execute(stmt.on_conflict_do_nothing())
    return result.rowcount == 1


def _unknown_command(name: str, user: User | None) -> str:
    """'您是不是想用 /appeal？' for a typo of a command this user may use; else the plain hint."""
    import difflib

    usable = [n for n, spec in registry.COMMANDS.items() if _allowed(spec.roles, user) or spec.anonymous]
    close = difflib.get_close_matches(name, usable, n=1, cutoff=0.7)
    if close:
        spec = registry.COMMANDS[close[0]]
        return f"没有 /{name} 这个命令。您是不是想用 /{close[0]}？（{spec.description}）"
    return "未知命令。发送 /help 查看您可以使用的命令。"


def _allowed(roles: frozenset[str] | None, user: User | None) -> bool:
    return user is not None and (roles is None or user.role in roles)


async def route(ctx: Context) -> list[Reply] | Reply | None:
    """Pick the handler: button, command, active dialog, attachment, then plain-text handlers."""
    inc = ctx.inc
    if inc.is_button:
        ctx.parts = (inc.callback_data or "").split(":")
        if ctx.user is None:
            return Reply(NOT_ENROLLED_USER, toast=True)
        spec = registry.CALLBACKS.get(ctx.parts[0]) if valid_callback_data(inc.callback_data or "") else None
        if spec is None:
            return Reply("这个按钮已失效，请重新打开相关页面。", toast=True)
        if not _allowed(spec.roles, ctx.user):
            return Reply(NO_RIGHT, toast=True)
        observe.mark(spec.func)
        result = await spec.func(ctx)
        return await send_privately(ctx, as_list(result)) if spec.confidential and not inc.is_private else result

    name, args = split_command(inc.text or "")
    if name is not None:
        spec = registry.COMMANDS.get(name)
        if spec is None:
            return Reply(_unknown_command(name, ctx.user)) if inc.is_private else None
        if ctx.user is None and not spec.anonymous:
            return Reply(NOT_ENROLLED_USER) if inc.is_private else None
        if spec.where == "private" and not inc.is_private:
            return Reply("请在与攀登助手的私聊中使用该命令。")
        if spec.where == "group" and inc.is_private:
            return Reply("该命令只能在群聊中使用。")
        if ctx.user is not None and not _allowed(spec.roles, ctx.user):
            return Reply(NO_RIGHT)
        ctx.args = args
        observe.mark(spec.func)
        result = as_list(await spec.func(ctx))
        if spec.audit and ctx.user is not None:
            await audit.record(ctx, spec.name, result)
        return await send_privately(ctx, result) if spec.confidential and not inc.is_private else result

    if ctx.user is None:
        return Reply(NOT_ENROLLED_USER) if inc.is_private else None

    if ctx.dialog is not None and ctx.dialog.chat_id == inc.chat_id:
        flow_handler = registry.FLOWS.get(ctx.dialog.flow)
        if flow_handler is not None:
            observe.mark(flow_handler)
            return await flow_handler(ctx)
        await ctx.clear_dialog()

    chat_kind = "private" if inc.is_private else "group"
    specs = registry.ATTACHMENT_HANDLERS if inc.attachments else registry.TEXT_HANDLERS
    if not inc.attachments and not ctx.text:
        return Reply("消息为空。发送 /help 查看您可以使用的命令。") if inc.is_private else None
    for spec in specs:
        if spec.where in ("any", chat_kind):
            result = await spec.func(ctx)
            if result is not None:
                observe.mark(spec.func)
                return result
    if inc.is_private:
        return Reply("我没能理解这条消息。发送 /help 查看您可以使用的命令。")
    return None

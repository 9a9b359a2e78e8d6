"""aiogram 3 adapter: updates → Incoming, planned replies → Bot API calls. Nothing else."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (TelegramAPIError, TelegramForbiddenError, TelegramNetworkError,
                                TelegramRetryAfter, TelegramServerError)
from aiogram.types import (BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats,
                           BufferedInputFile, CallbackQuery, InlineKeyboardButton,
                           InlineKeyboardMarkup, Message, Update)

from handlers.types import Incoming, OutFile

from .telegram_common import (ALLOWED_UPDATES, BlockedByUser, PermanentError, RetryLater,
                              TransientError, Transport, callback_to_incoming, message_to_incoming)

log = logging.getLogger(__name__)
OnIncoming = Callable[[Incoming], Awaitable[None]]


def markup(keyboard: list[list[dict]] | None) -> InlineKeyboardMarkup | None:
    """Plain keyboard rows → aiogram InlineKeyboardMarkup."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=b["text"], callback_data=b.get("data"), url=b.get("url")) for b in row]
        for row in keyboard])


async def _mapped(coro: Awaitable[Any]) -> Any:
    """Run an aiogram call, translating its exceptions into the transport's error classes."""
    try:
        return await coro
    except TelegramRetryAfter as exc:
        raise RetryLater(exc.retry_after, str(exc)) from exc
    except TelegramForbiddenError as exc:
        raise BlockedByUser(str(exc)) from exc
    except (TelegramServerError, TelegramNetworkError, asyncio.TimeoutError, OSError) as exc:
        raise TransientError(str(exc) or type(exc).__name__) from exc
    except TelegramAPIError as exc:
        raise PermanentError(str(exc)) from exc


class AiogramTransport(Transport):
    """The Bot API calls the bot makes, via an aiogram Bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.bot_id = bot.id

    async def answer_callback(self, callback_id: str, text: str, show_alert: bool) -> None:
        await _mapped(self.bot.answer_callback_query(callback_id, text=text or None, show_alert=show_alert))

    async def send_text(self, chat_id: int, text: str, keyboard: list[list[dict]] | None) -> int:
        msg = await _mapped(self.bot.send_message(chat_id, text, reply_markup=markup(keyboard)))
        return msg.message_id

    async def edit_text(self, chat_id: int, message_id: int, text: str, keyboard: list[list[dict]] | None) -> None:
        await _mapped(self.bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id,
                                                 reply_markup=markup(keyboard)))

    async def send_file(self, kind: str, chat_id: int, file: OutFile, caption: str,
                        keyboard: list[list[dict]] | None) -> int:
        upload = file.file_id if file.file_id and not file.content else BufferedInputFile(file.content, filename=file.filename)
        send = self.bot.send_photo if kind == "photo" else self.bot.send_document
        msg = await _mapped(send(chat_id, upload, caption=caption or None, reply_markup=markup(keyboard)))
        return msg.message_id

    async def download(self, file_id: str) -> bytes:
        f = await _mapped(self.bot.get_file(file_id))
        buf = await _mapped(self.bot.download_file(f.file_path))
        return buf.read()


class AiogramAdapter:
    """Runs an aiogram Dispatcher whose only job is to hand updates to `on_incoming`."""

    framework = "aiogram"

    def __init__(self, token: str, api_base: str, proxy: str | None, on_incoming: OnIncoming,
                 polling_timeout: int = 30) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base), proxy=proxy or None)
        self.bot = Bot(token, session=session)
        self.transport = AiogramTransport(self.bot)
        self.on_incoming = on_incoming
        self.polling_timeout = polling_timeout
        self.username: str | None = None
        self._polling: asyncio.Task | None = None
        self.dp = Dispatcher()
        self.dp.message.register(self._on_message)
        self.dp.callback_query.register(self._on_callback)

    @property
    def bot_id(self) -> int:
        """The bot's user id (from the token)."""
        return self.bot.id

    async def _on_message(self, message: Message, event_update: Update) -> None:
        inc = message_to_incoming(event_update.update_id, message, self.bot.id)
        if inc is not None:
            await self.on_incoming(inc)

    async def _on_callback(self, query: CallbackQuery, event_update: Update) -> None:
        inc = callback_to_incoming(event_update.update_id, query)
        if inc is not None:
            await self.on_incoming(inc)

    async def start(self) -> str:
        """getMe; returns the bot's username."""
        me = await self.bot.get_me()
        self.username = me.username
        return me.username or ""

    async def set_commands(self, commands: list[tuple[str, str]], scope: str = "default") -> None:
        """setMyCommands with the Chinese descriptions, for all chats or only private/group chats."""
        scopes = {"default": None, "private": BotCommandScopeAllPrivateChats(),
                  "group": BotCommandScopeAllGroupChats()}
        await self.bot.set_my_commands([BotCommand(command=c, description=d) for c, d in commands],
                                       scope=scopes[scope])

    async def poll(self) -> None:
        """Start long polling in the background and return; updates run concurrently (per-user order kept)."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._polling = asyncio.create_task(self.dp.start_polling(
            self.bot, handle_signals=False, close_bot_session=False,
            polling_timeout=self.polling_timeout, allowed_updates=ALLOWED_UPDATES))

    async def stop_polling(self) -> None:
        """Stop long polling (in-flight updates finish)."""
        task, self._polling = self._polling, None
        if task is None:
            return
        try:
            await self.dp.stop_polling()
        except RuntimeError:
            pass  # polling had not really started yet
        try:
            await asyncio.wait_for(task, 10)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            task.cancel()

    async def feed(self, update: dict) -> None:
        """Handle one update received by the webhook server."""
        await self.dp.feed_raw_update(self.bot, update)

    async def set_webhook(self, url: str, secret: str | None) -> None:
        """setWebhook with the secret token Telegram will send back in a header."""
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def delete_webhook(self) -> None:
        """deleteWebhook (pending updates kept)."""
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def webhook_info(self) -> dict:
        """getWebhookInfo as a plain dict (url, pending_update_count, last_error_message)."""
        info = await self.bot.get_webhook_info()
        return {"url": info.url, "pending_update_count": info.pending_update_count,
                "last_error_message": info.last_error_message}

    async def close(self) -> None:
        """Stop polling if needed and close the HTTP session."""
        await self.stop_polling()
        await self.bot.session.close()

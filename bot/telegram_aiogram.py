"""aiogram 3 adapter: updates → Incoming, planned replies → Bot API calls. Nothing else."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import GetUpdates
from aiogram.exceptions import (TelegramAPIError, TelegramForbiddenError, TelegramNetworkError,
                                TelegramRetryAfter, TelegramServerError)
from aiogram.types import (BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats,
                           BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Update)

from handlers.types import Incoming, OutFile

from .telegram_common import (ALLOWED_UPDATES, BlockedByUser, PermanentError, RetryLater, SendTimeout,
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
    except asyncio.TimeoutError as exc:
        raise SendTimeout(str(exc) or "timeout") from exc
    except TelegramNetworkError as exc:
        if "timeout" in str(exc).lower():
            raise SendTimeout(str(exc)) from exc
        raise TransientError(str(exc)) from exc
    except (TelegramServerError, OSError) as exc:
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
    """aiogram's Bot and types for HTTP and parsing; updates go straight to `on_incoming`.

    aiogram's own polling loop is not used: it confirms an offset while the previous batch still
    runs (see bot/polling.py). Webhook updates are parsed and handled here, errors propagate so the
    webhook answers 500 and Telegram delivers the update again.
    """

    framework = "aiogram"

    def __init__(self, token: str, api_base: str, proxy: str | None, on_incoming: OnIncoming,
                 polling_timeout: int = 30) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base), proxy=proxy or None)
        self.bot = Bot(token, session=session)
        self.transport = AiogramTransport(self.bot)
        self.on_incoming = on_incoming
        self.polling_timeout = polling_timeout
        self.username: str | None = None

    @property
    def bot_id(self) -> int:
        """The bot's user id (from the token)."""
        return self.bot.id

    def to_incoming(self, update: Update) -> Incoming | None:
        """An aiogram Update → Incoming (None for kinds the bot does not handle)."""
        if update.message is not None:
            return message_to_incoming(update.update_id, update.message, self.bot.id)
        if update.callback_query is not None:
            return callback_to_incoming(update.update_id, update.callback_query)
        return None

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

    async def prepare_polling(self) -> None:
        """deleteWebhook (pending updates kept), needed before getUpdates."""
        await _mapped(self.bot.delete_webhook(drop_pending_updates=False))

    async def fetch(self, offset: int | None, timeout: int) -> list[tuple[int, Incoming | None]]:
        """One getUpdates call (offset confirms everything before it)."""
        extra = {"request_timeout": int(self.bot.session.timeout + timeout)} if self.bot.session.timeout else {}
        updates = await _mapped(self.bot(GetUpdates(offset=offset, timeout=timeout,
                                                    allowed_updates=ALLOWED_UPDATES), **extra))
        return [(u.update_id, self.to_incoming(u)) for u in updates]

    async def feed(self, update: dict) -> None:
        """Handle one update received by the webhook server; returns once it is handled."""
        parsed = Update.model_validate(update, context={"bot": self.bot})
        inc = self.to_incoming(parsed)
        if inc is not None:
            await self.on_incoming(inc)

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
        """Close the HTTP session."""
        await self.bot.session.close()

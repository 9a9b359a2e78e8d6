"""python-telegram-bot 22 adapter: updates → Incoming, planned replies → Bot API calls. Nothing else."""
from __future__ import annotations

import datetime as dtm
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats,
                      InlineKeyboardButton, InlineKeyboardMarkup, Update)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ApplicationBuilder

from handlers.types import Incoming, OutFile

from .telegram_common import (ALLOWED_UPDATES, BlockedByUser, PermanentError, RetryLater, SendTimeout,
                              TransientError, Transport, callback_to_incoming, message_to_incoming)

log = logging.getLogger(__name__)
OnIncoming = Callable[[Incoming], Awaitable[None]]


def markup(keyboard: list[list[dict]] | None) -> InlineKeyboardMarkup | None:
    """Plain keyboard rows → PTB InlineKeyboardMarkup."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(b["text"], callback_data=b.get("data"), url=b.get("url")) for b in row]
        for row in keyboard])


def _retry_seconds(exc: RetryAfter) -> float:
    # The private timedelta avoids PTB's int-vs-timedelta deprecation warning.
    value = getattr(exc, "_retry_after", None)
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(exc.retry_after)  # type: ignore[arg-type]


async def _mapped(coro: Awaitable[Any]) -> Any:
    """Run a PTB call, translating its exceptions into the transport's error classes."""
    try:
        return await coro
    except RetryAfter as exc:
        raise RetryLater(_retry_seconds(exc), str(exc)) from exc
    except Forbidden as exc:
        raise BlockedByUser(str(exc)) from exc
    except TimedOut as exc:
        raise SendTimeout(str(exc)) from exc
    except BadRequest as exc:  # a subclass of NetworkError in PTB, so it goes first
        raise PermanentError(str(exc)) from exc
    except NetworkError as exc:  # 5xx, timeouts, connection errors
        raise TransientError(str(exc)) from exc
    except TelegramError as exc:
        raise PermanentError(str(exc)) from exc


class PtbTransport(Transport):
    """The Bot API calls the bot makes, via a PTB Bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def answer_callback(self, callback_id: str, text: str, show_alert: bool) -> None:
        await _mapped(self.bot.answer_callback_query(callback_id, text=text or None, show_alert=show_alert))

    async def send_text(self, chat_id: int, text: str, keyboard: list[list[dict]] | None) -> int:
        msg = await _mapped(self.bot.send_message(chat_id, text, reply_markup=markup(keyboard)))
        return msg.message_id

    async def edit_text(self, chat_id: int, message_id: int, text: str, keyboard: list[list[dict]] | None) -> None:
        await _mapped(self.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                                 reply_markup=markup(keyboard)))

    async def send_file(self, kind: str, chat_id: int, file: OutFile, caption: str,
                        keyboard: list[list[dict]] | None) -> int:
        if file.file_id and not file.content:  # a file Telegram already holds: send it by its id
            send = self.bot.send_photo if kind == "photo" else self.bot.send_document
            msg = await _mapped(send(chat_id, file.file_id, caption=caption or None, reply_markup=markup(keyboard)))
            return msg.message_id
        if kind == "photo":
            msg = await _mapped(self.bot.send_photo(chat_id, file.content, caption=caption or None,
                                                    filename=file.filename, reply_markup=markup(keyboard)))
        else:
            msg = await _mapped(self.bot.send_document(chat_id, file.content, caption=caption or None,
                                                       filename=file.filename, reply_markup=markup(keyboard)))
        return msg.message_id

    async def download(self, file_id: str) -> bytes:
        f = await _mapped(self.bot.get_file(file_id))
        return bytes(await _mapped(f.download_as_bytearray()))


class PtbAdapter:
    """PTB's Bot and types for HTTP and parsing; updates go straight to `on_incoming`.

    PTB's Updater is not used: it confirms an offset while the previous batch still runs (see
    bot/polling.py), and Application.process_update swallows handler errors, which the webhook
    needs to see to answer 500.
    """

    framework = "ptb"

    def __init__(self, token: str, api_base: str, proxy: str | None, on_incoming: OnIncoming,
                 polling_timeout: int = 30) -> None:
        base = api_base.rstrip("/")
        builder = (ApplicationBuilder().token(token).base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
                   .updater(None).connection_pool_size(64).pool_timeout(10.0))
        if proxy:
            builder = builder.proxy(proxy).get_updates_proxy(proxy)
        self.app: Application = builder.build()
        self.transport = PtbTransport(self.app.bot)
        self.on_incoming = on_incoming
        self.polling_timeout = polling_timeout
        self.username: str | None = None
        self._started = False

    @property
    def bot_id(self) -> int:
        """The bot's user id (known after start)."""
        return self.app.bot.id

    def to_incoming(self, update: Update) -> Incoming | None:
        """A PTB Update → Incoming (None for kinds the bot does not handle)."""
        if update.message is not None:
            return message_to_incoming(update.update_id, update.message, self.app.bot.id)
        if update.callback_query is not None:
            return callback_to_incoming(update.update_id, update.callback_query)
        return None

    async def start(self) -> str:
        """initialize (getMe); returns the bot's username."""
        await self.app.initialize()
        self._started = True
        self.username = self.app.bot.username
        return self.username or ""

    async def set_commands(self, commands: list[tuple[str, str]], scope: str = "default") -> None:
        """setMyCommands with the Chinese descriptions, for all chats or only private/group chats."""
        scopes = {"default": None, "private": BotCommandScopeAllPrivateChats(),
                  "group": BotCommandScopeAllGroupChats()}
        await self.app.bot.set_my_commands([BotCommand(c, d) for c, d in commands], scope=scopes[scope])

    async def prepare_polling(self) -> None:
        """deleteWebhook (pending updates kept), needed before getUpdates."""
        await _mapped(self.app.bot.delete_webhook(drop_pending_updates=False))

    async def fetch(self, offset: int | None, timeout: int) -> list[tuple[int, Incoming | None]]:
        """One getUpdates call (offset confirms everything before it)."""
        updates = await _mapped(self.app.bot.get_updates(offset=offset, timeout=dtm.timedelta(seconds=timeout),
                                                         allowed_updates=ALLOWED_UPDATES))
        return [(u.update_id, self.to_incoming(u)) for u in updates]

    async def feed(self, update: dict) -> None:
        """Handle one update received by the webhook server; returns once it is handled."""
        inc = self.to_incoming(Update.de_json(update, self.app.bot))
        if inc is not None:
            await self.on_incoming(inc)

    async def set_webhook(self, url: str, secret: str | None) -> None:
        """setWebhook with the secret token Telegram will send back in a header."""
        await self.app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def delete_webhook(self) -> None:
        """deleteWebhook (pending updates kept)."""
        await self.app.bot.delete_webhook(drop_pending_updates=False)

    async def webhook_info(self) -> dict:
        """getWebhookInfo as a plain dict (url, pending_update_count, last_error_message)."""
        info = await self.app.bot.get_webhook_info()
        return {"url": info.url, "pending_update_count": info.pending_update_count,
                "last_error_message": info.last_error_message}

    async def close(self) -> None:
        """Close the HTTP pools."""
        if self._started:
            await self.app.shutdown()
            self._started = False

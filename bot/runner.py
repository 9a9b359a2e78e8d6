"""Runs the bot: one framework adapter, the real handlers, the outbox sender, polling or webhook."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from handlers.dispatcher import Dispatcher
from handlers.ports import Ports
from handlers.types import Incoming
from storage.db import Database
from storage.models import utcnow

from .observability import Metrics
from .outbox_sender import OutboxSender
from .polling import SafePoller
from .replies import ReplyQueue
from .settings import Settings
from .signals import stop_event_on_signals
from .telegram_common import TelegramDeliverer, invite_link, menu_commands, plan
from .webhook import WebhookServer, new_secret, webhook_path

log = logging.getLogger(__name__)


def make_adapter(framework: str, settings: Settings, on_incoming, polling_timeout: int = 30) -> Any:
    """The aiogram or PTB adapter, pointed at PANDENG_TELEGRAM_API_BASE through PANDENG_PROXY."""
    if settings.bot_token is None or not settings.bot_token.get_secret_value():
        raise SystemExit("请先设置 PANDENG_BOT_TOKEN（向 @BotFather 申请的机器人令牌）。")
    token = settings.bot_token.get_secret_value()
    if framework == "ptb":
        from .telegram_ptb import PtbAdapter

        return PtbAdapter(token, settings.telegram_api_base, settings.proxy, on_incoming, polling_timeout)
    from .telegram_aiogram import AiogramAdapter

    return AiogramAdapter(token, settings.telegram_api_base, settings.proxy, on_incoming, polling_timeout)


def telegram_ports(settings: Settings, adapter: Any = None) -> Ports:
    """The ports a Telegram process gives its Dispatcher: the framework's download, t.me invite links."""

    async def download(file_id: str) -> bytes:
        return await adapter.transport.download(file_id)

    from .channels import wecom_invite_line

    files = {"telegram": download} if adapter is not None else {}
    return Ports(files=files, invite_links=(invite_link(lambda: settings.bot_username), wecom_invite_line(settings)))


class BotRunner:
    """Start/stop the whole runtime; `handle_incoming` is the path every update takes."""

    def __init__(self, settings: Settings, *, framework: str | None = None, webhook_url: str | None = None,
                 db: Database | None = None, outbox: bool = True, polling_timeout: int = 30,
                 outbox_options: dict | None = None, clock=utcnow, set_commands: bool = True,
                 scheduler: bool = False) -> None:
        self.settings = settings
        self.framework = framework or settings.framework
        self.webhook_url = webhook_url
        self._own_db = db is None
        self.db = db or Database(settings.database_url)
        self.clock = clock  # the dispatcher, the outbox sender and the scheduler all read this one clock
        self.adapter = make_adapter(self.framework, settings, self.handle_incoming, polling_timeout)
        self.dispatcher = Dispatcher(self.db, settings, clock=clock, ports=telegram_ports(settings, self.adapter))
        self.metrics = Metrics(self.db)
        self.dispatcher.observers.append(self.metrics.observe)
        self.outbox_enabled = outbox
        self.outbox_options = outbox_options or {}
        self.set_commands = set_commands
        self.sender: OutboxSender | None = None
        self.webhook: WebhookServer | None = None
        self.handled = 0
        self._outbox_stop = asyncio.Event()
        self._outbox_task: asyncio.Task | None = None
        self.scheduler_enabled = scheduler
        self._scheduler_task: asyncio.Task | None = None
        self.poller: SafePoller | None = None
        self._poll_stop = asyncio.Event()
        self._poll_task: asyncio.Task | None = None
        self.replies = ReplyQueue(self.db, self.adapter.transport, clock=self.clock)

    async def handle_incoming(self, inc: Incoming) -> None:
        """Dispatcher (one transaction) → replies → Bot API calls; then wake the outbox.

        Raises UpdateNotCommitted when nothing was stored (the update must come back). Replies
        that could not be sent go to the outbox, behind any earlier ones of the same chat.
        """
        replies = await self.dispatcher.handle(inc)
        if await self.replies.deliver(plan(inc, replies)) and self.sender is not None:
            self.sender.wake.set()
        self.handled += 1
        if self.sender is not None:
            self.sender.wake.set()  # notifications the handlers queued go out now, not after idle_s

    async def start(self) -> None:
        """getMe, command menu, webhook or polling, and the outbox sender."""
        if self._own_db:
            await self.db.upgrade()
        username = await self.adapter.start()
        if not self.settings.bot_username:
            self.settings.bot_username = username  # invite deep links need it
        if self.set_commands:
            # Private chats and groups get different menus; default is what older clients show.
            await self.adapter.set_commands(menu_commands("private"), "default")
            await self.adapter.set_commands(menu_commands("private"), "private")
            await self.adapter.set_commands(menu_commands("group"), "group")
        if self.webhook_url:
            secret = (self.settings.webhook_secret.get_secret_value()
                      if self.settings.webhook_secret else new_secret())
            self.webhook = WebhookServer(self.adapter.feed, webhook_path(self.webhook_url), secret,
                                         self.settings.webhook_host, self.settings.webhook_port,
                                         metrics=self.metrics)
            await self.webhook.start()
            await self.adapter.set_webhook(self.webhook_url, secret)
        else:
            await self.adapter.prepare_polling()
            self.poller = SafePoller(self.adapter.fetch, self.handle_incoming, timeout=self.adapter.polling_timeout)
            self._poll_task = asyncio.create_task(self.poller.run(self._poll_stop))
        if self.outbox_enabled:
            options = {"give_up_after_s": self.settings.outbox_give_up_hours * 3600, **self.outbox_options}
            self.sender = OutboxSender(self.db, TelegramDeliverer(self.adapter.transport), clock=self.clock, **options)
            self._outbox_task = asyncio.create_task(self.sender.run(self._outbox_stop))
        if self.scheduler_enabled:
            from .scheduler import run_scheduler

            # Reminders and the weekly dispatch are computed from the database on every tick.
            self._scheduler_task = asyncio.create_task(
                run_scheduler(self.db, self.settings, clock=self.clock, stop_event=self._outbox_stop))
        log.info("bot @%s running on %s (%s)", username, self.framework,
                 "webhook" if self.webhook_url else "long polling")

    async def stop(self, delete_webhook: bool = False) -> None:
        """Graceful stop: polling stops after its updates in flight, the outbox finishes its row, sessions close."""
        self._poll_stop.set()
        if self._poll_task is not None:
            await self._poll_task
            self._poll_task = None
        self._outbox_stop.set()
        if self._outbox_task is not None:
            await self._outbox_task
            self._outbox_task = None
        if self._scheduler_task is not None:
            await self._scheduler_task
            self._scheduler_task = None
        if self.webhook is not None:
            await self.webhook.stop()
            if delete_webhook:
                await self.adapter.delete_webhook()
        await self.adapter.close()
        if self._own_db:
            await self.db.dispose()

    async def kill(self) -> None:
        """Abrupt stop for tests: like a crash, nothing is finished or confirmed."""
        for task in (self._poll_task, self._outbox_task, self._scheduler_task):
            if task is not None:
                task.cancel()
        await self.adapter.close()

    async def run_forever(self) -> None:
        """Start, wait for SIGINT/SIGTERM, stop."""
        stop = stop_event_on_signals()
        await self.start()
        mode = f"webhook {self.webhook_url}" if self.webhook_url else "长轮询"
        print(f"攀登助手已启动（{self.framework}，{mode}），按 Ctrl+C 停止。", flush=True)
        started = time.monotonic()
        await stop.wait()
        await self.stop()
        print(f"已停止。运行 {time.monotonic() - started:.0f} 秒，处理 {self.handled} 条更新。", flush=True)

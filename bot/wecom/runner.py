"""`pandeng run --channel wecom`: the callback server, the real handlers, the outbox sender, the scheduler."""
from __future__ import annotations

import asyncio
import logging
import time

from handlers.dispatcher import Dispatcher
from handlers.ports import Ports
from storage.db import Database
from storage.models import utcnow

from ..channels import configured_invite_links
from ..outbox_sender import OutboxSender
from ..settings import Settings
from ..signals import stop_event_on_signals
from .api import WeComApi
from .channel import ReplySender, WeComDeliverer, numbered_press
from .crypto import WeComCrypto
from .inbound import PLATFORM, to_incoming
from .server import CALLBACK_PATH, CallbackServer

log = logging.getLogger(__name__)

REQUIRED = {
    "wecom_corp_id": "PANDENG_WECOM_CORP_ID（企业ID）",
    "wecom_agent_id": "PANDENG_WECOM_AGENT_ID（应用 AgentId）",
    "wecom_secret": "PANDENG_WECOM_SECRET（应用 Secret）",
    "wecom_token": "PANDENG_WECOM_TOKEN（接收消息 Token）",
    "wecom_aes_key": "PANDENG_WECOM_AES_KEY（接收消息 EncodingAESKey）",
}


def _secret(value) -> str:
    return value.get_secret_value() if value is not None else ""


def check_settings(settings: Settings) -> None:
    """Raise SystemExit with a Chinese message naming every missing or malformed setting."""
    missing = [label for name, label in REQUIRED.items()
               if getattr(settings, name) in (None, "") or (hasattr(getattr(settings, name), "get_secret_value")
                                                            and not _secret(getattr(settings, name)))]
    if missing:
        raise SystemExit("请先设置企业微信应用参数：" + "、".join(missing))
    if len(_secret(settings.wecom_aes_key)) != 43:
        raise SystemExit("PANDENG_WECOM_AES_KEY 应为 43 个字符（应用“接收消息”页面的 EncodingAESKey）。")


class WeComRunner:
    """Start/stop the WeCom runtime; `handle_message` is the path every accepted callback takes."""

    def __init__(self, settings: Settings, *, db: Database | None = None, outbox: bool = True,
                 scheduler: bool = False, outbox_options: dict | None = None, clock=utcnow) -> None:
        check_settings(settings)
        self.settings = settings
        self._own_db = db is None
        self.db = db or Database(settings.database_url)
        assert settings.wecom_corp_id is not None and settings.wecom_agent_id is not None
        self.api = WeComApi(settings.wecom_api_base, settings.wecom_corp_id, _secret(settings.wecom_secret),
                            settings.wecom_agent_id, rate_wait_s=settings.wecom_rate_wait_s)
        try:
            self.crypto = WeComCrypto(_secret(settings.wecom_token), _secret(settings.wecom_aes_key),
                                      settings.wecom_corp_id)
        except ValueError as exc:
            raise SystemExit(f"PANDENG_WECOM_AES_KEY 无效：{exc}") from None
        ports = Ports(files={PLATFORM: self.api.media}, invite_links=configured_invite_links(settings))
        self.clock = clock  # the dispatcher, the outbox sender and the scheduler all read this one clock
        self.dispatcher = Dispatcher(self.db, settings, clock=clock, ports=ports)
        self.replies = ReplySender(self.api, self.db, clock=clock)
        self.server = CallbackServer(self.crypto, self.db, self.handle_message, corp_id=settings.wecom_corp_id,
                                     agent_id=settings.wecom_agent_id, host=settings.webhook_host,
                                     port=settings.webhook_port)
        self.outbox_enabled = outbox
        self.outbox_options = {"idle_s": settings.outbox_idle_s, "backoff_base_s": settings.outbox_backoff_base_s,
                               **(outbox_options or {})}
        self.sender: OutboxSender | None = None
        self.scheduler_enabled = scheduler
        self.handled = 0
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def handle_message(self, msg: dict[str, str]) -> None:
        """A decrypted callback: Incoming → Dispatcher (one transaction) → WeCom API calls; wake the outbox."""
        inc = to_incoming(msg)
        if inc is None:
            return
        inc = await numbered_press(self.db, inc)
        replies = await self.dispatcher.handle(inc)
        await self.replies.send(inc, replies)
        self.handled += 1
        if self.sender is not None:
            self.sender.wake.set()

    async def start(self) -> int:
        """Migrate (own database), fetch a token, listen, start the sender and scheduler; returns the port."""
        if self._own_db:
            await self.db.upgrade()
        try:
            await self.api.token()
        except Exception as exc:  # the server may be unreachable now; sending retries later
            log.warning("wecom gettoken failed at start: %s", exc)
        port = await self.server.start()
        if self.outbox_enabled:
            self.sender = OutboxSender(self.db, WeComDeliverer(self.api, self.db), clock=self.clock,
                                       **self.outbox_options)
            self._tasks.append(asyncio.create_task(self.sender.run(self._stop)))
        if self.scheduler_enabled:
            from ..scheduler import run_scheduler

            self._tasks.append(asyncio.create_task(run_scheduler(self.db, self.settings, clock=self.clock, stop_event=self._stop)))
        log.info("wecom app %s listening on %s:%s%s", self.settings.wecom_agent_id, self.settings.webhook_host,
                 port, CALLBACK_PATH)
        return port

    async def stop(self) -> None:
        """Graceful stop: accepted callbacks finish, the outbox finishes the row in flight."""
        await self.server.stop()
        self._stop.set()
        for task in self._tasks:
            await task
        self._tasks.clear()
        await self.api.close()
        if self._own_db:
            await self.db.dispose()

    async def run_forever(self) -> None:
        """Start, wait for SIGINT/SIGTERM, stop."""
        stop = stop_event_on_signals()
        port = await self.start()
        print(f"攀登助手已启动（企业微信，回调地址路径 {CALLBACK_PATH}，监听 {self.settings.webhook_host}:{port}），"
              "按 Ctrl+C 停止。", flush=True)
        started = time.monotonic()
        await stop.wait()
        await self.stop()
        print(f"已停止。运行 {time.monotonic() - started:.0f} 秒，处理 {self.handled} 条消息。", flush=True)

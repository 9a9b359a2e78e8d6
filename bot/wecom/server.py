"""The callback endpoint (aiohttp): URL verification (GET) and encrypted messages and events (POST).

A request is refused with a 4xx and changes nothing when its signature is wrong (403), its corp id or
agent is not ours (403), its timestamp is outside the window or it was seen before (409), or it is
malformed (400). An accepted one is answered at once, inside WeCom's five seconds; the work runs after.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import ProcessedUpdate, utcnow

from ..http_site import start_site
from .crypto import CallbackError, WeComCrypto
from .inbound import MAX_BODY, parse_xml, stable_id

log = logging.getLogger(__name__)

CALLBACK_PATH = "/wecom/callback"
SEEN_PLATFORM = "wecom-sig"  # processed_updates rows that remember signatures already accepted
MAX_SKEW_S = 300  # a callback's timestamp may be this far from our clock

OnMessage = Callable[[dict[str, str]], Awaitable[None]]


class Refused(Exception):
    """A callback answered with a 4xx."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class CallbackServer:
    """Serves GET/POST CALLBACK_PATH and GET /healthz; work is done in background tasks."""

    def __init__(self, crypto: WeComCrypto, db: Database, on_message: OnMessage, *, corp_id: str,
                 agent_id: int | None, host: str = "0.0.0.0", port: int = 8080, path: str = CALLBACK_PATH,
                 clock=time.time) -> None:
        self.crypto = crypto
        self.db = db
        self.on_message = on_message
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.host = host
        self.port = port
        self.path = path
        self.clock = clock
        self.stats = {"accepted": 0, "refused": 0, "verified": 0, "failed": 0}
        self._tasks: set[asyncio.Task] = set()
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_get(self.path, self._on_verify)
        app.router.add_post(self.path, self._on_callback)
        app.router.add_get("/healthz", self._on_health)
        return app

    async def start(self) -> int:
        """Listen; returns the bound port."""
        self._runner, self.port = await start_site(self.app(), self.host, self.port)
        return self.port

    async def stop(self) -> None:
        """Stop listening, then let the work already accepted finish."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.drain()

    async def drain(self) -> None:
        """Wait for every accepted callback's work."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _on_health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", **self.stats, "in_flight": len(self._tasks)})

    def _refuse(self, exc: Refused | CallbackError) -> web.Response:
        self.stats["refused"] += 1
        status = exc.status if isinstance(exc, Refused) else (403 if exc.reason in ("bad signature", "wrong corp id") else 400)
        log.warning("wecom callback refused (%s): %s", status, exc.reason)
        return web.Response(status=status, text=exc.reason)

    def _query(self, request: web.Request, *names: str) -> list[str]:
        values = [request.query.get(n, "") for n in names]
        if not all(values):
            raise Refused(400, "missing query parameters")
        return values

    def _check_time(self, timestamp: str) -> None:
        if not timestamp.isdigit() or abs(self.clock() - int(timestamp)) > MAX_SKEW_S:
            raise Refused(409, "stale timestamp")

    async def _on_verify(self, request: web.Request) -> web.Response:
        """URL verification: the decrypted echostr, as plain text."""
        try:
            signature, timestamp, nonce, echostr = self._query(request, "msg_signature", "timestamp", "nonce", "echostr")
            plain = self.crypto.verify_url(signature, timestamp, nonce, echostr)
        except (Refused, CallbackError) as exc:
            return self._refuse(exc)
        self.stats["verified"] += 1
        return web.Response(text=plain)

    async def _on_callback(self, request: web.Request) -> web.Response:
        try:
            signature, timestamp, nonce = self._query(request, "msg_signature", "timestamp", "nonce")
            outer = parse_xml(await request.read())
            encrypted = outer.get("Encrypt", "")
            if not encrypted:
                raise Refused(400, "no Encrypt element")
            self.crypto.verify(signature, timestamp, nonce, encrypted)
            self._check_time(timestamp)
            msg = parse_xml(self.crypto.decrypt(encrypted))
            if msg.get("ToUserName") != self.corp_id:
                raise Refused(403, "wrong corp id")
            agent = msg.get("AgentID", "").strip()
            if self.agent_id is not None and agent and agent != str(self.agent_id):
                raise Refused(403, "wrong agent")
            await self._first_time(signature, timestamp, nonce)
        except (Refused, CallbackError) as exc:
            return self._refuse(exc)
        self.stats["accepted"] += 1
        task = asyncio.create_task(self._work(msg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.Response(text="")  # an empty answer: received, no passive reply

    async def _first_time(self, signature: str, timestamp: str, nonce: str) -> None:
        """Remember an accepted signature; the same signed request again is a replay (409)."""
        try:
            async with self.db.session() as s:
                s.add(ProcessedUpdate(platform=SEEN_PLATFORM, update_id=stable_id(signature, timestamp, nonce),
                                      at=utcnow()))
        except IntegrityError:
            raise Refused(409, "replayed callback") from None

    async def _work(self, msg: dict[str, str]) -> None:
        try:
            await self.on_message(msg)
        except Exception:  # the callback was answered already; log and go on
            self.stats["failed"] += 1
            log.exception("handling a wecom callback failed")

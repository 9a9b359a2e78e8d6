"""Framework-neutral webhook receiver (aiohttp): secret-token check, health endpoint, feed."""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import time
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from .http_site import start_site

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
Feed = Callable[[dict[str, Any]], Awaitable[None]]


def webhook_path(url: str) -> str:
    """The local path to listen on: the path part of the public webhook URL."""
    path = urlsplit(url).path or "/"
    return path if path.startswith("/") else "/" + path


def new_secret() -> str:
    """A random secret token allowed by Telegram (A-Z, a-z, 0-9, _ and -)."""
    return secrets.token_urlsafe(32)


class WebhookServer:
    """Receives Telegram updates on POST <path>, checks the secret, answers GET /healthz."""

    def __init__(self, feed: Feed, path: str, secret: str | None, host: str = "0.0.0.0",
                 port: int = 8080, health_path: str = "/healthz", metrics=None):
        self.feed = feed
        self.path = path
        self.secret = secret
        self.host = host
        self.port = port
        self.health_path = health_path
        self.metrics = metrics  # bot.observability.Metrics: /healthz reads the database, /metrics serves Prometheus
        self.received = 0
        self.rejected = 0
        self.started_at = time.time()
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        """The aiohttp application (exposed for embedding and tests)."""
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_post(self.path, self._on_update)
        app.router.add_get(self.health_path, self._on_health)
        app.router.add_get("/metrics", self._on_metrics)
        return app

    async def start(self) -> int:
        """Start listening; returns the bound port (useful with port=0)."""
        self._runner, self.port = await start_site(self.app(), self.host, self.port)
        return self.port

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _on_health(self, request: web.Request) -> web.Response:
        body = {"status": "ok", "received": self.received, "rejected": self.rejected,
                "uptime_s": round(time.time() - self.started_at, 1)}
        if self.metrics is None:
            return web.json_response(body)
        body.update(await self.metrics.health())
        return web.json_response(body, status=503 if body["status"] == "down" else 200)

    async def _on_metrics(self, request: web.Request) -> web.Response:
        if self.metrics is None:
            return web.Response(status=404, text="metrics not enabled")
        from .observability import CONTENT_TYPE

        return web.Response(body=await self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    async def _on_update(self, request: web.Request) -> web.Response:
        if self.secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            # constant-time comparison so the secret cannot be guessed byte by byte
            if not hmac.compare_digest(given.encode(), self.secret.encode()):
                self.rejected += 1
                log.warning("webhook call with a missing or wrong secret token rejected")
                return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            update = json.loads(await request.read())
        except ValueError:
            return web.json_response({"ok": False, "description": "bad json"}, status=400)
        if not isinstance(update, dict) or "update_id" not in update:
            return web.json_response({"ok": False, "description": "not an update"}, status=400)
        self.received += 1
        try:
            await self.feed(update)
        except Exception:  # an error answer makes Telegram redeliver; the dispatcher dedupes
            log.exception("handling webhook update %s failed", update.get("update_id"))
            return web.json_response({"ok": False}, status=500)
        return web.json_response({"ok": True})

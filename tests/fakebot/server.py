"""aiohttp application of the fake Bot API server: routing, body parsing, call log, webhooks."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import unquote

import aiohttp
from aiohttp import web

from .controls import Controls
from .methods import METHODS, Upload
from .state import ApiError, BotState, Call, coerce_params

DEFAULT_TOKEN = "7000001:TEST-token_for-pandeng"


async def parse_body(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Read query string plus a JSON, urlencoded or multipart body into (params, uploads)."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    ctype = request.content_type
    if request.can_read_body:
        if ctype == "application/json":
            body = await request.read()
            if body:
                raw.update(json.loads(body))
                return raw, files  # JSON bodies carry real types already
        elif ctype.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename is not None:
                    # aiohttp clients percent-quote non-ASCII filenames by default
                    files[part.name] = (unquote(part.filename), part.headers.get("Content-Type"),
                                        bytes(await part.read()))
                else:
                    raw[part.name] = await part.text()
        else:
            raw.update(await request.post())
    return coerce_params({k: v for k, v in raw.items()}), files


class FakeBotServer(Controls):
    """A Bot API server on 127.0.0.1 good enough for aiogram 3 and python-telegram-bot 22."""

    def __init__(self, token: str = DEFAULT_TOKEN, username: str = "pandeng_test_bot",
                 first_update_id: int = 100001):
        self.state = BotState(token, username, first_update_id)
        self.token = token
        self.port: int | None = None
        self.webhook_log: list[dict] = []
        self._runner: web.AppRunner | None = None
        self._pusher: asyncio.Task | None = None
        self._http: aiohttp.ClientSession | None = None
        self.started_at = time.time()
        self.delay = 0.0  # seconds every API call takes (to model network latency)

    # ---- lifecycle --------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """Base URL for aiogram's TelegramAPIServer.from_base (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ptb_base_url(self) -> str:
        """Value for PTB's ApplicationBuilder().base_url (token is appended)."""
        return f"{self.base_url}/bot"

    @property
    def ptb_base_file_url(self) -> str:
        """Value for PTB's ApplicationBuilder().base_file_url (token is appended)."""
        return f"{self.base_url}/file/bot"

    async def start(self) -> "FakeBotServer":
        """Bind to a random free port on 127.0.0.1 and serve."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2, handle_signals=False,
                                     access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._http = aiohttp.ClientSession()
        self._pusher = asyncio.create_task(self._push_webhook_loop())
        return self

    async def stop(self) -> None:
        """Stop serving; long polls still waiting are released."""
        if self._pusher:
            self._pusher.cancel()
            try:
                await self._pusher
            except (asyncio.CancelledError, Exception):
                pass
        if self._http:
            await self._http.close()
        self.state.poll_generation += 1
        await self.state.notify()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> "FakeBotServer":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    # ---- HTTP handlers ----------------------------------------------------------------
    async def _handle_api(self, request: web.Request) -> web.Response:
        token, name = request.match_info["token"], request.match_info["method"]
        if token != self.state.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        try:
            params, files = await parse_body(request)
        except (ValueError, aiohttp.ClientError) as exc:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": f"Bad Request: {exc}"}, status=400)
        call = Call(time.time(), name, params)
        if files:
            call.params = {**params, "_uploads": {k: (v[0], len(v[2])) for k, v in files.items()}}
        self.state.calls.append(call)
        impl = METHODS.get(name.lower())
        if impl is None:
            call.status = 404
            return web.json_response({"ok": False, "error_code": 404,
                                      "description": "Not Found"}, status=404)
        if self.delay:
            await asyncio.sleep(self.delay)
        try:
            fault = self.state.take_fault(name, params)
            if fault is not None:
                raise fault
            result = await impl(self.state, params, files)
        except ApiError as err:
            call.status, call.result = err.code, err.description
            return web.json_response(err.body(), status=err.code)
        call.result = result
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.state.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        path = request.match_info["path"]
        for f in self.state.files.values():
            if f.file_path == path:
                return web.Response(body=f.data,
                                    content_type=f.mime_type or "application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"},
                                 status=404)

    # ---- webhooks ---------------------------------------------------------------------
    async def post_webhook(self, update: dict, url: str | None = None,
                           secret: str | None = None, use_registered_secret: bool = False
                           ) -> tuple[int, str]:
        """POST one update to a webhook URL (default: the registered one); returns status, body."""
        assert self._http is not None, "server not started"
        target = url or self.state.webhook.get("url")
        if not target:
            raise RuntimeError("no webhook URL registered and none given")
        if use_registered_secret:
            secret = self.state.webhook.get("secret_token")
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with self._http.post(target, data=json.dumps(update, ensure_ascii=False),
                                   headers=headers) as resp:
            body = await resp.text()
            self.webhook_log.append({"ts": time.time(), "update_id": update.get("update_id"),
                                     "url": target, "status": resp.status})
            return resp.status, body

    async def _push_webhook_loop(self) -> None:
        """While a webhook is set, push queued updates to it like Telegram does (with retries)."""
        state = self.state
        while True:
            if not state.webhook.get("url") or not state.queue:
                await state.wait_change(0.5)
                continue
            allowed = state.webhook.get("allowed_updates")
            ready = state.pending(allowed, 1)
            if not ready:
                continue
            q = ready[0]
            try:
                status, _ = await self.post_webhook(q.update, use_registered_secret=True)
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
                status = 0
            if 200 <= status < 300:
                if q in state.queue:
                    state.queue.remove(q)
                await state.notify()
            else:
                await asyncio.sleep(0.2)

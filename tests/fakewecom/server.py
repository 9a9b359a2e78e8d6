"""The WeCom API calls the bot makes (gettoken, message/send, media/upload, media/get,
message/update_template_card) with errcode and 5xx faults on demand, plus a client side that builds
encrypted callbacks with the real protocol and posts them to the bot."""
from __future__ import annotations

import asyncio
import base64
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import aiohttp
from aiohttp import web

from bot.wecom.crypto import WeComCrypto

CORP_ID = "ww5f3c0d2e1b7a9c44"
AGENT_ID = 1000002
SECRET = "fake-app-secret-not-real-0123456789"
TOKEN = "PdTok3nForTests"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters


@dataclass
class Sent:
    """One message/send or update_template_card the bot made."""

    userid: str
    msgtype: str
    body: dict
    response_code: str | None = None
    updated: bool = False

    @property
    def text(self) -> str:
        """Readable text of the message (text, markdown or card)."""
        if self.msgtype in ("text", "markdown"):
            return self.body.get("content", "")
        if self.msgtype == "template_card":
            return "\n".join(filter(None, [self.body.get("main_title", {}).get("title", ""),
                                           self.body.get("sub_title_text", "")]))
        return f"[{self.msgtype}]"

    @property
    def buttons(self) -> dict[str, str]:
        """Button text → key (callback data) of a card."""
        return {b["text"]: b["key"] for b in self.body.get("button_list", [])}


@dataclass
class Fault:
    path: str
    errcode: int | None = None
    status: int | None = None
    times: int = 1


class FakeWeCom:
    """Serve the API on a random port; post callbacks to the bot; record everything."""

    def __init__(self) -> None:
        self.crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
        self.port: int | None = None
        self.tokens: dict[str, bool] = {}  # token -> still valid
        self.token_fetches = 0
        self.sent: list[Sent] = []
        self.media: dict[str, tuple[str, bytes]] = {}
        self.codes: dict[str, bool] = {}  # response_code -> unused
        self.faults: list[Fault] = []
        self.calls: list[str] = []
        self.rejected: list[tuple[str, int]] = []
        self._ids = itertools.count(1)
        self._msg_base = 6_000_000_000_000_000_000 + secrets.randbelow(10**9) * 10**9  # MsgIds unique per run
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.bot_url: str | None = None

    @property
    def base_url(self) -> str:
        """PANDENG_WECOM_API_BASE for the bot."""
        return f"http://127.0.0.1:{self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        """PANDENG_* variables pointing a bot at this server."""
        return {"PANDENG_CHANNEL": "wecom", "PANDENG_WECOM_CORP_ID": CORP_ID, "PANDENG_WECOM_AGENT_ID": str(AGENT_ID),
                "PANDENG_WECOM_SECRET": SECRET, "PANDENG_WECOM_TOKEN": TOKEN, "PANDENG_WECOM_AES_KEY": AES_KEY,
                "PANDENG_WECOM_API_BASE": self.base_url, **extra}

    async def start(self) -> "FakeWeCom":
        return await self.start_on(0)

    async def start_on(self, port: int) -> "FakeWeCom":
        """Serve on 127.0.0.1:port (0: a free one)."""
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._send)
        app.router.add_post("/cgi-bin/message/update_template_card", self._update)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._http = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- controls ----------------------------------------------------------------------------
    def fault(self, path: str, *, errcode: int | None = None, status: int | None = None, times: int = 1) -> None:
        """Make the next `times` calls of `path` fail with an errcode or an HTTP status."""
        self.faults.append(Fault(path, errcode, status, times))

    def expire_tokens(self) -> None:
        """Every token handed out so far now answers 42001 (expired)."""
        for token in self.tokens:
            self.tokens[token] = False

    def add_media(self, content: bytes, name: str = "photo.jpg") -> str:
        """A media_id a member's message can carry (as if they had sent the file)."""
        media_id = f"m{next(self._ids)}{secrets.token_hex(4)}"
        self.media[media_id] = (name, content)
        return media_id

    def messages(self, userid: str) -> list[Sent]:
        """What the bot sent to one member, in order."""
        return [m for m in self.sent if m.userid == userid]

    async def wait_for(self, userid: str, needle: str, *, after: int = 0, timeout: float = 15.0) -> Sent:
        """The first message to `userid` (from index `after` of their messages) whose text has `needle`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.messages(userid)[after:]:
                if needle in m.text:
                    return m
            await asyncio.sleep(0.05)
        raise TimeoutError(f"no message with {needle!r} to {userid}; got {[m.text for m in self.messages(userid)]!r}")

    # ---- callbacks, built the way WeCom builds them ------------------------------------------
    def sign_and_wrap(self, inner: str, *, timestamp: int | None = None, corp_id: str = CORP_ID,
                      token: str | None = None) -> tuple[dict[str, str], bytes]:
        """(query, body) of one encrypted callback carrying `inner` XML."""
        crypto = WeComCrypto(token or TOKEN, AES_KEY, corp_id)
        encrypted = crypto.encrypt(inner.encode())
        ts, nonce = str(timestamp if timestamp is not None else int(time.time())), str(secrets.randbelow(10**10))
        query = {"msg_signature": crypto.signature(ts, nonce, encrypted), "timestamp": ts, "nonce": nonce}
        body = (f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><AgentID><![CDATA[{AGENT_ID}]]></AgentID>"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>").encode()
        return query, body

    @staticmethod
    def message_xml(userid: str, msgtype: str, fields: dict[str, str], *, corp_id: str = CORP_ID) -> str:
        """The plain XML of a member's message or event."""
        parts = [f"<ToUserName><![CDATA[{corp_id}]]></ToUserName>", f"<FromUserName><![CDATA[{userid}]]></FromUserName>",
                 f"<CreateTime>{int(time.time())}</CreateTime>", f"<MsgType><![CDATA[{msgtype}]]></MsgType>",
                 f"<AgentID>{AGENT_ID}</AgentID>"]
        parts += [f"<{k}><![CDATA[{escape(v)}]]></{k}>" for k, v in fields.items()]
        return "<xml>" + "".join(parts) + "</xml>"

    async def post(self, query: dict[str, str], body: bytes) -> tuple[int, str]:
        """POST one callback to the bot; (status, text)."""
        assert self._http is not None and self.bot_url is not None
        async with self._http.post(self.bot_url, params=query, data=body) as resp:
            return resp.status, await resp.text()

    async def text(self, userid: str, content: str, *, msg_id: int | None = None) -> tuple[int, str]:
        """A member sends a text message."""
        inner = self.message_xml(userid, "text", {"Content": content, "MsgId": str(msg_id or self.new_msg_id())})
        return await self.post(*self.sign_and_wrap(inner))

    async def image(self, userid: str, media_id: str) -> tuple[int, str]:
        """A member sends an image."""
        inner = self.message_xml(userid, "image", {"PicUrl": "http://127.0.0.1/x.jpg", "MediaId": media_id,
                                                   "MsgId": str(self.new_msg_id())})
        return await self.post(*self.sign_and_wrap(inner))

    async def press(self, userid: str, card: Sent, button: str) -> tuple[int, str]:
        """A member presses a button of a template card (template_card_event)."""
        inner = self.message_xml(userid, "event", {
            "Event": "template_card_event", "TaskId": card.body.get("task_id", ""), "CardType": "button_interaction",
            "EventKey": card.buttons[button], "ResponseCode": card.response_code or ""})
        return await self.post(*self.sign_and_wrap(inner))

    def new_msg_id(self) -> int:
        return self._msg_base + next(self._ids) * 7919

    # ---- the API ---------------------------------------------------------------------------
    def _fault(self, path: str) -> web.Response | None:
        for f in self.faults:
            if f.path == path and f.times > 0:
                f.times -= 1
                self.rejected.append((path, f.errcode or f.status or 0))
                if f.status:
                    return web.Response(status=f.status, text="fake outage")
                return web.json_response({"errcode": f.errcode, "errmsg": "fake fault"})
        return None

    def _auth(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if token not in self.tokens:
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        if not self.tokens[token]:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        return None

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.calls.append("gettoken")
        if request.query.get("corpid") != CORP_ID or request.query.get("corpsecret") != SECRET:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        token = f"tok{next(self._ids)}-{secrets.token_hex(8)}"
        self.tokens[token] = True
        self.token_fetches += 1
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    async def _send(self, request: web.Request) -> web.Response:
        self.calls.append("message/send")
        bad = self._auth(request) or self._fault("message/send")
        if bad is not None:
            return bad
        payload = json.loads(await request.read())
        msgtype = payload["msgtype"]
        if payload.get("agentid") != AGENT_ID:
            return web.json_response({"errcode": 301002, "errmsg": "agentid mismatch"})
        body = payload[msgtype]
        if msgtype in ("text", "markdown") and len(body["content"].encode()) > 2048:
            return web.json_response({"errcode": 44004, "errmsg": "content over 2048 bytes"})
        if msgtype in ("image", "file") and body.get("media_id") not in self.media:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        code = None
        if msgtype == "template_card":
            keys = [b["key"] for b in body.get("button_list", [])]
            if not 0 < len(keys) <= 6 or any(len(k.encode()) > 1024 for k in keys) or not body.get("task_id"):
                return web.json_response({"errcode": 40058, "errmsg": "bad template_card"})
            code = secrets.token_hex(8)
            self.codes[code] = True
        self.sent.append(Sent(payload["touser"], msgtype, body, code))
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": str(next(self._ids)),
                                  **({"response_code": code} if code else {})})

    async def _update(self, request: web.Request) -> web.Response:
        self.calls.append("message/update_template_card")
        bad = self._auth(request) or self._fault("message/update_template_card")
        if bad is not None:
            return bad
        payload = json.loads(await request.read())
        code = payload.get("response_code", "")
        if not self.codes.get(code):
            return web.json_response({"errcode": 40058, "errmsg": "invalid response_code"})
        self.codes[code] = False
        card = payload.get("template_card") or {"button": payload.get("button")}
        new_code = secrets.token_hex(8)
        self.codes[new_code] = True  # presses on the updated card carry a fresh code
        for userid in payload.get("userids", []):
            self.sent.append(Sent(userid, "template_card", card, new_code, updated=True))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _upload(self, request: web.Request) -> web.Response:
        self.calls.append("media/upload")
        bad = self._auth(request) or self._fault("media/upload")
        if bad is not None:
            return bad
        reader = await request.multipart()
        part = await reader.next()
        if part is None or part.name != "media":
            return web.json_response({"errcode": 41005, "errmsg": "media data missing"})
        content = bytes(await part.read())
        media_id = self.add_media(content, part.filename or "file")
        return web.json_response({"errcode": 0, "errmsg": "", "type": request.query.get("type"),
                                  "media_id": media_id, "created_at": str(int(time.time()))})

    async def _media_get(self, request: web.Request) -> web.Response:
        self.calls.append("media/get")
        bad = self._auth(request) or self._fault("media/get")
        if bad is not None:
            return bad
        item = self.media.get(request.query.get("media_id", ""))
        if item is None:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        name, content = item
        return web.Response(body=content, content_type="application/octet-stream",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

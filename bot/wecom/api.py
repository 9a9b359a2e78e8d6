"""A small async client of the WeCom server API (gettoken, message/send, media, template cards).

Errors map into bot.delivery's classes: 45009 (rate limit) → RetryLater, 5xx / -1 / network →
TransientError, anything else → PermanentError. 40014/42001 (bad or expired access_token) refresh the
token once and repeat the call. The access_token travels only in query strings and is never logged.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp

from ..delivery import PermanentError, RetryLater, TransientError

log = logging.getLogger(__name__)

TOKEN_ERRORS = {40014, 42001}  # invalid / expired access_token
RATE_ERRORS = {45009, 45033}  # API frequency over the limit; too many concurrent calls
BUSY_ERRORS = {-1}  # "system busy"
REFRESH_MARGIN_S = 300  # refresh this long before WeCom says the token expires


class WeComApi:
    """One self-built app's API calls; the token is cached per process and refreshed before expiry."""

    def __init__(self, base: str, corp_id: str, secret: str, agent_id: int, *, rate_wait_s: float = 1.0,
                 timeout_s: float = 15.0, clock=time.monotonic) -> None:
        self.base = base.rstrip("/")
        self.corp_id = corp_id
        self._secret = secret
        self.agent_id = agent_id
        self.rate_wait_s = rate_wait_s
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self._http: aiohttp.ClientSession | None = None
        self.stats = {"token_fetches": 0, "token_refreshes": 0, "calls": 0}

    def __repr__(self) -> str:  # secrets stay out of logs and tracebacks
        return f"WeComApi(base={self.base!r}, corp_id={self.corp_id!r}, agent_id={self.agent_id})"

    @property
    def http(self) -> aiohttp.ClientSession:
        """The shared HTTP session (created on first use, inside the running loop)."""
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=self.timeout)
        return self._http

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def token(self, *, stale: str | None = None) -> str:
        """A valid access_token: cached, fetched again near expiry or when `stale` was refused.

        Concurrent callers refused with the same stale token share one refresh."""
        async with self._lock:
            fresh = self._token and self.clock() < self._expires_at
            if fresh and (stale is None or stale != self._token):
                return self._token
            body = await self._request("GET", "gettoken", params={"corpid": self.corp_id, "corpsecret": self._secret})
            code = body.get("errcode", 0)
            if code:
                raise _error(code, body.get("errmsg", ""), "gettoken", self.rate_wait_s)
            self._token = str(body["access_token"])
            self._expires_at = self.clock() + max(60, int(body.get("expires_in", 7200)) - REFRESH_MARGIN_S)
            self.stats["token_fetches"] += 1
            return self._token

    async def call(self, method: str, path: str, *, json: dict | None = None, params: dict | None = None,
                   data: Any = None, raw: bool = False) -> Any:
        """One API call with the token; a stale token is refreshed once. `raw` returns file bytes."""
        refused: str | None = None
        for attempt in (1, 2):
            token = await self.token(stale=refused)
            query = {**(params or {}), "access_token": token}
            body = await self._request(method, path, params=query, json=json,
                                       data=data() if callable(data) else data, raw=raw)
            if isinstance(body, bytes):
                return body
            code = body.get("errcode", 0)
            if code in TOKEN_ERRORS and attempt == 1:
                refused = token
                self.stats["token_refreshes"] += 1
                log.info("wecom access_token rejected (%s); fetching a new one", code)
                continue
            if code:
                raise _error(code, body.get("errmsg", ""), path, self.rate_wait_s)
            return body
        raise AssertionError("unreachable")

    async def _request(self, method: str, path: str, *, params: dict, json: dict | None = None,
                       data: Any = None, raw: bool = False) -> Any:
        url = f"{self.base}/cgi-bin/{path}"
        self.stats["calls"] += 1
        try:
            async with self.http.request(method, url, params=params, json=json, data=data) as resp:
                if resp.status >= 500:
                    raise TransientError(f"{path}: HTTP {resp.status}")
                if resp.status >= 400:
                    raise PermanentError(f"{path}: HTTP {resp.status}")
                content = await resp.read()
                if raw and not resp.content_type.endswith("json"):
                    return content
                try:
                    import json as jsonlib

                    return jsonlib.loads(content)
                except ValueError as exc:
                    raise TransientError(f"{path}: answer is not JSON") from exc
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise TransientError(f"{path}: {type(exc).__name__}") from exc

    # ---- the calls the bot makes ----------------------------------------------------------
    async def send(self, userid: str, msgtype: str, content: dict) -> dict:
        """message/send to one member; returns WeCom's answer (msgid, response_code)."""
        payload = {"touser": userid, "msgtype": msgtype, "agentid": self.agent_id, msgtype: content}
        return await self.call("POST", "message/send", json=payload)

    async def update_card(self, userid: str, response_code: str, *, card: dict | None = None,
                          replace_name: str | None = None) -> dict:
        """message/update_template_card: replace the pressed card, or grey its buttons out."""
        payload: dict[str, Any] = {"userids": [userid], "agentid": self.agent_id, "response_code": response_code}
        if card is not None:
            payload["template_card"] = card
        else:
            payload["button"] = {"replace_name": replace_name or "已处理"}
        return await self.call("POST", "message/update_template_card", json=payload)

    async def upload(self, kind: str, filename: str, content: bytes) -> str:
        """media/upload (kind image|file); returns the media_id (valid three days)."""
        def form() -> aiohttp.FormData:  # a fresh body for each attempt: a form is sent only once
            f = aiohttp.FormData()
            f.add_field("media", content, filename=filename, content_type="application/octet-stream")
            return f

        body = await self.call("POST", "media/upload", params={"type": kind}, data=form)
        return str(body["media_id"])

    async def media(self, media_id: str) -> bytes:
        """media/get: the bytes of a file a member sent (its media_id is valid three days)."""
        data = await self.call("GET", "media/get", params={"media_id": media_id}, raw=True)
        if not isinstance(data, bytes):
            raise PermanentError("media/get returned no file")
        return data


def _error(code: int, message: str, path: str, rate_wait_s: float) -> Exception:
    text = f"{path}: errcode {code} {message}"[:300]
    if code in RATE_ERRORS:
        return RetryLater(rate_wait_s, text)
    if code in BUSY_ERRORS:
        return TransientError(text)
    return PermanentError(text)

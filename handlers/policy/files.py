"""Getting the bytes of a file a user sent: adapters may register a fetcher per platform; without one,
the console reads a local path and Telegram files come through the Bot API (getFile + download)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from handlers.types import Attachment

Fetcher = Callable[[str], Awaitable[bytes]]
FETCHERS: dict[str, Fetcher] = {}


def set_fetcher(platform: str, fetcher: Fetcher | None) -> None:
    """Register (or remove with None) how to download a file_id on a platform."""
    if fetcher is None:
        FETCHERS.pop(platform, None)
    else:
        FETCHERS[platform] = fetcher


async def fetch(platform: str, att: Attachment, settings) -> bytes:
    """The attachment's bytes; raises OSError/ValueError when it cannot be had."""
    fetcher = FETCHERS.get(platform)
    if fetcher is not None:
        return await fetcher(att.file_id)
    if platform == "console" and att.file_id.startswith("console:"):
        path = Path(att.file_id[len("console:"):]).expanduser()
        if not path.is_file():
            raise FileNotFoundError(str(path))
        return path.read_bytes()
    if platform == "telegram":
        return await _bot_api_download(settings, att.file_id)
    raise ValueError(f"no way to fetch files on {platform}")


async def _bot_api_download(settings, file_id: str) -> bytes:
    import aiohttp

    token = getattr(settings, "bot_token", None)
    token = token.get_secret_value() if token is not None else ""
    if not token:
        raise ValueError("no bot token")
    base = getattr(settings, "telegram_api_base", "https://api.telegram.org").rstrip("/")
    proxy = getattr(settings, "proxy", None)
    connector = None
    if proxy and proxy.startswith("socks"):
        from aiohttp_socks import ProxyConnector

        connector = ProxyConnector.from_url(proxy)
        proxy = None
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        async with http.get(f"{base}/bot{token}/getFile", params={"file_id": file_id}, proxy=proxy) as r:
            body = await r.json()
        if not body.get("ok"):
            raise OSError(f"getFile failed: {body.get('description')}")
        path = body["result"]["file_path"]
        async with http.get(f"{base}/file/bot{token}/{path}", proxy=proxy) as r:
            if r.status != 200:
                raise OSError(f"download failed: HTTP {r.status}")
            return await r.read()

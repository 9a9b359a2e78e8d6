"""Getting the bytes of a file a user sent: the Telegram runner registers its framework's download;
the console reads a local path."""
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
    raise ValueError(f"no way to fetch files on {platform}")


"""Getting the bytes of a file a user sent: the running channel's FileFetcher (a port the adapter
provides to the Dispatcher); the console reads a local path."""
from __future__ import annotations

from pathlib import Path

from handlers.context import Context
from handlers.types import Attachment


async def fetch(ctx: Context, att: Attachment) -> bytes:
    """The attachment's bytes; raises OSError/ValueError when it cannot be had."""
    platform = ctx.inc.platform
    fetcher = ctx.ports.files.get(platform)
    if fetcher is not None:
        return await fetcher(att.file_id)
    if platform == "console" and att.file_id.startswith("console:"):
        path = Path(att.file_id[len("console:"):]).expanduser()
        if not path.is_file():
            raise FileNotFoundError(str(path))
        return path.read_bytes()
    raise ValueError(f"no way to fetch files on {platform}")

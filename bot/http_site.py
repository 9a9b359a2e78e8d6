"""Starting the bot's own aiohttp servers (the Telegram webhook, the WeCom callback) the same way."""
from __future__ import annotations

from aiohttp import web


async def start_site(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Listen on host:port (0 picks a free port); returns the runner to clean up and the bound port.

    Signals stay with our own runner loop, there is no access log (it would carry callback query strings),
    and a stop waits at most a second for open requests.
    """
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

"""`pandeng run` and webhook subcommands (the Telegram area)."""
from __future__ import annotations

import sys


def _run(args, settings) -> int:
    """Start the Telegram bot."""
    print("Telegram 运行时尚未实现。", file=sys.stderr)
    return 1


def register(sub) -> None:
    """Add the Telegram subcommands."""
    p = sub.add_parser("run", help="启动 Telegram 机器人（长轮询或 webhook）")
    p.add_argument("--framework", choices=["aiogram", "ptb"], default=None)
    p.add_argument("--webhook", metavar="URL", default=None)
    p.set_defaults(func=_run)

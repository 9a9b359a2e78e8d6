"""`pandeng run`, `pandeng webhook info|delete` and `pandeng outbox` (the Telegram area)."""
from __future__ import annotations

import asyncio
import logging
import sys


def _run(args, settings) -> int:
    """Start the bot on its channel: Telegram (polling or --webhook URL) or the WeCom app callback."""
    channel = args.channel or settings.channel
    if channel == "wecom":
        return _run_wecom(args, settings)
    from .runner import BotRunner

    framework = args.framework or settings.framework
    if args.webhook and not args.webhook.startswith("https://") and not args.allow_http:
        print("Telegram 只向 HTTPS 地址推送 webhook，请提供 https:// 开头的 URL。", file=sys.stderr)
        return 2
    try:
        runner = BotRunner(settings, framework=framework, webhook_url=args.webhook, outbox=not args.no_outbox,
                           scheduler=not args.no_scheduler)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    async def forever() -> None:
        try:
            await runner.run_forever()
        except Exception:
            try:  # close the HTTP sessions a failed start left open (no "Unclosed client session" noise)
                await runner.stop()
            except Exception:  # noqa: BLE001
                logging.getLogger(__name__).debug("stop after a failed start", exc_info=True)
            raise

    try:
        asyncio.run(forever())
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # noqa: BLE001 (only network failures are explained; the rest re-raise)
        if not unreachable(exc):
            raise
        logging.getLogger(__name__).debug("Telegram API unreachable", exc_info=True)
        print(UNREACHABLE.format(base=settings.telegram_api_base), file=sys.stderr)
        return 3
    return 0


UNREACHABLE = ("无法连接 Telegram 服务器（{base}）：请检查网络；如需代理，请设置 PANDENG_PROXY（如 socks5://127.0.0.1:1080），"
               "或用 PANDENG_TELEGRAM_API_BASE 指向可访问的 Bot API 地址。")
_NETWORK_ERRORS = {"TelegramNetworkError", "NetworkError", "TimedOut", "ClientConnectorError", "ClientConnectionError",
                   "ConnectError", "ConnectTimeout", "ServerDisconnectedError", "ProxyError"}


def unreachable(exc: BaseException | None) -> bool:
    """True when the error (or what caused it) is a failure to reach the Bot API server."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (OSError, TimeoutError)) or type(exc).__name__ in _NETWORK_ERRORS:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _run_wecom(args, settings) -> int:
    """Start the 企业微信 / 政务微信 channel: callback server on PANDENG_WEBHOOK_HOST:PORT/wecom/callback."""
    from .wecom.runner import WeComRunner

    try:
        runner = WeComRunner(settings, outbox=not args.no_outbox, scheduler=not args.no_scheduler)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        asyncio.run(runner.run_forever())
    except KeyboardInterrupt:
        pass
    return 0


async def _with_adapter(settings, framework: str, action):
    from .runner import make_adapter

    async def ignore(_inc) -> None:
        return None

    adapter = make_adapter(framework, settings, ignore)
    try:
        await adapter.start()
        return await action(adapter)
    finally:
        await adapter.close()


def _webhook(args, settings) -> int:
    """Show or remove the webhook registered at Telegram."""
    framework = args.framework or settings.framework

    async def act(adapter):
        if args.webhook_command == "delete":
            await adapter.delete_webhook()
        return await adapter.webhook_info()

    try:
        info = asyncio.run(_with_adapter(settings, framework, act))
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.webhook_command == "delete":
        print("已删除 webhook，可改用长轮询（pandeng run）。")
    print(f"webhook 地址：{info['url'] or '（未设置）'}；待处理更新：{info['pending_update_count']} 条")
    if info.get("last_error_message"):
        print(f"最近一次推送错误：{info['last_error_message']}")
    return 0


def _outbox(args, settings) -> int:
    """Outbox counts by status, retries in progress, the give-up cap; --retry-failed re-queues."""
    from .outbox_report import outbox_report

    return outbox_report(args, settings)


def register(sub) -> None:
    """Add the Telegram subcommands."""
    p = sub.add_parser("run", help="启动机器人：Telegram（长轮询或 webhook）或企业微信应用（--channel wecom）")
    p.add_argument("--channel", choices=["telegram", "wecom"], default=None,
                   help="telegram（默认）或 wecom（企业微信 / 政务微信自建应用）；也可用 PANDENG_CHANNEL")
    p.add_argument("--framework", choices=["aiogram", "ptb"], default=None,
                   help="aiogram（默认）或 python-telegram-bot；也可用 PANDENG_FRAMEWORK")
    p.add_argument("--webhook", metavar="URL", default=None,
                   help="以 webhook 方式运行：Telegram 推送到该 HTTPS 地址（本机监听 PANDENG_WEBHOOK_HOST:PORT）")
    p.add_argument("--allow-http", action="store_true", help=argparse_suppress())
    p.add_argument("--no-outbox", action="store_true", help="不在本进程发送通知（由其他进程发送时）")
    p.add_argument("--no-scheduler", action="store_true", help="不在本进程运行提醒调度（由 pandeng scheduler run 运行时）")
    p.set_defaults(func=_run)

    w = sub.add_parser("webhook", help="查看或删除 Telegram 上登记的 webhook")
    w.add_argument("--framework", choices=["aiogram", "ptb"], default=None)
    wsub = w.add_subparsers(dest="webhook_command", required=True)
    wsub.add_parser("info", help="查看 webhook 状态").set_defaults(func=_webhook)
    wsub.add_parser("delete", help="删除 webhook（改回长轮询前需要）").set_defaults(func=_webhook)

    o = sub.add_parser("outbox", help="查看通知发送队列")
    o.add_argument("--list", type=int, nargs="?", const=20, default=0, metavar="N", help="列出最近 N 条通知（默认 20）")
    o.add_argument("--retry-failed", action="store_true", help="把“发送失败”的通知重新排队（Bot API 恢复后使用）")
    o.set_defaults(func=_outbox)


def argparse_suppress():
    """Hidden option (for tests against a local fake server)."""
    import argparse

    return argparse.SUPPRESS

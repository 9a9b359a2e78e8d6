"""The `pandeng` command line: config, db, demo data, imports, the console chat and the bot."""
from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
from pathlib import Path
import sys

from pydantic import SecretStr

from .settings import Settings, get_settings

# Each area adds its own subcommands through a register(subparsers) function.
AREA_MODULES = ("bot.cli_telegram", "bot.cli_policy", "bot.cli_reports", "bot.scheduler", "bot.cli_power",
                "bot.cli_calendar", "bot.cli_ops")


def _config(args, settings: Settings) -> int:
    """Print the effective settings, secrets masked."""
    for key, value in settings.masked().items():
        print(f"{key}={value}")
    return 0


def _db_upgrade(args, settings: Settings) -> int:
    """Migrate the database to the newest schema."""
    from storage.db import Database

    async def run() -> str | None:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await db.current_revision()
        finally:
            await db.dispose()

    print(f"数据库已升级到最新结构（{asyncio.run(run())}）。")
    return 0


def _demo(args, settings: Settings) -> int:
    """Add the fictional demo data."""
    from storage.db import Database

    from .demo import seed_everything

    async def run():
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await seed_everything(db, history=settings.demo_history)
        finally:
            await db.dispose()

    refs, docs = asyncio.run(run())
    handbook = f"，导入演示政策汇编 {docs} 份文件" if docs else ""
    print(f"演示数据已就绪：{len(refs.enterprise_ids)} 家企业，{len(refs.user_ids)} 名用户{handbook}。")
    return 0


def _import(args, settings: Settings) -> int:
    """Import enterprises or users from an xlsx/csv file; all rows or none."""
    from storage.db import Database
    from storage.importer import DirectoryImportError, import_file

    async def run() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            async with db.session() as session:
                return await import_file(session, args.kind, args.file)
        finally:
            await db.dispose()

    try:
        result = asyncio.run(run())
    except DirectoryImportError as exc:
        print(f"导入失败，未导入任何数据：\n{exc}", file=sys.stderr)
        return 1
    except FileNotFoundError:
        print(f"找不到文件：{args.file}", file=sys.stderr)
        return 1
    label = "企业" if args.kind == "enterprises" else "人员"
    print(f"导入成功：共 {result.total} 条{label}记录（新增 {result.created} 条，更新 {result.updated} 条）。")
    return 0


def _console(args, settings: Settings) -> int:
    """The terminal chat."""
    from .console import log_to_file, run_console

    log_to_file(Path("pandeng-console.log"))  # warnings go to the log, not into the chat transcript

    return asyncio.run(run_console(settings, demo=args.demo, role=args.as_role))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="pandeng", description="攀登助手：干部助企攀登聊天助手")
    parser.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("config", help="显示当前生效的配置（密钥已隐藏）").set_defaults(func=_config)

    db = sub.add_parser("db", help="数据库维护").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="升级数据库结构到最新版本").set_defaults(func=_db_upgrade)

    sub.add_parser("demo", help="添加演示数据（虚构企业与各角色用户）").set_defaults(func=_demo)

    imp = sub.add_parser("import", help="从 Excel/CSV 导入名录").add_subparsers(dest="kind", required=True)
    for kind, label in (("enterprises", "企业名录"), ("users", "人员名录")):
        p = imp.add_parser(kind, help=f"导入{label}（xlsx 或 csv，中文表头）")
        p.add_argument("file")
        p.set_defaults(func=_import)

    con = sub.add_parser("console", help="终端聊天（与 Telegram 走同一套处理逻辑）")
    con.add_argument("--demo", action="store_true", help="先添加演示数据")
    con.add_argument("--as", dest="as_role", default="cadre", choices=["cadre", "handler", "reviewer", "admin"],
                     help="以哪个角色的演示用户登录")
    con.set_defaults(func=_console)

    for name in AREA_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `pandeng` console script."""
    from .logsetup import configure

    args = build_parser().parse_args(argv)
    configure(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        settings = get_settings()
    except Exception as exc:  # pydantic validation of PANDENG_* variables
        print(f"配置有误：{exc}", file=sys.stderr)
        return 2
    # Every SecretStr setting (bot token, webhook secret, any WeCom secret added later) is redacted literally.
    secrets = tuple(v.get_secret_value() for v in (getattr(settings, n) for n in type(settings).model_fields)
                    if isinstance(v, SecretStr))
    configure(logging.DEBUG if args.verbose else settings.log_level, json_lines=settings.log_json, secrets=secrets)
    try:
        return int(args.func(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        logging.getLogger(__name__).debug("database error", exc_info=True)
        if not _is_connection_error(exc):
            # The database is reachable but refused this statement: say what it refused, not "cannot connect".
            print(f"数据库拒绝了这次操作（{_masked_url(settings)}）：{_first_line(exc)}\n"
                  "数据库连接正常，未做任何更改。请检查输入数据（如不可见的控制字符、过长的内容）后重试。", file=sys.stderr)
            return 1
        print(f"无法连接或打开数据库 {_masked_url(settings)}：{exc.__class__.__name__}: {_first_line(exc)}\n"
              "请检查 PANDENG_DATABASE_URL（示例：sqlite+aiosqlite:///./pandeng.db 或 "
              "postgresql+asyncpg://用户:密码@主机/库名）以及数据库服务是否已启动。", file=sys.stderr)
        return 2


def _is_database_error(exc: BaseException) -> bool:
    """Connection and URL problems that deserve one clear line instead of a traceback."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

    if isinstance(exc, (ArgumentError, NoSuchModuleError, OperationalError, DBAPIError, ConnectionError, OSError)):
        return True
    return type(exc).__module__.startswith("asyncpg")


def _is_connection_error(exc: BaseException) -> bool:
    """Reaching or opening the database failed (as opposed to a statement it refused)."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    if isinstance(exc, (ArgumentError, NoSuchModuleError, ConnectionError, OSError)):
        return True
    orig = getattr(exc, "orig", None) if isinstance(exc, DBAPIError) else exc
    cause = getattr(orig, "__cause__", None) or orig
    if isinstance(cause, (ConnectionError, OSError)):
        return True
    name = type(cause).__name__
    text = str(exc).lower()
    return (name in ("InvalidCatalogNameError", "InvalidPasswordError", "InvalidAuthorizationSpecificationError",
                     "CannotConnectNowError", "TooManyConnectionsError", "ConnectionDoesNotExistError")
            or "unable to open database" in text or "could not connect" in text or "connection refused" in text)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return f"{type(orig).__name__}: {str(orig).strip().splitlines()[0] if str(orig).strip() else ''}"[:300]


def _masked_url(settings: Settings) -> str:
    return settings.masked()["PANDENG_DATABASE_URL"]


if __name__ == "__main__":
    sys.exit(main())

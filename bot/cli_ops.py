"""Operator commands: `pandeng health` (the /healthz report), `pandeng backup FILE`, `pandeng restore FILE`."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

CORE_TABLES = ("users", "enterprises", "appeals", "outbox", "policy_docs", "supply_posts")


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


PG_HINT = ("当前是 PostgreSQL 数据库：请用 PostgreSQL 自带的工具备份和恢复（见 README“部署 · 备份与恢复”）：\n"
           "  备份：pg_dump -Fc -d <库名> -f pandeng.dump\n"
           "  恢复到空库：createdb <新库名> && pg_restore --no-owner -d <新库名> pandeng.dump")


def _health(args, settings) -> int:
    """Print the health report as JSON; exit 0 when the database answers (the container health check)."""
    from storage.db import Database
    from storage.health import health_report
    from storage.models import utcnow

    async def run() -> dict:
        db = Database(settings.database_url)
        try:
            return await health_report(db, utcnow())
        finally:
            await db.dispose()

    report = asyncio.run(run())
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if report["status"] != "down" else 1


def _backup(args, settings) -> int:
    """SQLite online backup (consistent while the bot runs); PostgreSQL: how to use pg_dump."""
    source = _sqlite_path(settings.database_url)
    if source is None:
        print(PG_HINT, file=sys.stderr)
        return 2
    if not source.is_file():
        print(f"找不到数据库文件：{source}", file=sys.stderr)
        return 1
    target = Path(args.file)
    if target.exists():
        print(f"备份文件已存在：{target}。为防覆盖，请换一个文件名。", file=sys.stderr)
        return 1
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # SQLite's online backup API: a consistent copy even with writers (WAL) running
    finally:
        dst.close()
        src.close()
    print(f"已备份到 {target}（{target.stat().st_size / 1024:.0f} KB）：{_summary(target)}。")
    return 0


def _summary(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        counts = [(t, con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in CORE_TABLES if t in names]
    finally:
        con.close()
    return "，".join(f"{t} {n} 行" for t, n in counts)


def _check_backup(path: Path) -> str | None:
    """None when `path` is a sound pandeng SQLite backup; else the Chinese reason."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return "备份文件已损坏（完整性检查未通过）"
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return f"不是有效的 SQLite 备份文件（{exc}）"
    if "alembic_version" not in names or "users" not in names:
        return "不是攀登助手的数据库备份"
    return None


def _is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return all(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] == 0 for t in CORE_TABLES if t in names)
    finally:
        con.close()


def _restore(args, settings) -> int:
    """Restore a SQLite backup into an empty database, then migrate it to the current schema."""
    from storage.db import Database

    target = _sqlite_path(settings.database_url)
    if target is None:
        print(PG_HINT, file=sys.stderr)
        return 2
    source = Path(args.file)
    if not source.is_file():
        print(f"找不到备份文件：{source}", file=sys.stderr)
        return 1
    problem = _check_backup(source)
    if problem:
        print(f"无法恢复：{problem}。未做任何更改。", file=sys.stderr)
        return 1
    if not _is_empty(target):
        print(f"无法恢复：目标数据库 {target} 已有数据。请把 PANDENG_DATABASE_URL 指向一个新的（空的）数据库文件。未做任何更改。",
              file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()

    async def upgrade() -> str | None:
        db = Database(settings.database_url)
        try:
            await db.upgrade()  # a backup from an older version gets today's schema
            return await db.current_revision()
        finally:
            await db.dispose()

    revision = asyncio.run(upgrade())
    print(f"已从 {source} 恢复到 {target}（数据库结构 {revision}）：{_summary(target)}。")
    return 0


def register(sub) -> None:
    """Add health, backup and restore."""
    sub.add_parser("health", help="检查数据库、通知积压和定时任务（JSON，用于容器健康检查）").set_defaults(func=_health)
    p = sub.add_parser("backup", help="备份数据库（SQLite 在线备份；PostgreSQL 用 pg_dump）")
    p.add_argument("file")
    p.set_defaults(func=_backup)
    p = sub.add_parser("restore", help="把备份恢复到一个空数据库")
    p.add_argument("file")
    p.set_defaults(func=_restore)

"""The operator's kit: backup/restore round trip, pandeng health, /healthz and /metrics, one log line per update."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from bot.observability import Metrics
from bot.webhook import WebhookServer
from handlers.dispatcher import Dispatcher
from storage.health import HEARTBEAT_KEY, health_report, record_tick
from storage.models import Appeal, Outbox, User, utcnow
from storage.models.reminders import SchedulerRun
from tests.chat import ChatDriver, text_of

from .test_appeals_kit import file_quick

ROOT = Path(__file__).parent.parent


def _cli(*args, url: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PANDENG_DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_backup_and_restore_round_trip(tmp_path):
    live = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    assert _cli("demo", url=live).returncode == 0
    r = _cli("console", "--as", "cadre", url=live)  # nothing typed: the console just exits
    backup = tmp_path / "backup.db"
    r = _cli("backup", str(backup), url=live)
    assert r.returncode == 0 and "已备份到" in r.stdout and "users" in r.stdout, r.stderr
    assert _cli("backup", str(backup), url=live).returncode == 1  # never overwrites
    fresh = f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
    r = _cli("restore", str(backup), url=fresh)
    assert r.returncode == 0 and "已从" in r.stdout, r.stderr

    import sqlite3

    def dump(path: Path) -> dict:
        con = sqlite3.connect(path)
        try:
            names = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"'))) for n in names}
        finally:
            con.close()

    assert dump(tmp_path / "live.db") == dump(tmp_path / "restored.db")
    r = _cli("restore", str(backup), url=fresh)  # the target now has data
    assert r.returncode == 1 and "已有数据" in r.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(5000))
    r = _cli("restore", str(junk), url=f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    assert r.returncode == 1 and "无法恢复" in r.stderr and not (tmp_path / "other.db").exists()
    r = _cli("backup", str(tmp_path / "pg.dump"), url="postgresql+asyncpg://u:secret@127.0.0.1:1/x")
    assert r.returncode == 2 and "pg_dump" in r.stderr and "secret" not in r.stderr


async def test_health_report_and_heartbeat(demo):
    db, refs = demo
    now = utcnow()
    report = await health_report(db, now)
    assert report["status"] == "ok" and report["database"] == "ok" and report["scheduler_last_tick"] is None
    async with db.session() as s:
        await record_tick(s, now - timedelta(minutes=20))
        s.add(Outbox(user_id=refs.user_ids["张伟"], text="x", status="pending", attempts=0,
                     next_attempt_at=now, created_at=now - timedelta(minutes=30)))
    async with db.session() as s:
        await record_tick(s, now - timedelta(minutes=20))  # updated, not duplicated
        assert await s.scalar(select(func.count()).select_from(SchedulerRun).where(SchedulerRun.key == HEARTBEAT_KEY)) == 1
    report = await health_report(db, now)
    assert report["status"] == "degraded" and report["outbox_pending"] == 1
    assert 1790 < report["oldest_pending_age_s"] < 1810 and 1190 < report["scheduler_age_s"] < 1210
    assert "通知积压超过10分钟" in report["problems"] and "定时任务超过15分钟未运行" in report["problems"]


async def test_healthz_and_metrics_over_http(demo, caplog):
    db, refs = demo
    metrics = Metrics(db)
    chat = ChatDriver(db)
    chat.dispatcher.observers.append(metrics.observe)
    caplog.set_level(logging.INFO, logger="pandeng.updates")
    await file_quick(chat, refs.user_ids["张伟"])
    await chat.send(refs.user_ids["王建国"], "/stats")
    await chat.press(refs.user_ids["张伟"], "ap:v:²")  # refused before any handler: capability "none"
    lines = [r for r in caplog.records if r.name == "pandeng.updates"]
    assert len(lines) == 3 and [r.capability for r in lines] == ["appeals", "stats", "none"]
    assert all("企业流动资金" not in r.getMessage() for r in lines)  # no message text in the log
    server = WebhookServer(lambda update: None, "/tg", "s3cret", "127.0.0.1", 0, metrics=metrics)
    port = await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                body = await resp.json()
                assert resp.status == 200 and body["database"] == "ok" and "outbox_pending" in body
            async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
                text = await resp.text()
    finally:
        await server.stop()
    assert 'pandeng_updates_total{capability="appeals",outcome="ok"} 1.0' in text
    assert 'pandeng_updates_total{capability="none",outcome="ok"} 1.0' in text
    assert 'pandeng_updates_total{capability="stats",outcome="ok"} 1.0' in text
    assert 'pandeng_handler_seconds_count{capability="appeals"} 1.0' in text
    assert "pandeng_outbox_rows{status=\"pending\"}" in text and "pandeng_database_up 1.0" in text
    assert "pandeng_reminders_queued 0.0" in text

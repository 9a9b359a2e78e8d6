"""`pandeng run` as a real process and `pandeng webhook` against the fake, via PANDENG_* settings."""
from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakebot.harness import fake, tg_db, tg_db_url  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


def env_for(fake, db_url: str, **extra) -> dict[str, str]:
    """Environment pointing the bot at the fake server."""
    env = dict(os.environ)
    env.update(PANDENG_BOT_TOKEN=fake.token, PANDENG_TELEGRAM_API_BASE=fake.base_url,
               PANDENG_DATABASE_URL=db_url, PYTHONPATH=str(ROOT), **extra)
    env.pop("PANDENG_PROXY", None)
    return env


async def test_pandeng_run_process_polls_and_stops_on_sigterm(fake, tg_db_url):
    fake.add_user(4242)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--framework", "ptb", cwd=ROOT,
        env=env_for(fake, tg_db_url), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await fake.send_text(4242, "/start")
        [msg] = await fake.wait_messages(4242, 1, timeout=30)
        assert "尚未登记" in msg.text
        assert "help" in {c["command"] for c in fake.commands["default::"]}
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err.decode()
    assert "攀登助手已启动" in out.decode() and "已停止" in out.decode()


async def test_webhook_info_and_delete(fake, tg_db_url, monkeypatch):
    from bot import cli
    from bot.settings import get_settings

    for key, value in env_for(fake, tg_db_url).items():
        if key.startswith("PANDENG_"):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    fake.state.webhook = {"url": "https://example.org/hook", "secret_token": "x"}
    try:
        code = await asyncio.to_thread(cli.main, ["webhook", "delete"])
        assert code == 0 and fake.webhook["url"] == ""
        assert [c.method for c in fake.calls()][-2:] == ["deleteWebhook", "getWebhookInfo"]
        code = await asyncio.to_thread(cli.main, ["webhook", "--framework", "ptb", "info"])
        assert code == 0
    finally:
        get_settings.cache_clear()


def test_run_refuses_plain_http_webhook(capsys, monkeypatch):
    from bot import cli

    monkeypatch.setenv("PANDENG_BOT_TOKEN", "1:x")
    from bot.settings import get_settings

    get_settings.cache_clear()
    try:
        assert cli.main(["run", "--webhook", "http://example.org/hook"]) == 2
    finally:
        get_settings.cache_clear()
    assert "HTTPS" in capsys.readouterr().err

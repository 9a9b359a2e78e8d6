"""Fixtures for the Telegram tests: migrated databases (SQLite file / PostgreSQL copy)."""
from __future__ import annotations

import asyncio
import shutil
import uuid

import pytest

from storage.db import Database


def _pg_create(template: str) -> str:
    from tests.conftest import _pg_exec

    name = f"pandeng_tg_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    return name


@pytest.fixture
def tg_db_url(request, tmp_path):
    """URL of a fresh migrated SQLite file (or, with indirect param 'pg', a PostgreSQL copy)."""
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        # Sync fixture: the session-scoped template is built outside any running event loop.
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "pandeng.db"
        shutil.copy(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    from tests.conftest import _pg_db_url, _pg_exec

    name = _pg_create(request.getfixturevalue("pg_template"))
    yield _pg_db_url(name)
    asyncio.run(_pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def tg_db(tg_db_url):
    """A Database on tg_db_url, disposed after the test."""
    db = Database(tg_db_url)
    yield db
    await db.dispose()


@pytest.fixture
async def tg_demo(tg_db):
    """tg_db with the demo data; returns (db, refs)."""
    from storage.demo import seed_demo

    async with tg_db.session() as session:
        refs = await seed_demo(session)
    return tg_db, refs


FRAMEWORKS = ["aiogram", "ptb"]
FAST_OUTBOX = {"idle_s": 0.05, "backoff_base_s": 0.05, "lease_s": 5.0}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for webhook URLs that must name the port)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_settings(fake, framework: str, **extra):
    """Settings pointing the bot at the fake server."""
    from bot.settings import Settings

    return Settings(_env_file=None, bot_token=fake.token, telegram_api_base=fake.base_url,
                    framework=framework, proxy=None, webhook_host="127.0.0.1", **extra)


async def start_bot(fake, db, framework: str, *, webhook_url: str | None = None, outbox: bool = True,
                    clock=None, **extra):
    """A started BotRunner (real framework stack) talking to the fake over HTTP.

    Its clock starts on a fixed Monday and runs in real time (tests.chat.RunningClock), never the
    machine's date: policy windows, deadlines and send windows must not age with the suite.
    """
    from bot.runner import BotRunner
    from tests.chat import RunningClock

    settings = bot_settings(fake, framework, **extra)
    runner = BotRunner(settings, framework=framework, db=db, webhook_url=webhook_url, outbox=outbox,
                       polling_timeout=1, outbox_options=dict(FAST_OUTBOX), clock=clock or RunningClock())
    await runner.start()
    return runner


@pytest.fixture
async def fake():
    """A started fake Bot API server."""
    from tests.fakebot import FakeBotServer

    server = await FakeBotServer().start()
    yield server
    await server.stop()


async def bind(db, name: str, telegram_id: int) -> int:
    """Bind a demo user (by name) to a Telegram id directly in the database; returns users.id."""
    from sqlalchemy import select

    from storage.models import PlatformAccount, User

    async with db.session() as s:
        user = (await s.scalars(select(User).where(User.name == name))).unique().one()
        s.add(PlatformAccount(platform="telegram", external_id=str(telegram_id), user_id=user.id))
        return user.id

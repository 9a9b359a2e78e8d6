"""Shared fixtures: real SQLite files and real PostgreSQL databases, migrated and optionally seeded."""
from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from storage.db import Database

PG_URL = os.environ.get("PANDENG_TEST_PG_URL")  # e.g. postgresql+asyncpg://postgres@127.0.0.1:55432/postgres


def run_blocking(coro_fn) -> object:
    """Run a coroutine to completion from sync code, even when an event loop is already running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn())).result()


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


# Files whose tests run the bot as it runs for users: real framework stacks over HTTP, `pandeng`
# subprocesses, the console. `.ci/run` runs this tier once more under a faked far-future date.
E2E_FILE_WORDS = ("telegram", "wecom", "_cli", "console", "calendar_table", "kill", "workers")


def pytest_collection_modifyitems(config, items):
    """Mark the end-to-end tier by file name (`-m e2e` selects it)."""
    for item in items:
        if any(word in item.path.name for word in E2E_FILE_WORDS):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def fresh_calendar_copy():
    """Each test starts with no calendar table loaded: the process copy belongs to one database only."""
    from storage import workdays

    workdays.load_table([], None)
    yield
    workdays.load_table([], None)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("tpl") / "template.db"

    async def build() -> None:
        db = Database(_sqlite_url(path))
        await db.upgrade()
        await db.dispose()

    run_blocking(build)
    return path


def _pg_admin_url() -> str:
    assert PG_URL is not None
    return PG_URL.replace("postgresql+asyncpg://", "postgresql://")


def _pg_db_url(name: str) -> str:
    assert PG_URL is not None
    base, _, _ = PG_URL.rpartition("/")
    return f"{base}/{name}"


async def _pg_exec(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_url())
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_template() -> str:
    """A migrated PostgreSQL template database; each test gets a fresh copy of it."""
    if PG_URL is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: set PANDENG_TEST_PG_URL")
        pytest.skip("PANDENG_TEST_PG_URL not set")
    name = f"pandeng_tpl_{os.getpid()}"

    async def build() -> None:
        await _pg_exec(f'DROP DATABASE IF EXISTS "{name}"')
        await _pg_exec(f'CREATE DATABASE "{name}"')
        db = Database(_pg_db_url(name))
        await db.upgrade()
        await db.dispose()

    run_blocking(build)
    yield name
    run_blocking(lambda: _pg_exec(f'DROP DATABASE IF EXISTS "{name}"'))


@pytest.fixture
async def sqlite_db(tmp_path, sqlite_template):
    """A fresh, migrated SQLite database file."""
    path = tmp_path / "pandeng.db"
    shutil.copy(sqlite_template, path)
    db = Database(_sqlite_url(path))
    yield db
    await db.dispose()


@pytest.fixture
async def pg_db(pg_template):
    """A fresh, migrated PostgreSQL database (copied from the template)."""
    name = f"pandeng_t_{uuid.uuid4().hex[:12]}"
    await _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    db = Database(_pg_db_url(name))
    yield db
    await db.dispose()
    await _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db(request):
    """The same test on a real SQLite file and on a real PostgreSQL server."""
    fixture = "sqlite_db" if request.param == "sqlite" else "pg_db"
    return request.getfixturevalue(fixture)


@pytest.fixture
async def demo(db):
    """The database with the demo data seeded; returns (db, refs)."""
    from storage.demo import seed_demo

    async with db.session() as session:
        refs = await seed_demo(session)
    return db, refs

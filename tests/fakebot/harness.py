"""Fixtures for the Telegram tests: migrated databases (SQLite file / PostgreSQL copy)."""
from __future__ import annotations

import asyncio
import shutil
import uuid

import pytest

from storage.db import Database


def _pg_create(template: str) -> str:
    from tests.conftest import _pg_db_url, _pg_exec

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

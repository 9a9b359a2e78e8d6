"""Engine, sessions and schema upgrades for SQLite (default) and PostgreSQL."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL for concurrent readers, foreign keys on, and a busy timeout instead of instant errors."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
    # Let SQLAlchemy emit BEGIN itself (below): pysqlite's own lazy BEGIN comes after a SAVEPOINT,
    # whose RELEASE would then commit on its own (the documented pysqlite transaction recipe).
    dbapi_conn.isolation_level = None


def _sqlite_begin(conn) -> None:
    """BEGIN IMMEDIATE at the start of every transaction: take the write lock now.

    A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when another
    process committed in between (busy_timeout cannot help); IMMEDIATE queues it behind the writer
    instead. Readers in WAL mode are not blocked by it. execution option sqlite_deferred=True opts out.
    """
    deferred = conn.get_execution_options().get("sqlite_deferred", False)
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


class Database:
    """One database: an async engine, a session factory and the migration runner."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict = {"echo": echo}
        if not self.is_sqlite:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error.

        On SQLite the transaction takes the write lock at BEGIN (see _sqlite_begin), so a
        read-then-write transaction never meets another process's commit halfway; read_only=True
        starts a plain deferred transaction that does not wait for writers.
        """
        async with self.sessionmaker() as session:
            async with session.begin():
                if read_only and self.is_sqlite:
                    await session.connection(execution_options={"sqlite_deferred": True})
                yield session

    async def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (an empty or older database included)."""
        from alembic import command

        async with self.engine.begin() as conn:
            await conn.run_sync(lambda sync_conn: command.upgrade(_alembic_config(sync_conn), revision))

    async def current_revision(self) -> str | None:
        """The Alembic revision the database is at, or None when never migrated."""
        from alembic.runtime.migration import MigrationContext

        async with self.engine.connect() as conn:
            return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def _alembic_config(connection):
    """An Alembic config that runs on an already open connection (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg

"""Shared helpers for the security tests (no tests here): a whole-database snapshot."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import Base


async def db_snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table, as sorted tuples of strings; equal snapshots mean nothing changed."""
    out: dict[str, list[tuple]] = {}
    async with db.session() as s:
        for table in Base.metadata.sorted_tables:
            rows = (await s.execute(select(table))).all()
            out[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    return out


def changed_tables(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    """Tables whose rows differ: name -> (rows before, rows after)."""
    return {name: (len(before[name]), len(after.get(name, []))) for name in before if before[name] != after.get(name)}

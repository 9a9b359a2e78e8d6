"""How long a handbook import blocks the event loop: parsing in a worker thread vs. parsing inline.

A ~1.9 MB handbook (.docx, ~450,000 characters, 5,000 clauses) is imported through handlers.policy.store
while a ticker task measures the longest gap between its 10 ms sleeps (what every other user waits).
Same run, same file, same database: `thread` is what the bot does, `inline` is the obvious alternative.

    python benchmarks/bench_import_loop.py [--clauses 5000] [--database-url URL]
"""
from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docx import Document  # noqa: E402

import handlers.policy.store as store  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import utcnow  # noqa: E402

CLAUSE = ("对首次认定为国家级专精特新“小巨人”的企业，给予一次性奖励50万元；对省级专精特新中小企业给予奖励10万元，"
          "所需资金由市、县两级按比例分担，企业按年度申报，经主管部门审核后拨付。")


def handbook(n: int, tag: str = "") -> bytes:
    d = Document()
    d.add_paragraph(f"济宁市惠企政策汇编（压力测试{tag}）")  # a new title each run: a new document, not a no-op
    d.add_paragraph("济宁市人民政府办公室 2026年3月1日")
    for i in range(1, n + 1):
        d.add_paragraph(f"第{i}条 {CLAUSE}")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


async def measure(db: Database, data: bytes, name: str, inline: bool) -> tuple[float, float, int]:
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last - 0.01)
            last = now

    original = store.asyncio.to_thread
    if inline:
        async def same_thread(fn, *a):  # the alternative: parse on the event loop
            return fn(*a)
        store.asyncio.to_thread = same_thread  # type: ignore[assignment]
    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    try:
        async with db.session() as s:
            await store.import_bytes(s, data, name, user_id=None, now=utcnow(), notify=False)
    finally:
        store.asyncio.to_thread = original  # type: ignore[assignment]
        done.set()
        await task
    return time.perf_counter() - started, max(gaps) if gaps else 0.0, sum(g > 0.1 for g in gaps)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clauses", type=int, default=5000)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    data = handbook(args.clauses)
    text_len = len(store.parse_upload(data, "x.docx")[0])
    print(f"handbook: {len(data) / 1024:.0f} KB .docx, {text_len:,} characters, {args.clauses} clauses")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db")
        await db.upgrade()
        for run, mode in enumerate(("inline", "thread", "inline", "thread")):
            total, gap, long = await measure(db, handbook(args.clauses, str(run)), f"{mode}.docx", inline=mode == "inline")
            print(f"{mode:7s} import {total:6.2f} s   longest event-loop stall {gap * 1000:5.0f} ms   stalls > 100 ms: {long}")
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())

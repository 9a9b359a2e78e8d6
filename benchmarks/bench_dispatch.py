"""Updates per second through the whole bot stack vs. the same framework with an empty handler.

For aiogram and python-telegram-bot, in the same run, against the fake Bot API on 127.0.0.1:
  empty : framework → adapter → a handler that does nothing but answer "收到" (one sendMessage)
  full  : framework → adapter → Dispatcher (DB transaction, dedupe row, user lookup, /help) → sendMessage
Every update gets exactly one reply in both modes, so the difference is our handler stack + database.

    python benchmarks/bench_dispatch.py [--updates 600] [--users 60] [--database-url URL]
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.polling import SafePoller  # noqa: E402
from bot.runner import BotRunner, make_adapter  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.telegram_common import execute, plan  # noqa: E402
from handlers.types import Reply  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import PlatformAccount, Role, User  # noqa: E402
from tests.fakebot import FakeBotServer  # noqa: E402

BASE_TG = 6_000_000
NEXT_UPDATE_ID = 1


async def prepare_db(url: str, users: int) -> Database:
    """Migrated database with `users` enrolled cadres bound to Telegram ids."""
    db = Database(url)
    await db.upgrade()
    async with db.session() as s:
        for i in range(users):
            user = User(name=f"压测{i}", role=str(Role.CADRE), active=True, blocked_bot=False, mute_weekly=False)
            s.add(user)
            await s.flush()
            s.add(PlatformAccount(platform="telegram", external_id=str(BASE_TG + i), user_id=user.id))
    return db


async def run_once(framework: str, mode: str, db: Database, updates: int, users: int) -> float:
    """Updates per second for one framework/mode (after a warm-up)."""
    # Update ids must not repeat across rounds: the dispatcher would (rightly) drop them as duplicates.
    global NEXT_UPDATE_ID
    fake = await FakeBotServer(first_update_id=NEXT_UPDATE_ID).start()
    NEXT_UPDATE_ID += 1_000_000
    for i in range(users):
        fake.add_user(BASE_TG + i)
    settings = Settings(_env_file=None, bot_token=fake.token, telegram_api_base=fake.base_url,
                        framework=framework, proxy=None)
    if mode == "full":
        runner = BotRunner(settings, framework=framework, db=db, outbox=False, polling_timeout=1,
                           set_commands=False)
        await runner.start()
        stop = runner.stop
    else:
        holder: dict = {}

        async def empty(inc) -> None:
            await execute(holder["a"].transport, plan(inc, [Reply("收到")]))

        adapter = holder["a"] = make_adapter(framework, settings, empty, polling_timeout=1)
        await adapter.start()
        await adapter.prepare_polling()
        poll_stop = asyncio.Event()
        poller = asyncio.create_task(SafePoller(adapter.fetch, empty, timeout=1).run(poll_stop))

        async def stop() -> None:
            poll_stop.set()
            await poller
            await adapter.close()

    async def burst(n: int) -> float:
        before = len(fake.calls("sendMessage"))
        t0 = time.perf_counter()
        for k in range(n):
            await fake.send_text(BASE_TG + k % users, "/help")
        await fake.wait_for(lambda: len(fake.calls("sendMessage")) >= before + n, 120, f"{n} replies")
        return n / (time.perf_counter() - t0)

    try:
        await burst(min(50, updates))  # warm-up: connections, caches, first imports
        rate = await burst(updates)
        if mode == "full":  # every reply must be the real /help answer, not an apology
            bad = [c for c in fake.calls("sendMessage") if "可用的命令" not in c.params.get("text", "")]
            assert not bad, f"{len(bad)} replies were not /help answers: {bad[0].params.get('text')!r}"
        return rate
    finally:
        await stop()
        await fake.stop()


from bench_webhook import webhook_table  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frameworks", default="aiogram,ptb")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--webhook", action="store_true", help="also the webhook load table (1 and 2 workers)")
    parser.add_argument("--concurrency", type=int, default=16, help="webhook: requests in flight")
    args = parser.parse_args()
    logging.basicConfig(level=getattr(logging, os.environ.get("BENCH_LOG", "ERROR")))
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite+aiosqlite:///{tmp.name}/bench.db"
    db = await prepare_db(url, args.users)
    kind = "SQLite" if db.is_sqlite else "PostgreSQL"
    print(f"dispatch benchmark: {args.updates} updates from {args.users} users per round, "
          f"{args.rounds} rounds, median shown; database {kind}; fake Bot API in the same process")
    print(f"{'framework':<10}{'empty handler':>16}{'full stack':>14}{'full/empty':>12}")
    try:
        for framework in args.frameworks.split(","):
            res: dict[str, list[float]] = {"empty": [], "full": []}
            for _ in range(args.rounds):
                for mode in ("empty", "full"):  # interleaved so drift hits both alike
                    res[mode].append(await run_once(framework, mode, db, args.updates, args.users))
            empty, full = statistics.median(res["empty"]), statistics.median(res["full"])
            print(f"{framework:<10}{empty:>12.0f} u/s{full:>10.0f} u/s{full / empty:>11.0%}")
        if args.webhook:
            await webhook_table(db, url, args)
    finally:
        await db.dispose()
        tmp.cleanup()


if __name__ == "__main__":
    asyncio.run(main())

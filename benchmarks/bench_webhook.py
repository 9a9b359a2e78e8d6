"""Webhook load: sustained updates/s, p50/p99 latency, errors and SQL statements per update.

Used by bench_dispatch.py --webhook. Updates are POSTed to the bot's webhook server with a fixed
number in flight (like Telegram's max_connections); the latency is the HTTP round trip, i.e. the
whole update handled and its reply sent to the fake Bot API. "2 workers" are two runners with their
own database pools behind a round-robin client, in this one process (they share its CPU).
"""
from __future__ import annotations

import asyncio
import json
import statistics
import time

import aiohttp
from sqlalchemy import event

from bot.runner import BotRunner, make_adapter
from bot.settings import Settings
from bot.telegram_common import execute, plan
from bot.webhook import WebhookServer
from handlers.types import Reply
from storage.db import Database
from tests.fakebot import FakeBotServer
from tests.fakebot.harness import free_port

BASE_TG = 6_000_000
SECRET = "bench-secret"
_next_update = [50_000_000]


async def _start(framework: str, mode: str, fake, url: str):
    """One worker on its own port: the full runner, or the framework adapter with an empty handler."""
    port = free_port()
    settings = Settings(_env_file=None, bot_token=fake.token, telegram_api_base=fake.base_url, framework=framework,
                        proxy=None, webhook_host="127.0.0.1", webhook_port=port,
                        webhook_secret=SECRET)
    if mode == "full":
        db = Database(url)
        runner = BotRunner(settings, framework=framework, db=db, outbox=False, set_commands=False,
                           webhook_url=f"http://127.0.0.1:{port}/tg")
        await runner.start()

        async def stop():
            await runner.stop()
            await db.dispose()
        return port, stop, db
    holder: dict = {}

    async def empty(inc) -> None:
        await execute(holder["a"].transport, plan(inc, [Reply("收到")]))

    adapter = holder["a"] = make_adapter(framework, settings, empty)
    await adapter.start()
    server = WebhookServer(adapter.feed, "/tg", SECRET, "127.0.0.1", port)
    await server.start()

    async def stop():
        await server.stop()
        await adapter.close()
    return port, stop, None


async def _round(framework: str, mode: str, url: str, workers: int, n: int, users: int, conc: int) -> dict:
    fake = await FakeBotServer().start()
    fake._pusher.cancel()  # we POST ourselves
    for i in range(users):
        fake.add_user(BASE_TG + i)
    started = [await _start(framework, mode, fake, url) for _ in range(workers)]
    statements = [0]

    def count(*_a):
        statements[0] += 1
    dbs = [d for _, _, d in started if d is not None]
    for d in dbs:
        event.listen(d.engine.sync_engine, "before_cursor_execute", count)
    latencies: list[float] = []
    errors = [0]
    queue: asyncio.Queue = asyncio.Queue()
    http = aiohttp.ClientSession()

    async def client(k: int) -> None:
        while True:
            item = await queue.get()
            if item is None:
                return
            i, update = item
            port = started[i % workers][0]
            t0 = time.perf_counter()
            try:
                async with http.post(f"http://127.0.0.1:{port}/tg", data=json.dumps(update, ensure_ascii=False),
                                     headers={"Content-Type": "application/json",
                                              "X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:
                    await r.read()
                    if r.status != 200:
                        errors[0] += 1
            except aiohttp.ClientError:
                errors[0] += 1
            latencies.append(time.perf_counter() - t0)

    def updates(count_: int) -> list:
        out = []
        for k in range(count_):
            u = fake.text_update(BASE_TG + k % users, "/help")
            u["update_id"] = _next_update[0]
            _next_update[0] += 1
            out.append(u)
        return out

    try:
        for phase, size in (("warm", min(50, n)), ("run", n)):
            latencies.clear()
            statements[0] = 0
            for item in enumerate(updates(size)):
                queue.put_nowait(item)
            tasks = [asyncio.create_task(client(k)) for k in range(conc)]
            for _ in tasks:
                queue.put_nowait(None)
            t0 = time.perf_counter()
            await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - t0
        lat = sorted(latencies)
        return {"rate": n / elapsed, "p50": statistics.median(lat) * 1000, "p99": lat[int(len(lat) * 0.99) - 1] * 1000,
                "errors": errors[0], "sql": statements[0] / n if dbs else 0.0}
    finally:
        await http.close()
        for _, stop, _ in started:
            await stop()
        await fake.stop()


async def webhook_table(db: Database, url: str, args) -> None:
    """Print the webhook load table for each framework, 1 and 2 workers, empty vs full."""
    kind = "SQLite" if db.is_sqlite else "PostgreSQL"
    print(f"\nwebhook load ({kind}): {args.updates} updates from {args.users} users, {args.concurrency} in flight")
    print(f"{'framework':<9}{'workers':>8}{'empty u/s':>11}{'full u/s':>10}{'full/empty':>11}"
          f"{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}{'SQL/upd':>8}")
    for framework in args.frameworks.split(","):
        for workers in (1, 2):
            empty = await _round(framework, "empty", url, workers, args.updates, args.users, args.concurrency)
            full = await _round(framework, "full", url, workers, args.updates, args.users, args.concurrency)
            print(f"{framework:<9}{workers:>8}{empty['rate']:>11.0f}{full['rate']:>10.0f}{full['rate'] / empty['rate']:>11.0%}"
                  f"{full['p50']:>8.1f}{full['p99']:>8.1f}{full['errors'] + empty['errors']:>7}{full['sql']:>8.1f}")

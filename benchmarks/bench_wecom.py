"""Callbacks per second on the WeCom channel beside the Telegram webhook, same machine, same stack.

Both runtimes run in this process against their fake servers on 127.0.0.1 with the same SQLite
database; a client posts /help from many users with the same concurrency:
  telegram webhook : signed JSON update → aiohttp webhook → adapter → Dispatcher → sendMessage
  wecom callback   : encrypted, signed XML → verify + decrypt + replay record → answer at once →
                     Dispatcher → message/send (the work after the answer)
Rate = callbacks / time until every reply reached the fake server; errors = non-2xx answers or a
reply that is not the /help answer. Answer latency is the HTTP round trip the platform waits for.

    python benchmarks/bench_wecom.py [--callbacks 400] [--users 40] [--concurrency 8]
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.runner import BotRunner  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wecom.runner import WeComRunner  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import PlatformAccount, Role, User  # noqa: E402
from tests.fakebot import FakeBotServer  # noqa: E402
from tests.fakebot.harness import free_port  # noqa: E402
from tests.fakewecom import FakeWeCom  # noqa: E402

BASE_TG = 6_000_000


async def prepare_db(url: str, users: int) -> Database:
    """Migrated database with `users` cadres, each bound on Telegram and on WeCom."""
    db = Database(url)
    await db.upgrade()
    async with db.session() as s:
        for i in range(users):
            user = User(name=f"压测{i}", role=str(Role.CADRE), active=True, blocked_bot=False, mute_weekly=False)
            s.add(user)
            await s.flush()
            s.add(PlatformAccount(platform="telegram", external_id=str(BASE_TG + i), user_id=user.id))
            s.add(PlatformAccount(platform="wecom", external_id=f"bench{i}", user_id=user.id))
    return db


async def drive(n: int, concurrency: int, post, replies, expected: int) -> tuple[float, int, list[float]]:
    """Post n callbacks with bounded concurrency; (rate, errors, answer latencies in ms)."""
    queue = list(range(n))
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        while queue:
            k = queue.pop()
            t0 = time.perf_counter()
            status = await post(k)
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += not 200 <= status < 300

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    deadline = time.monotonic() + 120
    while replies() < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    rate = n / (time.perf_counter() - t0)
    return rate, errors + max(0, expected - replies()), latencies


async def telegram_round(db: Database, n: int, users: int, concurrency: int) -> tuple[float, int, list[float]]:
    fake = await FakeBotServer(first_update_id=int(time.time() * 1000) % 10**9 * 1000).start()
    for i in range(users):
        fake.add_user(BASE_TG + i)
    port = free_port()
    settings = Settings(_env_file=None, bot_token=fake.token, telegram_api_base=fake.base_url, proxy=None,
                        webhook_host="127.0.0.1", webhook_port=port, webhook_secret="bench-secret_1")
    runner = BotRunner(settings, db=db, webhook_url=f"http://127.0.0.1:{port}/tg/hook", outbox=False,
                       set_commands=False)
    await runner.start()
    try:
        async def post(k: int) -> int:
            status, _ = await fake.post_webhook(fake.text_update(BASE_TG + k % users, "/help"),
                                                use_registered_secret=True)
            return status

        def replies() -> int:
            return sum("可用的命令" in c.params.get("text", "") for c in fake.calls("sendMessage"))

        await drive(min(40, n), concurrency, post, replies, min(40, n))  # warm-up
        base = replies()
        return await drive(n, concurrency, post, lambda: replies() - base, n)
    finally:
        await runner.stop()
        await fake.stop()


async def wecom_round(db: Database, n: int, users: int, concurrency: int) -> tuple[float, int, list[float]]:
    fake = await FakeWeCom().start()
    env = fake.env()
    settings = Settings(_env_file=None, channel="wecom", wecom_corp_id=env["PANDENG_WECOM_CORP_ID"],
                        wecom_agent_id=int(env["PANDENG_WECOM_AGENT_ID"]), wecom_secret=env["PANDENG_WECOM_SECRET"],
                        wecom_token=env["PANDENG_WECOM_TOKEN"], wecom_aes_key=env["PANDENG_WECOM_AES_KEY"],
                        wecom_api_base=fake.base_url, webhook_host="127.0.0.1", webhook_port=0)
    runner = WeComRunner(settings, db=db, outbox=False)
    port = await runner.start()
    fake.bot_url = f"http://127.0.0.1:{port}/wecom/callback"
    try:
        async def post(k: int) -> int:
            status, _ = await fake.text(f"bench{k % users}", "/help")
            return status

        def replies() -> int:
            return sum("可用的命令" in m.text for m in fake.sent)

        await drive(min(40, n), concurrency, post, replies, min(40, n))
        base = replies()
        return await drive(n, concurrency, post, lambda: replies() - base, n)
    finally:
        await runner.stop()
        await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=400)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    tmp = tempfile.TemporaryDirectory()
    db = await prepare_db(f"sqlite+aiosqlite:///{tmp.name}/bench.db", args.users)
    print(f"channel benchmark: {args.callbacks} /help callbacks from {args.users} users per round, concurrency "
          f"{args.concurrency}, {args.rounds} rounds (median); SQLite; fake servers in the same process")
    print(f"{'channel':<18}{'callbacks/s':>12}{'errors':>8}{'answer p50':>12}{'answer p95':>12}")
    try:
        for name, fn in (("telegram webhook", telegram_round), ("wecom callback", wecom_round)):
            rates, errors, lat = [], 0, []
            for _ in range(args.rounds):
                rate, err, latencies = await fn(db, args.callbacks, args.users, args.concurrency)
                rates.append(rate)
                errors += err
                lat += latencies
            lat.sort()
            p50, p95 = lat[len(lat) // 2], lat[int(len(lat) * 0.95)]
            print(f"{name:<18}{statistics.median(rates):>12.0f}{errors:>8}{p50:>9.1f} ms{p95:>9.1f} ms")
    finally:
        await db.dispose()
        tmp.cleanup()


if __name__ == "__main__":
    asyncio.run(main())

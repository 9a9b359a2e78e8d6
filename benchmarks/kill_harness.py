"""Kill `pandeng run` at random points and count what was lost.

Drives real `pandeng run` subprocesses (polling, or webhook with one or two workers behind a
round-robin "load balancer") against the fake Bot API (tests/fakebot) with API latency, with a
scripted stream: quick filings, filings that need an enterprise press (a dialog), card views
(presses) and the scheduler's tick at every start. SIGKILLs a worker at random moments, restarts it,
and at the end counts: updates lost, appeals typed but not stored, dialogs lost, notifications never
delivered, and notifications delivered twice.

    python benchmarks/kill_harness.py --db sqlite --mode polling --kills 20
    python benchmarks/kill_harness.py --db pg --mode webhook --workers 2 --kills 20   # PANDENG_TEST_PG_URL
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.db import Database  # noqa: E402
from storage.models import Appeal, Outbox, OutboxStatus, ProcessedUpdate  # noqa: E402
from tests.fakebot import FakeBotServer  # noqa: E402
from tests.fakebot.harness import bind  # noqa: E402

TOPICS = ["流动资金紧张，申请贷款被银行拒绝，希望协调银行续贷", "新建厂房用地指标迟迟未批，影响项目开工",
          "车间扩产需要增容变压器，供电公司排期太久", "急需引进芯片封装方向高级工程师，希望协调人才公寓",
          "环评批复迟迟未下，排污许可证无法办理", "出口订单增加但物流运费上涨，希望协调港口仓储"]
QUICK, DIALOG = "张伟", ("杨帆", "朱琳")
READER = "李卫东"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Worker:
    """One `pandeng run` subprocess that can be killed and restarted."""

    def __init__(self, env: dict, args: list[str], log: Path) -> None:
        self.env, self.args, self.log = env, args, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        out = open(self.log, "ab")
        self.proc = subprocess.Popen([sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())",
                                      "run", *self.args], env=self.env, stdout=out, stderr=out, cwd=ROOT)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


class Balancer:
    """Webhook mode: posts each update to a worker (round robin) until one answers 200, per user in order."""

    def __init__(self, urls: list[str], secret: str) -> None:
        self.urls, self.secret = urls, secret
        self.queues: dict[int, asyncio.Queue] = {}
        self.tasks: list[asyncio.Task] = []
        self.turn = 0
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    def submit(self, user: int, update: dict) -> None:
        if user not in self.queues:
            self.queues[user] = asyncio.Queue()
            self.tasks.append(asyncio.create_task(self._deliver(self.queues[user])))
        self.queues[user].put_nowait(update)

    async def _deliver(self, queue: asyncio.Queue) -> None:
        while True:
            update = await queue.get()
            while True:
                url = self.urls[self.turn % len(self.urls)]
                self.turn += 1
                try:
                    async with self.http.post(url, data=json.dumps(update, ensure_ascii=False), headers={
                            "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": self.secret}) as r:
                        if r.status == 200:
                            break
                except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
                    pass
                await asyncio.sleep(0.2)  # Telegram retries a failed delivery too
            queue.task_done()

    async def drain(self) -> None:
        for q in self.queues.values():
            await q.join()

    async def close(self) -> None:
        for t in self.tasks:
            t.cancel()
        await self.http.close()


async def prepare_db(kind: str, tmp: Path) -> tuple[str, callable]:
    """A migrated database with the demo data; returns its URL and a cleanup."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / 'kill.db'}"
        async def cleanup():
            return None
    else:
        base = os.environ["PANDENG_TEST_PG_URL"]
        name = f"pandeng_kill_{uuid.uuid4().hex[:10]}"
        admin = Database(base)
        async with admin.engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql(f'CREATE DATABASE "{name}"')
        await admin.dispose()
        url = base.rsplit("/", 1)[0] + "/" + name

        async def cleanup():
            admin = Database(base)
            async with admin.engine.connect() as conn:
                await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql(
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.dispose()
    db = Database(url)
    await db.upgrade()
    from storage.demo import seed_demo

    async with db.session() as s:
        await seed_demo(s)
    await db.dispose()
    return url, cleanup


async def run(args) -> dict:
    """One harness run; returns the counts."""
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="pandeng-kill-"))
    url, cleanup = await prepare_db(args.db, tmp)
    fake = await FakeBotServer().start()
    fake.delay = args.latency
    db = Database(url)
    tg = {}
    for i, name in enumerate((QUICK, *DIALOG, READER)):
        tg[name] = 7100 + i
        await bind(db, name, tg[name])
        fake.add_user(tg[name])
    env = dict(os.environ, PANDENG_DATABASE_URL=url, PANDENG_BOT_TOKEN=fake.token,
               PANDENG_TELEGRAM_API_BASE=fake.base_url, PANDENG_FRAMEWORK=args.framework,
               PANDENG_WEBHOOK_HOST="127.0.0.1", PANDENG_WEBHOOK_SECRET="harness-secret", PANDENG_PROXY="")
    workers, balancer = [], None
    n_workers = args.workers if args.mode == "webhook" else 1
    for i in range(n_workers):
        wargs = []
        if args.mode == "webhook":
            port = free_port()
            wargs = ["--webhook", f"http://127.0.0.1:{port}/tg", "--allow-http"]
            wenv = dict(env, PANDENG_WEBHOOK_PORT=str(port))
        else:
            wenv = env
        workers.append(Worker(wenv, wargs, tmp / f"worker{i}.log"))
    if args.mode == "webhook":
        fake._pusher.cancel()  # the balancer delivers instead of the fake's single-URL pusher
        balancer = Balancer([f"http://127.0.0.1:{w.args[1].split(':')[2].split('/')[0]}/tg" for w in workers],
                            "harness-secret")
    for w in workers:
        w.start()
    sent_updates: list[int] = []
    typed: list[str] = []
    dialogs: list[str] = []  # markers of dialog filings whose enterprise button was pressed
    asked: dict[str, str] = {}  # marker -> the user who typed it, waiting for the enterprise buttons

    async def deliver(user: str, update: dict) -> None:
        sent_updates.append(update["update_id"])
        if balancer is not None:
            balancer.submit(tg[user], update)
        else:
            await fake.state.enqueue(update)

    pressed: set[tuple[int, int]] = set()

    async def press_pending() -> None:
        # A dialog filing: once its enterprise question shows, press the first enterprise.
        for marker, user in list(asked.items()):
            chat = tg[user]
            msg = next((m for m in reversed(fake.sent(chat)) if "哪家企业" in m.body and m.buttons), None)
            if msg is None or (chat, msg.message_id) in pressed:
                continue
            data = next((d for _, d in msg.buttons if d), None)
            if data:
                pressed.add((chat, msg.message_id))
                await deliver(user, fake.callback_update(chat, msg, data))
                dialogs.append(marker)
                del asked[marker]

    kills = 0
    started = time.monotonic()
    next_kill = started + rng.uniform(1.0, 3.0) + 3.0  # let the first start finish
    step = 0
    while kills < args.kills:
        step += 1
        marker = f"K{step:04d}"
        topic = TOPICS[step % len(TOPICS)]
        roll = rng.random()
        if roll < 0.45:
            typed.append(marker)
            await deliver(QUICK, fake.text_update(tg[QUICK], f"/appeal 企业{topic}，{marker}号"))
        elif roll < 0.75:
            user = DIALOG[step % 2]
            if not any(u == user for u in asked.values()):
                asked[marker] = user
                await deliver(user, fake.text_update(tg[user], f"/appeal 企业{topic}，{marker}号"))
        else:
            await deliver(READER, fake.text_update(tg[READER], "/todo" if roll < 0.9 else "/help"))
        await press_pending()
        await asyncio.sleep(args.pace)
        if time.monotonic() >= next_kill:
            victim = rng.choice(workers)
            victim.kill()
            kills += 1
            await asyncio.sleep(rng.uniform(0.0, 0.3))
            victim.start()
            next_kill = time.monotonic() + rng.uniform(args.min_gap, args.max_gap)
    # Settle: let the workers finish every update and notification, pressing the last dialogs.
    deadline = time.monotonic() + args.settle
    while time.monotonic() < deadline:
        await press_pending()
        if balancer is not None:
            done = all(q.empty() and q._unfinished_tasks == 0 for q in balancer.queues.values())
        else:
            done = not fake.state.queue
        async with db.session(read_only=True) as s:
            pending = await s.scalar(select(Outbox.id).where(Outbox.status == OutboxStatus.PENDING).limit(1))
        if done and pending is None and not asked:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(1.0)
    for w in workers:
        w.stop()
    if balancer is not None:
        await balancer.close()
    counts = await count(db, fake, sent_updates, typed, dialogs, asked)
    counts.update(kills=kills, seconds=round(time.monotonic() - started, 1), mode=args.mode, db=args.db,
                  framework=args.framework, workers=n_workers)
    await db.dispose()
    await fake.stop()
    await cleanup()
    return counts


async def count(db, fake, sent_updates, typed, dialogs, asked) -> dict:
    """What the database and the fake Bot API say at the end."""
    async with db.session(read_only=True) as s:
        processed = set(await s.scalars(select(ProcessedUpdate.update_id).where(ProcessedUpdate.platform == "telegram")))
        descriptions = list(await s.scalars(select(Appeal.description)))
        rows = list(await s.scalars(select(Outbox).where(Outbox.kind != "reply")))
    stored = lambda m: sum(m in d for d in descriptions)  # noqa: E731
    sent_texts = collections.Counter(c.params.get("text") for c in fake.calls("sendMessage") if c.status == 200)
    queued_texts = collections.Counter(r.text for r in rows)
    # Rows to people without a Telegram account (demo reviewers and admins) are `undeliverable` by design.
    rows = [r for r in rows if r.status != OutboxStatus.UNDELIVERABLE]
    queued_texts = collections.Counter(r.text for r in rows)
    undelivered = [r.id for r in rows if r.status != OutboxStatus.SENT or sent_texts[r.text] == 0]
    twice = sum(max(0, sent_texts[t] - n) for t, n in queued_texts.items())
    return {
        "updates_sent": len(sent_updates), "updates_processed": len(processed & set(sent_updates)),
        "updates_lost": len(set(sent_updates) - processed),
        "appeals_typed": len(typed), "appeals_stored": sum(1 for m in typed if stored(m) >= 1),
        "appeals_lost": sum(1 for m in typed if stored(m) == 0),
        "appeals_doubled": sum(1 for m in typed + dialogs if stored(m) > 1),
        "dialogs": len(dialogs), "dialogs_lost": sum(1 for m in dialogs if stored(m) == 0),
        "dialogs_unanswered": len(asked),
        "notifications": len(rows), "notifications_undelivered": len(undelivered),
        "notifications_twice": twice,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    p.add_argument("--mode", choices=["polling", "webhook"], default="polling")
    p.add_argument("--framework", choices=["aiogram", "ptb"], default="aiogram")
    p.add_argument("--workers", type=int, default=1, help="webhook mode: worker processes behind the balancer")
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--latency", type=float, default=0.1, help="seconds every Bot API call takes")
    p.add_argument("--pace", type=float, default=0.15, help="seconds between scripted user actions")
    p.add_argument("--min-gap", type=float, default=1.5)
    p.add_argument("--max-gap", type=float, default=4.0)
    p.add_argument("--settle", type=float, default=90.0)
    p.add_argument("--seed", type=int, default=16)
    args = p.parse_args()
    counts = asyncio.run(run(args))
    print(json.dumps(counts, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Our own getUpdates loop: an update is confirmed to Telegram only after its handler finished.

Both frameworks' built-in polling loops send the next getUpdates (whose offset confirms the
previous batch) while that batch's handlers still run, so a crash loses every update in flight.
Here the offset only ever moves past updates whose work is committed and whose replies went out;
anything in flight at a crash is delivered again and the dispatcher's dedupe row decides.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from handlers.dispatcher import UpdateNotCommitted
from handlers.types import Incoming

from .telegram_common import RetryLater, SendError

log = logging.getLogger(__name__)

# (offset, timeout seconds) -> [(update_id, Incoming or None when not ours)]
Fetch = Callable[[int | None, int], Awaitable[list[tuple[int, Incoming | None]]]]
Handle = Callable[[Incoming], Awaitable[None]]


@dataclass
class PollStats:
    """What the loop did (tests and the harness read it)."""

    fetched: int = 0
    handled: int = 0
    retried: int = 0
    gave_up: int = 0


class SafePoller:
    """Fetches with getUpdates, runs updates concurrently (one user's in order), confirms when done."""

    def __init__(self, fetch: Fetch, handle: Handle, *, timeout: int = 30, max_in_flight: int = 100,
                 retry_delays: tuple[float, ...] = (0.5, 1, 2, 4, 8, 15, 30, 60), sleep=asyncio.sleep) -> None:
        self.fetch = fetch
        self.handle = handle
        self.timeout = timeout
        self.max_in_flight = max_in_flight
        self.retry_delays = retry_delays
        self.sleep = sleep
        self.stats = PollStats()
        self._pending: set[int] = set()  # fetched, handler not finished (or waiting to retry)
        self._done: set[int] = set()  # finished but maybe not confirmed yet
        self._max_seen: int | None = None
        self._tails: dict[Any, asyncio.Task] = {}  # last task of each user: keeps their order
        self._tasks: set[asyncio.Task] = set()
        self._changed = asyncio.Event()

    def offset(self) -> int | None:
        """The getUpdates offset: the oldest unfinished update, else one past the newest seen."""
        if self._pending:
            return min(self._pending)
        return None if self._max_seen is None else self._max_seen + 1

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until stop is set; then wait for handlers in flight and confirm what finished."""
        errors = 0
        while not stop.is_set():
            if len(self._pending) >= self.max_in_flight:
                await self._wait_change(1.0)
                continue
            try:
                batch = await self._fetch_or_stop(stop)
                errors = 0
            except asyncio.CancelledError:
                raise
            except RetryLater as exc:
                await self.sleep(exc.seconds)
                continue
            except Exception as exc:  # network trouble, 5xx, a 409 conflict: back off and poll again
                errors += 1
                log.warning("getUpdates failed (%s); retrying", exc)
                await self.sleep(min(30.0, 0.5 * 2 ** min(errors, 6)))
                continue
            if batch is None:
                break
            fresh = self._start(batch)
            if self._pending and fresh * 2 < len(batch):
                # Mostly updates we are still handling came back (their offset is not confirmed):
                # let half of them finish before asking again, so each fetch brings new work.
                await self._wait_fewer(len(self._pending) // 2, 1.0)
        await self.drain()
        if self._done and not self._pending:
            try:  # confirm what finished, so a clean restart does not see it again
                await self.fetch(self.offset(), 0)
            except Exception:  # the dedupe rows make redelivery harmless anyway
                pass

    async def drain(self) -> None:
        """Wait for every handler in flight."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _fetch_or_stop(self, stop: asyncio.Event):
        fetch = asyncio.ensure_future(self.fetch(self.offset(), self.timeout))
        stopper = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({fetch, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if fetch not in done:
            fetch.cancel()
            try:
                await fetch
            except BaseException:
                pass
            return None
        stopper.cancel()
        return fetch.result()

    async def _wait_change(self, timeout: float) -> None:
        self._changed.clear()
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    async def _wait_fewer(self, target: int, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self._pending) > target and loop.time() < deadline:
            await self._wait_change(deadline - loop.time())

    def _start(self, batch: list[tuple[int, Incoming | None]]) -> int:
        fresh = 0
        for update_id, inc in batch:
            self.stats.fetched += 1
            if self._max_seen is None or update_id > self._max_seen:
                self._max_seen = update_id
            if update_id in self._pending or update_id in self._done:
                continue  # still running here, or finished and confirmed by the next offset
            if inc is None:
                self._done.add(update_id)
                continue
            fresh += 1
            self._pending.add(update_id)
            key = (inc.platform, inc.user_id)
            previous = self._tails.get(key)
            task = asyncio.create_task(self._run_one(update_id, inc, previous))
            self._tails[key] = task
            self._tasks.add(task)
            task.add_done_callback(lambda t, key=key: self._finished(t, key))
        self._prune()
        return fresh

    def _finished(self, task: asyncio.Task, key) -> None:
        self._tasks.discard(task)
        if self._tails.get(key) is task:
            del self._tails[key]
        self._changed.set()

    def _prune(self) -> None:
        low = self.offset()
        if low is not None:
            self._done = {u for u in self._done if u >= low}

    async def _run_one(self, update_id: int, inc: Incoming, previous: asyncio.Task | None) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)  # this user's earlier update first
        for attempt, delay in enumerate((0.0, *self.retry_delays)):
            if delay:
                self.stats.retried += 1
                await self.sleep(delay)
            try:
                await self.handle(inc)
                break
            except UpdateNotCommitted:
                continue  # nothing was stored: try again; the offset stays before this update
            except SendError:
                break  # the work is committed; replies that failed were queued by the runner
            except Exception:
                log.exception("update %s failed outside the dispatcher", update_id)
                break
        else:
            self.stats.gave_up += 1
            log.error("update %s dropped after %d database failures", update_id, len(self.retry_delays) + 1)
        self.stats.handled += 1
        self._pending.discard(update_id)
        self._done.add(update_id)

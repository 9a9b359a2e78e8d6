"""The kill harness (benchmarks/kill_harness.py) with a small count: real `pandeng run` processes killed at random."""
from __future__ import annotations

import argparse

import pytest

from benchmarks.kill_harness import run


def _args(**kw) -> argparse.Namespace:
    base = dict(db="sqlite", mode="polling", framework="aiogram", workers=1, kills=3, latency=0.02, pace=0.1,
                min_gap=1.0, max_gap=2.0, settle=120.0, seed=7)
    return argparse.Namespace(**{**base, **kw})


def _assert_nothing_lost(counts: dict) -> None:
    assert counts["kills"] >= 3
    assert counts["updates_sent"] > 10 and counts["updates_lost"] == 0, counts
    assert counts["appeals_typed"] > 0 and counts["appeals_lost"] == 0 and counts["appeals_doubled"] == 0, counts
    # A question whose reply died in the commit-to-send window (README) is never pressed: not a loss.
    assert counts["dialogs_lost"] == 0, counts
    assert counts["notifications"] > 0 and counts["notifications_undelivered"] == 0, counts


async def test_killed_polling_worker_on_sqlite_loses_nothing():
    _assert_nothing_lost(await run(_args()))


@pytest.mark.pg
async def test_two_killed_webhook_workers_on_postgresql_lose_nothing(pg_template):
    _assert_nothing_lost(await run(_args(db="pg", mode="webhook", workers=2, framework="ptb")))

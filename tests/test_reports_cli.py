"""`pandeng report stats` and `pandeng report weekly` on a seeded SQLite file."""
from __future__ import annotations

import asyncio
import io
import shutil

from openpyxl import load_workbook

from bot.cli_reports import register
from bot.settings import Settings
from storage.db import Database
from storage.demo import seed_demo
from tests.reports_data import seed_appeals


def _parser():
    import argparse

    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="cmd"))
    return p


def test_cli_stats_and_weekly(tmp_path, sqlite_template, capsys):
    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def seed():
        db = Database(url)
        async with db.session() as s:
            refs = await seed_demo(s)
        await seed_appeals(db, refs)
        await db.dispose()

    asyncio.run(seed())
    settings = Settings(_env_file=None, database_url=url)
    args = _parser().parse_args(["report", "stats", "--period", "2026-03", "--by", "county"])
    assert args.func(args, settings) == 0
    out = capsys.readouterr().out
    assert "受理诉求：6" in out and "任城区：受理4" in out
    args = _parser().parse_args(["report", "stats", "--county", "邹城市", "--period", "2026-03"])
    assert args.func(args, settings) == 0
    assert "受理诉求：2" in capsys.readouterr().out
    out_file = tmp_path / "weekly.xlsx"
    args = _parser().parse_args(["report", "weekly", "--out", str(out_file), "--period", "2026Q1"])
    assert args.func(args, settings) == 0
    wb = load_workbook(io.BytesIO(out_file.read_bytes()))
    assert wb.sheetnames == ["汇总", "任城区", "邹城市", "台账（打印版）"]
    assert wb["任城区"].max_row - 1 + wb["邹城市"].max_row - 1 == 9
    args = _parser().parse_args(["report", "stats", "--county", "火星"])
    assert args.func(args, settings) == 2

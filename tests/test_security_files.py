"""Bad files and odd bytes: a clear Chinese message, nothing stored, the same on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.dispatcher import ERROR_REPLY
from storage.importer import DirectoryImportError, import_enterprises, import_users
from storage.models import Appeal, Enterprise
from tests.chat import ChatDriver, text_of

from .security_kit import changed_tables, db_snapshot

HEAD = "企业名称,所在县区,产业集群,标签\n"


async def _import(db, path, kind=import_enterprises):
    async with db.session() as s:
        return await kind(s, path)


async def _refused(db, path, kind=import_enterprises) -> str:
    before = await db_snapshot(db)
    with pytest.raises(DirectoryImportError) as err:
        await _import(db, path, kind)
    assert changed_tables(before, await db_snapshot(db)) == {}
    return str(err.value)


async def test_broken_spreadsheets_are_clear_errors(db, tmp_path):
    huge = tmp_path / "huge.csv"
    huge.write_text(HEAD + '"' + "甲" * (csv.field_size_limit() + 10) + '",任城区,高端装备,\n', encoding="utf-8")
    assert "第 2 行无法解析" in await _refused(db, huge)
    good = tmp_path / "good.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["企业名称", "所在县区", "产业集群"])
    wb.active.append(["甲公司", "任城区", "高端装备"])
    wb.save(good)
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    noise = tmp_path / "noise.xlsx"
    noise.write_bytes(os.urandom(4096))
    for path in (truncated, noise):
        assert "无法读取该 Excel 文件" in await _refused(db, path)


async def test_nul_cleaned_and_formula_names_refused(db, tmp_path):
    bad = tmp_path / "formula.csv"
    bad.write_text(HEAD + '"=HYPERLINK(""http://x"",""y"")",任城区,高端装备,\n@SUM(1),任城区,高端装备,\n', encoding="utf-8")
    message = await _refused(db, bad)
    assert "第2行" in message and "第3行" in message and "疑似公式" in message
    users = tmp_path / "users.csv"
    users.write_text("姓名,角色,手机号\n=cmd,驻企干部,13800000009\n", encoding="utf-8")
    assert "疑似公式" in await _refused(db, users, import_users)
    nul = tmp_path / "nul.csv"
    nul.write_bytes((HEAD + "济宁\x00测试\x07公司,任城区,高端装备,\n").encode("utf-8"))
    assert (await _import(db, nul)).total == 1
    async with db.session() as s:
        names = list(await s.scalars(select(Enterprise.name).where(Enterprise.name.like("济宁%测试%"))))
    assert names == ["济宁测试公司"]


async def test_nul_in_chat_is_cleaned_on_both_databases(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    replies = await chat.send(u["张伟"], "/appeal 企业流动资金\x00紧张，申请贷款被银行拒绝，\x1b希望协调续贷500万元")
    assert ERROR_REPLY not in text_of(replies) and "已提交诉求" in text_of(replies)
    async with db.session() as s:
        stored = (await s.scalars(select(Appeal.description))).all()
    assert stored == ["企业流动资金紧张，申请贷款被银行拒绝，希望协调续贷500万元"]
    for data in ("ap:v:1\x00", "ap:v:" + "1" * 70, "ap:v:١", "ap:v:1\u200b"):
        replies = await chat.press(u["张伟"], data)
        assert replies and all(r.toast for r in replies) and ERROR_REPLY not in text_of(replies), data


def test_cli_names_a_refused_statement_not_a_connection(tmp_path):
    """A statement the database refuses is reported as such, not as "cannot connect"."""
    env = dict(os.environ, PANDENG_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    code = ("import asyncio,sys\nfrom sqlalchemy import text\nfrom storage.db import Database\nfrom bot import cli\n"
            "def boom(args, settings):\n    async def run():\n        db = Database(settings.database_url)\n"
            "        async with db.session() as s:\n            await s.execute(text('insert into nowhere values (1)'))\n"
            "    asyncio.run(run())\n"
            "cli._config = boom\nsys.exit(cli.main(['config']))\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert done.returncode == 1 and "数据库拒绝了这次操作" in done.stderr and "nowhere" in done.stderr
    assert "无法连接" not in done.stderr
    env["PANDENG_DATABASE_URL"] = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    done = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, capture_output=True, text=True,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 2 and "无法连接或打开数据库" in done.stderr

"""The command line as a newcomer uses it: config, db upgrade, demo, a scripted console session."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from storage.db import Database
from storage.models import OrgUnit, UnitKind


def _run(args: list[str], tmp_path: Path, stdin: str = "", **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PANDENG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", **env}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=tmp_path, env=full_env, timeout=120)


def test_config_masks_secrets(tmp_path):
    out = _run(["config"], tmp_path, PANDENG_BOT_TOKEN="123:TOPSECRETTOKEN", PANDENG_PROXY="socks5://u:pw@127.0.0.1:1080",
               PANDENG_FRAMEWORK="ptb")
    assert out.returncode == 0, out.stderr
    assert "TOPSECRETTOKEN" not in out.stdout and "pw@" not in out.stdout
    assert "PANDENG_BOT_TOKEN=******" in out.stdout and "PANDENG_FRAMEWORK=ptb" in out.stdout
    assert "socks5://u:******@127.0.0.1:1080" in out.stdout


def test_bad_setting_is_reported(tmp_path):
    out = _run(["config"], tmp_path, PANDENG_FRAMEWORK="django")
    assert out.returncode == 2 and "配置有误" in out.stderr


async def test_db_upgrade_seeds_the_real_structure(tmp_path):
    out = _run(["db", "upgrade"], tmp_path)
    assert out.returncode == 0, out.stderr
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    async with db.session() as s:
        counts = dict((await s.execute(select(OrgUnit.kind, func.count()).group_by(OrgUnit.kind))).all())
    await db.dispose()
    assert counts == {UnitKind.CITY_OFFICE: 1, UnitKind.TASK_FORCE: 7, UnitKind.FACTOR_GROUP: 7, UnitKind.COUNTY: 14}


async def test_older_database_is_brought_up_to_date(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    await db.upgrade("0001_core")
    assert await db.current_revision() == "0001_core"
    await db.dispose()
    out = _run(["console"], tmp_path, stdin="")
    assert out.returncode == 1  # no users yet: a clear message, not a crash
    assert "pandeng demo" in out.stdout
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert await db.current_revision() != "0001_core"
    await db.dispose()


def test_scripted_console_session(tmp_path):
    script = "/help\n/as admin\n/users\n/chat group\n/help\n/chat private\n/nonsense\n"
    out = _run(["console", "--demo", "--as", "cadre"], tmp_path, stdin=script)
    assert out.returncode == 0, out.stderr
    assert "当前身份：张伟（驻企干部" in out.stdout
    assert "当前身份：王建国（市指挥部办公室" in out.stdout
    assert "已切换到演示群聊" in out.stdout
    assert "未知命令" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_import_command_reports_bad_rows(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称,所在县区,产业集群\n甲,任城区,高端装备\n乙,不存在县,高端装备\n", encoding="utf-8")
    out = _run(["import", "enterprises", str(bad)], tmp_path)
    assert out.returncode == 1 and "第3行" in out.stderr and "未导入任何数据" in out.stderr
    good = Path(__file__).parent.parent / "docs" / "samples" / "enterprises.csv"
    out = _run(["import", "enterprises", str(good)], tmp_path)
    assert out.returncode == 0 and "导入成功：共 2 条企业记录（新增 2 条，更新 0 条）" in out.stdout

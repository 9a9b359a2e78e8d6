"""Scripted `pandeng console` sessions in a subprocess: filing to 销号 switching roles, and a restart mid-dialog."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from storage.models import Appeal, AppealStatus
from tests.chat import ChatDriver, buttons_of

S = AppealStatus


def console(url: str, lines: list[str], cwd: Path, *args: str) -> str:
    """Run `pandeng console ARGS` on the database URL with stdin lines; return stdout (asserting exit 0)."""
    exe = Path(sys.executable).parent / "pandeng"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "bot.cli"]
    # The demo's six months of history would renumber the appeals these walk-throughs count on.
    env = {**os.environ, "PANDENG_DATABASE_URL": url, "PANDENG_DEMO_HISTORY": "0"}
    out = subprocess.run([*cmd, "console", *args], input="\n".join(lines) + "\n", capture_output=True, text=True,
                         cwd=cwd, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def after(output: str, marker: str) -> str:
    """The output after the last occurrence of a line typed by the user."""
    return output.rsplit(f"我：{marker}", 1)[1]


async def test_console_walks_an_appeal_to_closed(db, tmp_path):
    out = console(db.url, [
        "/appeal 企业流动资金紧张，申请贷款被银行拒绝，希望协调银行续贷500万元",
        "/as reviewer",
        "/todo",
        "1",        # open #1 from the list
        "2",        # 交金融组
        "/as handler",
        "/appeal 1",
        "1",        # 签收
        "1",        # 阶段性答复
        "已与工商银行对接，正在走审批流程",
        "2",        # 办结
        "工商银行已续贷500万元",
        "/as cadre",
        "/appeal 1",
        "1",        # 满意
        "/appeal 1",
    ], tmp_path, "--demo", "--as", "cadre")
    assert "已提交诉求 #1" in out and "类别：金融（自动识别）" in out
    assert "📨 通知 → 李卫东（县级审核）" in after(out, "/appeal 企业流动资金紧张")
    assert "[2] 交金融组" in after(out, "/todo")
    assert "已交金融组办理，诉求 #1 现等待责任单位签收。" in out
    assert "当前身份：赵敏（责任单位" in out and "已签收" in out
    assert "已提交阶段性答复，诉求 #1 仍在办理中。" in out and "已提交办理结果，诉求 #1 现等待企业评价。" in out
    assert "已记录企业评价“满意”，诉求 #1 已销号。" in out
    history = after(out, "/appeal 1")
    assert "状态：已销号" in history and "企业评价：满意" in history
    for step in ("张伟 提交", "李卫东 交办", "赵敏 签收", "赵敏 阶段性答复", "赵敏 办结", "张伟 评价并销号"):
        assert step in history, step
    assert "出了问题" not in out


async def test_dialog_started_in_one_process_finishes_in_another(demo, tmp_path):
    db, refs = demo
    uid = refs.user_ids["张伟"]  # the first cadre: the one `--as cadre` picks
    chat = ChatDriver(db)
    r = await chat.send(uid, "/appeal")
    r = await chat.press(uid, buttons_of(r)["人才"])
    r = await chat.press(uid, buttons_of(r)["A类（紧急，5个工作日）"])
    assert "描述问题" in r[0].text
    out = console(db.url, ["新产线投产急需招聘20名数控操作工和2名工艺工程师", "/attach 招聘需求.pdf", "1", "1"],
                  tmp_path, "--as", "cadre")
    assert "共 1 个" in out and "确认提交" in out and "已提交诉求 #1" in out
    async with db.session() as s:
        a = (await s.scalars(select(Appeal))).unique().one()
    assert (a.category, a.urgency, a.status) == ("人才", "A", S.SUBMITTED)
    assert a.description.startswith("新产线投产急需招聘")

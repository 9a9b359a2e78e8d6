"""Issue 15, words a cadre reads: typos, plain questions and problems, lookups, waiting drafts, duplicates, groups."""
from __future__ import annotations

from sqlalchemy import func, select

from storage.demo import DEMO_GROUP_CHAT_ID
from storage.models import Appeal, DialogState
from tests.chat import ChatDriver, buttons_of, text_of

from .test_appeals_kit import LOAN_TEXT, file_quick
from .test_policy_chat import _import_handbook

GROUP = dict(chat_id=DEMO_GROUP_CHAT_ID, chat_type="group")


async def _appeals(db) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(Appeal))


async def test_typos_cancel_and_long_group_messages(demo):
    db, refs = demo
    chat = ChatDriver(db)
    zw = refs.user_ids["张伟"]
    assert text_of(await chat.send(zw, "/apeal 贷款难")).startswith("没有 /apeal 这个命令。您是不是想用 /appeal？")
    assert text_of(await chat.send(zw, "/zzzz")) == "未知命令。发送 /help 查看您可以使用的命令。"
    assert text_of(await chat.send(zw, "/cancel")) == "当前没有进行中的操作。"
    assert await chat.send(zw, "好" * 5012, **GROUP) == []  # not meant for the bot: silent
    assert "消息过长" in text_of(await chat.send(zw, "好" * 5012))


async def test_plain_questions_go_to_policy_answers(demo):
    db, refs = demo
    await _import_handbook(db)
    chat = ChatDriver(db)
    zw = refs.user_ids["张伟"]
    for text in ("贷款贴息政策", "我想问一下专精特新的奖励"):
        reply = text_of(await chat.send(zw, text))
        assert "我没能理解" not in reply and "《" in reply, (text, reply)


async def test_lookup_by_words_opens_the_appeal_for_whoever_may_see_it(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    for who in ("张伟", "李卫东", "王建国"):
        r = await chat.send(u[who], f"帮我查一下诉求{aid}的进展")
        assert r[0].text.startswith(f"📋 诉求 #{aid}"), who
    r = await chat.send(u["孙丽"], f"帮我查一下诉求{aid}的进展")  # another county's reviewer
    assert r[0].text == f"没有找到您可查看的诉求 #{aid}。发送 /my 或 /todo 查看您的诉求。"


async def test_a_problem_in_private_is_offered_as_an_appeal(demo):
    db, refs = demo
    chat = ChatDriver(db)
    zw = refs.user_ids["张伟"]
    r = await chat.send(zw, "企业用电紧张，希望协调供电公司增加变压器容量")
    assert "要作为问题诉求提交" in r[0].text and await _appeals(db) == 0
    r = await chat.press(zw, buttons_of(r)["📝 提交为诉求"])
    assert "已提交诉求 #1" in r[0].text and await _appeals(db) == 1
    # Declining, or writing something else, files nothing and the next message is handled normally.
    r = await chat.send(zw, "企业环评手续迟迟批不下来，影响投产")
    assert "要作为问题诉求提交" in r[0].text
    r = await chat.send(zw, "/my")
    assert "我的诉求" in r[0].text and await _appeals(db) == 1
    r = await chat.send(zw, "我要反映问题")
    assert "请选择诉求类别" in r[0].text  # the guided /appeal


async def test_a_waiting_draft_is_not_dropped_by_a_new_appeal(demo):
    db, refs = demo
    chat = ChatDriver(db)
    zw = refs.user_ids["张伟"]
    await chat.send(zw, "/appeal")
    await chat.press(zw, f"ai:c:a:{zw}")
    await chat.press(zw, f"ai:u:B:{zw}")
    await chat.send(zw, LOAN_TEXT)
    r = await chat.press(zw, f"ai:done:{zw}")
    assert "确认提交" in buttons_of(r)
    r = await chat.send(zw, "/appeal")
    assert "尚未提交" in r[0].text and {"确认提交", "继续修改", "放弃"} <= set(buttons_of(r))
    r = await chat.press(zw, buttons_of(r)["继续修改"])
    assert "请重新发送问题描述" in r[0].text
    await chat.send(zw, LOAN_TEXT + "，用于购买原材料")
    r = await chat.press(zw, f"ai:done:{zw}")
    r = await chat.press(zw, buttons_of(r)["确认提交"])
    assert "已提交诉求 #1" in r[0].text


async def test_the_same_appeal_twice_warns_and_offers_the_first(demo):
    db, refs = demo
    chat = ChatDriver(db)
    zw = refs.user_ids["张伟"]
    first = await file_quick(chat, zw)
    r = await chat.send(zw, f"/appeal {LOAN_TEXT}")
    assert f"已有一条内容相同的诉求 #{first}" in r[0].text and f"查看 #{first}" in buttons_of(r)
    assert await _appeals(db) == 1
    r = await chat.press(zw, buttons_of(r)["仍然提交"])
    assert "已提交诉求 #2" in r[0].text
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(DialogState)) == 0


def test_run_with_an_unreachable_telegram_api_prints_one_chinese_line(capsys, monkeypatch, tmp_path):
    from bot import cli
    from bot.settings import get_settings

    monkeypatch.setenv("PANDENG_BOT_TOKEN", "1:x")
    monkeypatch.setenv("PANDENG_TELEGRAM_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("PANDENG_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'run.db'}")
    get_settings.cache_clear()
    try:
        assert cli.main(["run", "--no-scheduler"]) == 3
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "无法连接 Telegram 服务器" in err[0]
    assert "PANDENG_PROXY" in err[0] and "PANDENG_TELEGRAM_API_BASE" in err[0] and "Traceback" not in err[0]


def test_console_warnings_go_to_the_log_file_not_the_transcript(tmp_path, monkeypatch):
    import logging

    from bot.console import log_to_file
    from bot.logsetup import configure

    configure("INFO")
    log_to_file(tmp_path / "console.log")
    logging.getLogger("storage.workdays").warning("no official holiday data for 2031")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "2031" in (tmp_path / "console.log").read_text(encoding="utf-8")
    configure("WARNING")


def test_readme_walkthrough_dissatisfied_to_reviewer_with_a_file_at_closing(tmp_path):
    """The README's second walk-through, line for line, in a real `pandeng console`."""
    import re
    from pathlib import Path

    from .test_appeals_console import console

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("### 不满意 → 县级裁定", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = re.findall(r"'([^']*)'", block.split("printf '%s\\n'", 1)[1])
    out = console(f"sqlite+aiosqlite:///{tmp_path / 'walk.db'}", lines, tmp_path, "--demo", "--as", "cadre")
    final = out.rsplit("我：/appeal 1", 1)[1]
    assert "状态：已销号" in final and "附件（1 个）：批复文件.pdf（办结）" in final
    assert "企业不满意 2 次" in final and "裁定说明：已两次协调银行" in final
    assert "已收到附件（共 1 个）" in out and "提交任城区县级指挥部裁定" in out

"""Policy answers through the real Dispatcher on SQLite and PostgreSQL: import, ask, cite, not covered
to appeal, /policies, admin file import with notices, stale and forged buttons."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.policy import question_stats
from handlers.ports import Ports
from handlers.policy.store import import_bytes
from storage.models import Appeal, utcnow
from storage.models.policy import PolicyClause, PolicyDoc, PolicyQuestion
from tests.chat import ChatDriver, buttons_of, text_of

ROOT = Path(__file__).resolve().parent.parent
HANDBOOK = ROOT / "nlp" / "data" / "handbook"
GAZELLE = """测试市瞪羚企业奖励办法
测试市工业和信息化局 2026年2月1日
第一条 本办法适用于瞪羚企业，申报企业须上年度营业收入1亿元以上。
第二条 对新认定的瞪羚企业给予30万元奖励。
第三条 申报时间为每年3月1日至3月31日。
"""


async def _import_handbook(db) -> None:
    async with db.session() as s:
        for p in sorted(HANDBOOK.iterdir()):
            if p.suffix in (".md", ".txt", ".docx"):
                await import_bytes(s, p.read_bytes(), p.name, user_id=None, now=utcnow(), notify=False)


@pytest.fixture
async def chat(demo):
    db, _refs = demo
    await _import_handbook(db)
    return ChatDriver(db)


async def _rows(db, model, *where):
    async with db.session() as s:
        return list(await s.scalars(select(model).where(*where).order_by(model.id)))


async def test_policy_command_cites_clause_and_offers_related(chat):
    zw = await chat.user("张伟")
    replies = await chat.send(zw.id, "/policy 招一个全日制博士，每月补贴多少？")
    text = text_of(replies)
    assert "《济宁市支持企业引进培育高层次人才实施办法》第四条" in text and "3000元" in text
    related = {t: d for t, d in buttons_of(replies).items() if t.startswith("相关")}
    assert 1 <= len(related) <= 2 and all(d.startswith("po:c:") for d in related.values())
    shown = text_of(await chat.press(zw.id, next(iter(related.values()))))
    assert shown.startswith("📄《") and "\n" in shown
    q = (await _rows(chat.db, PolicyQuestion))[-1]
    assert q.outcome == "answer" and q.answered and q.clause_id is not None and q.user_id == zw.id


async def test_county_policy_is_flagged_for_other_counties(chat):
    zw = await chat.user("张伟")  # 任城区
    text = text_of(await chat.send(zw.id, "/policy 出口信用保险保费能补贴吗"))
    assert "第二条" in text and "仅适用于邹城市的企业" in text


def test_console_session(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PANDENG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"}
    run = lambda args, stdin="": subprocess.run(  # noqa: E731
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True, cwd=tmp_path,
        env=env, timeout=120)
    assert run(["policy", "import", "--demo", "--no-notify"]).returncode == 0
    out = run(["console", "--demo", "--as", "cadre"], "/policy 首次认定高新技术企业奖励多少？\n/policy 加班工资怎么计算\n1\n/quit\n")
    assert out.returncode == 0, out.stderr
    assert "一、（一）1." in out.stdout and "30万元" in out.stdout
    assert "已转为政策支持诉求" in out.stdout


async def test_plain_private_question_is_answered_but_chatter_is_not(chat):
    zw = await chat.user("张伟")
    text = text_of(await chat.send(zw.id, "专精特新企业流动资金贷款有贴息吗？"))
    assert "二、（二）" in text and "30%" in text
    assert "我没能理解" in text_of(await chat.send(zw.id, "今天天气怎么样？"))
    assert "我没能理解" in text_of(await chat.send(zw.id, "收到，谢谢"))
    assert [q.question for q in await _rows(chat.db, PolicyQuestion)] == ["专精特新企业流动资金贷款有贴息吗？"]


async def test_uncovered_question_becomes_policy_appeal_once(chat):
    zw, yf = await chat.user("张伟"), await chat.user("杨帆")
    replies = await chat.send(zw.id, "/policy 企业职工社保费能减免或者缓缴吗")
    assert "汇编" in text_of(replies) and "转为政策支持诉求" in buttons_of(replies)
    data = buttons_of(replies)["转为政策支持诉求"]
    # another cadre cannot use it: nothing is filed
    assert (await chat.press(yf.id, data))[0].toast
    assert await _rows(chat.db, Appeal) == []
    done = await chat.press(zw.id, data)
    assert "已转为政策支持诉求" in text_of(done)
    appeals = await _rows(chat.db, Appeal)
    assert len(appeals) == 1 and appeals[0].category == "政策" and "社保费" in appeals[0].description
    q = (await _rows(chat.db, PolicyQuestion))[-1]
    assert q.appeal_id == appeals[0].id and q.outcome in ("none", "related") and not q.answered
    again = await chat.press(zw.id, data)
    assert again[0].toast and "已转为诉求" in again[0].text
    assert len(await _rows(chat.db, Appeal)) == 1
    async with chat.db.session() as s:
        stats = await question_stats(s)
    assert stats["asked"] == 1 and stats["appeals"] == 1 and stats["answer"] == 0
    admin = await chat.user("王建国")
    report = text_of(await chat.send(admin.id, "/policystats"))
    assert "政策提问 1 次" in report and "转为诉求 1" in report and "社保费" in report
    assert "无权" in text_of(await chat.send(zw.id, "/policystats"))


async def test_cadre_of_several_enterprises_picks_one_and_forged_ids_are_refused(chat):
    yf = await chat.user("杨帆")
    replies = await chat.send(yf.id, "/policy 加班工资怎么计算")
    data = buttons_of(replies)["转为政策支持诉求"]
    choose = await chat.press(yf.id, data)
    options = buttons_of(choose)
    assert len(options) == 2 and all(d.startswith(data + ":") for d in options.values())
    forged = await chat.press(yf.id, data + ":1")  # enterprise 1 belongs to 张伟
    assert forged[0].toast and await _rows(chat.db, Appeal) == []
    await chat.press(yf.id, next(iter(options.values())))
    assert len(await _rows(chat.db, Appeal)) == 1
    assert (await chat.press(yf.id, "po:c:999999"))[0].toast
    assert (await chat.press(yf.id, "po:zz:1"))[0].toast


async def test_group_answer_has_no_appeal_button(chat):
    from storage.demo import DEMO_GROUP_CHAT_ID

    zw = await chat.user("张伟")
    replies = await chat.send(zw.id, "/policy 出口退税怎么办理", chat_id=DEMO_GROUP_CHAT_ID, chat_type="supergroup")
    assert "转为政策支持诉求" not in buttons_of(replies)
    # plain questions in groups are left to other areas
    assert await chat.send(zw.id, "高企认定奖励多少？", chat_id=DEMO_GROUP_CHAT_ID, chat_type="supergroup") == []


async def test_admin_file_import_versions_and_notices(chat, tmp_path):
    admin, zw = await chat.user("王建国"), await chat.user("张伟")
    path = tmp_path / "瞪羚办法.txt"
    path.write_text(GAZELLE, encoding="utf-8")
    att = dict(kind="document", file_id=f"console:{path}", file_name=str(path))
    from handlers.types import Attachment

    # a cadre's file is not an import
    text = text_of(await chat.send(zw.id, "", attachments=(Attachment(**att),)))
    assert "已导入" not in text
    replies = await chat.send(admin.id, "", attachments=(Attachment(**att),))
    text = text_of(replies)
    assert "已导入《测试市瞪羚企业奖励办法》：3 条" in text and "营业收入10000万元以上" in text
    notices = [o for o in await chat.outbox(zw.id) if "测试市瞪羚企业奖励办法" in o.text]
    assert len(notices) == 1 and "企业类型：瞪羚" in notices[0].text  # a condition not yet met
    # /policies lists it with the unmet condition and the window
    pol = text_of(await chat.send(zw.id, "/policies"))
    assert "《测试市瞪羚企业奖励办法》" in pol and "尚未满足：企业类型：瞪羚" in pol and "每年3月1日至3月31日" in pol
    assert "邹城市支持企业开拓" not in pol  # a 邹城市 policy is not for a 任城区 enterprise
    # re-import of the same title: a new version, the old one kept
    path.write_text(GAZELLE.replace("30万元", "40万元"), encoding="utf-8")
    assert "第1版已保留" in text_of(await chat.send(admin.id, "", attachments=(Attachment(**att),)))
    docs = await _rows(chat.db, PolicyDoc, PolicyDoc.title == "测试市瞪羚企业奖励办法")
    assert [(d.version, d.current) for d in docs] == [(1, False), (2, True)]
    assert docs[0].replaced_by_id == docs[1].id
    ans = text_of(await chat.send(zw.id, "/policy 新认定瞪羚企业奖励多少"))
    assert "40万元" in ans and "30万元" not in ans


async def test_bad_files_change_nothing(chat, tmp_path):
    from handlers.types import Attachment

    admin = await chat.user("王建国")
    empty = tmp_path / "空白.md"
    empty.write_text("只有标题\n没有任何编号的正文。", encoding="utf-8")
    async with chat.db.session() as s:
        before = await s.scalar(select(func.count(PolicyClause.id)))
    text = text_of(await chat.send(admin.id, "", attachments=(Attachment("document", f"console:{empty}", str(empty)),)))
    assert "导入失败" in text
    text = text_of(await chat.send(admin.id, "", attachments=(Attachment("document", "console:/no/such.md", "x.md"),)))
    assert "下载失败" in text
    # an adapter-registered fetcher is used when present
    async def fetcher(_fid: str) -> bytes:
        return await _bytes(GAZELLE)

    with_port = ChatDriver(chat.db, ports=Ports(files={"console": fetcher}))
    ok = text_of(await with_port.send(admin.id, "", attachments=(Attachment("document", "tg-file-1", "g.txt"),)))
    assert "已导入" in ok
    async with chat.db.session() as s:
        assert await s.scalar(select(func.count(PolicyClause.id))) == before + 3


async def _bytes(text: str) -> bytes:
    return text.encode("utf-8")


async def test_empty_and_overlong_questions(chat):
    zw = await chat.user("张伟")
    assert "请在命令后写上问题" in text_of(await chat.send(zw.id, "/policy"))
    assert "问题太长" in text_of(await chat.send(zw.id, "/policy " + "补贴" * 200))
    assert "请用文字描述" in text_of(await chat.send(zw.id, "/policy ？？？"))
    assert await _rows(chat.db, PolicyQuestion) == []


async def test_no_handbook_yet(demo):
    db, _ = demo
    chat = ChatDriver(db)
    zw = await chat.user("张伟")
    assert "尚未导入" in text_of(await chat.send(zw.id, "/policy 高企奖励多少"))
    assert "尚未导入" in text_of(await chat.send(zw.id, "/policies"))


def test_cli_import_list_ask(tmp_path, monkeypatch, capsys):
    from bot.cli import main
    from bot.settings import get_settings

    monkeypatch.setenv("PANDENG_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        def run(*args) -> tuple[int, str]:
            code = main(["policy", *args])
            return code, capsys.readouterr().out

        people = str(HANDBOOK / "济宁市支持企业引进培育高层次人才实施办法.txt")
        code, out = run("import", "--demo", people)  # the same file twice: unchanged, no second version
        assert code == 0 and out.count("✅ 已导入") == 9 and "内容未变化，未导入" in out and "第1版已保留" not in out
        code, out = run("list")
        assert "共 9 份现行文件" in out and "v2" not in out
        code, out = run("ask", "首次认定高新技术企业奖励多少")
        assert code == 0 and "一、（一）1." in out
        assert run("ask", "加班工资怎么计算")[0] == 3
        assert run("import", str(tmp_path / "missing.md"))[0] == 1
    finally:
        get_settings.cache_clear()


async def test_closed_one_off_window_sends_no_notice(demo):
    db, _ = demo
    old = GAZELLE.replace("申报时间为每年3月1日至3月31日", "申报时间为2025年3月1日至2025年3月31日").replace("测试市", "旧测试市")
    async with db.session() as s:
        result = await import_bytes(s, old.encode(), "old.txt", user_id=None, now=utcnow())
    assert result.notified == 0 and result.doc.window["recurring"] is False

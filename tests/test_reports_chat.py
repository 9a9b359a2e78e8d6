"""/stats, /overdue, /export, /chart and /enterprise through the real Dispatcher, with role checks."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.chat import ChatDriver, Clock, text_of
from tests.reports_data import NOW, seed_appeals


async def _chat(demo):
    db, refs = demo
    ids = await seed_appeals(db, refs)
    return ChatDriver(db, clock=Clock(NOW)), refs.user_ids, ids


async def test_stats_roles_and_figures(demo):
    chat, u, _ = await _chat(demo)
    text = text_of(await chat.send(u["王建国"], "/stats county 2026-03"))
    assert "受理诉求：6" in text and "办结率：50.0%" in text and "按期办结率：66.7%" in text
    assert "满意率：66.7%" in text and "当前逾期：2" in text and "办结用时中位数（工作日）：5" in text
    assert "任城区：受理4，办结率75.0%" in text and "供需信息：0" in text and "政策咨询：0" in text
    text = text_of(await chat.send(u["李卫东"], "/stats 2026-03"))  # reviewer of 任城区
    assert "【任城区】" in text and "受理诉求：4" in text and "当前逾期：1" in text
    assert "只能查看本县区" in text_of(await chat.send(u["李卫东"], "/stats 邹城市 2026-03"))
    assert "无权" in text_of(await chat.send(u["张伟"], "/stats"))
    assert "无权" in text_of(await chat.send(u["赵敏"], "/stats"))
    assert "办结率 =（解决办结 + 解释说明办结）÷ 受理诉求" in text_of(await chat.send(u["李卫东"], "/stats 口径"))
    assert "无法识别：火星" in text_of(await chat.send(u["王建国"], "/stats 火星"))
    text = text_of(await chat.send(u["王建国"], "/stats category 2026-03-01至2026-03-04"))
    assert "受理诉求：4" in text and "金融：受理2" in text


async def test_overdue_lists(demo):
    chat, u, ids = await _chat(demo)
    text = text_of(await chat.send(u["王建国"], "/overdue"))
    # a8: deadline Fri 02-27; to Fri 03-20 that is 15 weekdays plus Sat 02-28, a make-up working day (调休).
    assert f"#{ids['a8']}" in text and "逾期 16 个工作日" in text and f"#{ids['a4']}" in text and "逾期 2 个工作日" in text
    assert "【土地要素保障组】1 件" in text and "已催办 0 次" in text
    text = text_of(await chat.send(u["李卫东"], "/overdue"))
    assert f"#{ids['a4']}" in text and f"#{ids['a8']}" not in text
    assert "没有逾期" in text_of(await chat.send(u["赵敏"], "/overdue"))  # 金融组 has none overdue
    assert "无权" in text_of(await chat.send(u["张伟"], "/overdue"))


async def test_export_in_chat(demo):
    chat, u, _ = await _chat(demo)
    replies = await chat.send(u["王建国"], "/export 2026-03")
    doc = replies[0].document
    assert doc.filename.endswith(".xlsx") and "7 条" in replies[0].text
    assert load_workbook(io.BytesIO(doc.content)).sheetnames == ["汇总", "任城区", "邹城市", "台账（打印版）"]
    replies = await chat.send(u["李卫东"], "/export 2026-03")
    wb = load_workbook(io.BytesIO(replies[0].document.content))
    assert wb.sheetnames == ["汇总", "任城区", "台账（打印版）"] and wb["任城区"].max_row == 1 + 5
    replies = await chat.send(u["王建国"], "/export csv 金融")
    assert replies[0].document.filename.endswith(".csv") and replies[0].document.content.startswith(b"\xef\xbb\xbf")
    assert replies[0].document.content.decode("utf-8-sig").count("\n") == 1 + 5  # a1 a2 a5 a7 and the duplicate a9
    assert "无权" in text_of(await chat.send(u["张伟"], "/export"))


async def test_chart_in_chat(demo):
    chat, u, _ = await _chat(demo)
    replies = await chat.send(u["王建国"], "/chart 2026Q1")
    names = [r.photo.filename for r in replies]
    assert [n.split("_")[0] for n in names] == ["类别按月", "县区比率", "供需漏斗"]
    # A reviewer's charts of the same day never take the admin's file names (issue 15).
    theirs = [r.photo.filename for r in await chat.send(u["李卫东"], "/chart 2026Q1")]
    assert not set(names) & set(theirs) and all("任城区" in n for n in theirs) and all("全市" in n for n in names)
    assert all(r.photo.content.startswith(b"\x89PNG") for r in replies)
    assert "无权" in text_of(await chat.send(u["张伟"], "/chart"))


async def test_enterprise_file(demo):
    chat, u, ids = await _chat(demo)
    text = text_of(await chat.send(u["王建国"], "/enterprise 恒泰重工"))
    assert "济宁恒泰重工机械有限公司" in text and "专精特新" in text and "张伟" in text
    assert "问题诉求：6 件" in text and f"#{ids['a4']}" in text and "供需信息：0 条" in text
    assert "没有找到" in text_of(await chat.send(u["孙丽"], "/enterprise 恒泰重工"))  # 邹城市 reviewer
    assert "鑫源矿山" in text_of(await chat.send(u["孙丽"], "/enterprise 鑫源矿山"))
    assert "恒泰重工" in text_of(await chat.send(u["张伟"], "/enterprise 恒泰"))  # the cadre's own enterprise
    assert "没有找到" in text_of(await chat.send(u["张伟"], "/enterprise 鑫源矿山"))
    assert "无权" in text_of(await chat.send(u["赵敏"], "/enterprise 恒泰重工"))
    assert "请在命令后写企业名称" in text_of(await chat.send(u["王建国"], "/enterprise"))


async def test_enterprise_file_lists_policies_it_may_qualify_for(demo):
    from bot.demo import seed_everything

    db, refs = demo
    chat = ChatDriver(db)
    assert "尚未导入政策汇编" in text_of(await chat.send(refs.user_ids["王建国"], "/enterprise 恒泰重工"))
    await seed_everything(db)
    text = text_of(await chat.send(refs.user_ids["王建国"], "/enterprise 恒泰重工"))
    assert "可能适用的政策" in text and "《济宁市支持制造业高质量发展的若干政策措施》" in text

"""Issue 15: one definition of each figure; /stats, /overdue, /ledger, /export, the digest and 周快报 agree."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

from openpyxl import load_workbook
from sqlalchemy import select

from handlers.reminders.digest import city_text
from storage.figures import week_figures
from storage.models import Appeal, AppealStatus, User
from storage.reports_ledger import export_ledger
from storage.reports_stats import Scope, breakdown
from tests.chat import ChatDriver, text_of

from .test_appeals_kit import file_quick, force, unit_id

S = AppealStatus
FILED = datetime(2026, 3, 4, 2, 0, tzinfo=timezone.utc)  # Wednesday
TODAY = date(2026, 3, 9)  # the Monday after: the week is 03-03..03-09
NOW = datetime(2026, 3, 9, 2, 0, tzinfo=timezone.utc)
TEXTS = ["企业流动资金紧张，希望协调银行续贷500万元", "企业新厂房建设用地指标不足，希望协调新增用地",
         "企业扩产需要增容变压器，希望供电公司支持", "企业招聘高级技工困难，希望人才政策支持",
         "企业申请技改补贴迟迟未到账，希望协调兑现"]


async def _world(db, refs):
    chat = ChatDriver(db)
    chat.clock.now = FILED
    ids = [await file_quick(chat, refs.user_ids["张伟"], t) for t in TEXTS]
    finance = await unit_id(db, "金融要素保障组")
    done = datetime(2026, 3, 6, 2, 0, tzinfo=timezone.utc)
    common = dict(unit_id=finance, assigned_at=FILED, level="county")
    await force(db, ids[0], status=S.IN_PROGRESS, deadline=date(2026, 3, 5), **common)  # overdue
    await force(db, ids[1], status=S.ASSIGNED, deadline=date(2026, 3, 5), duplicate_of_id=ids[0], **common)  # a duplicate
    await force(db, ids[2], status=S.RESOLVED, deadline=date(2026, 3, 20), outcome="resolved", finished_at=done, **common)
    await force(db, ids[3], status=S.CLOSED, deadline=date(2026, 3, 20), outcome="resolved", finished_at=done,
                closed_at=done, satisfaction="满意", **common)
    await force(db, ids[4], status=S.IN_PROGRESS, deadline=date(2026, 3, 20), **common)
    chat.clock.now = NOW
    return chat, ids


async def test_every_report_counts_the_same_overdue_and_week(demo):
    db, refs = demo
    chat, ids = await _world(db, refs)
    u = refs.user_ids
    async with db.session() as s:
        stats = (await breakdown(s, Scope(), None, TODAY)).total
        week = await week_figures(s, TODAY)
        every = list((await s.scalars(select(Appeal).order_by(Appeal.id))).unique())
        admin = await s.get(User, u["王建国"])
        digest = city_text(admin, every, TODAY, chat.dispatcher.clock().astimezone().tzinfo)
        data, _ = await export_ledger(s, Scope(), None, TODAY, generated=NOW, weekly=True)
    assert stats.overdue_now == 1 and week.overdue_now == 1
    assert (week.new, week.finished, week.new_before) == (4, 2, 0)  # the duplicate is not new work
    overdue = text_of(await chat.send(u["王建国"], "/overdue"))
    assert "逾期诉求 1 件" in overdue and f"#{ids[1]}" not in overdue
    assert "在办超期 1 条" in text_of(await chat.send(u["王建国"], "/ledger"))
    assert "共 1 条" in text_of(await chat.send(u["王建国"], "/ledger 超期"))
    wb = load_workbook(io.BytesIO(data))
    rows = list(wb["任城区"].iter_rows(min_row=2, values_only=True))
    head = [c.value for c in wb["任城区"][1]]
    assert sum(r[head.index("是否逾期")] == "是" for r in rows) == 1
    summary = "\n".join(str(c.value) for row in wb["汇总"].iter_rows() for c in row if c.value)
    assert "本周办结 2 件" in summary and "本周（03-03至03-09）新增诉求 4 件" in summary and "当前逾期 1 件" in summary
    assert "办理中已超期 1 件" in digest
    assert "新增 4 件，办结 2 件" in digest  # the closed one counts: it was finished this week
    # /export takes /ledger's filters: the same one overdue appeal.
    r = await chat.send(u["王建国"], "/export 任城区 超期")
    assert "1 条诉求" in r[0].text
    wb = load_workbook(io.BytesIO(r[0].document.content))
    assert wb["台账（打印版）"].max_row == 3 + 1
    r = await chat.send(u["王建国"], "/export 任城区 哈哈")
    assert "无法识别筛选条件“哈哈”" in r[0].text and "用法：/export" in r[0].text and "/stats" not in r[0].text


async def test_printed_ledger_has_the_office_layout(demo):
    db, refs = demo
    await _world(db, refs)
    async with db.session() as s:
        data, _ = await export_ledger(s, Scope(), None, TODAY, generated=NOW, title="全市问题诉求台账")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["台账（打印版）"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$3" and "&P" in ws.oddFooter.center.text
    assert ws["A1"].value == "全市问题诉求台账" and "统计期间：累计" in ws["A2"].value
    assert [c.value for c in ws[3]][:2] == ["编号", "企业名称"] and ws.max_column == 12
    name = ws["B4"]
    assert name.value == "济宁恒泰重工机械有限公司" and name.alignment.wrap_text and name.border.left.style == "thin"
    full = wb["任城区"]
    assert full.page_setup.orientation == "landscape" and full.print_title_rows == "$1:$1"

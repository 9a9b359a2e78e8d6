"""The official calendar table on SQLite and PostgreSQL: precedence, imports through the CLI, reloads
across processes, deadlines recomputed with history, the fallback mark and the December warning."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from bot.scheduler import tick
from bot.settings import Settings
from handlers.calendar import describe_year
from storage import workdays
from storage.calendar import NewDay, save_days, sync_calendar
from storage.models import Outbox
from storage.models.calendar import HOLIDAY, CalendarDay
from tests.calendar_kit import EXAMPLE_CSV, EXAMPLE_NOTICE, cli
from tests.chat import ChatDriver, Clock, buttons_of, text_of

from .test_appeals_kit import events, file_quick, load

SETTINGS = Settings(_env_file=None)


def local(y, m, d, h=10, mi=0) -> datetime:
    """A Shanghai wall-clock time as aware UTC."""
    return datetime(y, m, d, h - 8, mi, tzinfo=timezone.utc)


async def rows(db) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(CalendarDay))


async def test_table_beats_package_beats_monday_to_friday(db):
    async with db.session() as s:
        await sync_calendar(s, force=True)
        assert workdays.is_workday(date(2026, 10, 10))  # the package: a make-up Saturday
        assert workdays.is_workday(date(2027, 1, 1))  # no data: a Friday counts
        assert workdays.day_source(date(2027, 1, 1)) == workdays.FALLBACK
        await save_days(s, [NewDay(date(2026, 10, 10), HOLIDAY, "更正"), NewDay(date(2027, 1, 1), HOLIDAY, "元旦")], "t")
    assert not workdays.is_workday(date(2026, 10, 10)) and workdays.day_source(date(2026, 10, 10)) == workdays.TABLE
    assert not workdays.is_workday(date(2027, 1, 1))
    assert workdays.is_workday(date(2026, 10, 9))  # the package still decides the days the table lacks
    assert workdays.year_source(2027) == workdays.TABLE and workdays.year_source(2028) == workdays.FALLBACK
    assert workdays.is_workday(date(2028, 1, 3)) and workdays.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    shown = "\n".join(describe_year(2026))  # a year that mixes sources names each day's
    assert "10-10（周六） 更正 放假 1 天　〔数据库日历表〕" in shown and "〔chinesecalendar 软件包〕" in shown


async def test_cli_imports_notice_csv_and_xlsx_and_shows_sources(db, tmp_path):
    out = cli(db.url, "calendar", "import", str(EXAMPLE_NOTICE), "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "2027-02-05 至 2027-02-12  春节  放假 8 天" in out.stdout and "未保存" in out.stdout
    assert await rows(db) == 0
    out = cli(db.url, "calendar", "import", str(EXAMPLE_NOTICE))
    assert out.returncode == 0, out.stderr
    assert "读到" in out.stdout and "已保存：新增" in out.stdout
    shown = cli(db.url, "calendar", "show", "2027").stdout
    assert "来源 数据库日历表" in shown and "02-14（周日） 春节 上班（调休）" in shown
    assert "chinesecalendar 软件包" in cli(db.url, "calendar", "show", "2026").stdout
    assert "暂按周一至周五计算" in cli(db.url, "calendar", "show", "2029").stdout
    deadline = cli(db.url, "calendar", "deadline", "2026-12-31", "1")
    assert deadline.stdout == "2027-01-04\n" and deadline.returncode == 0  # 01-01..03 are off
    deadline = cli(db.url, "calendar", "deadline", "2027-02-04", "2")
    assert deadline.stdout == "2027-02-15\n"  # 02-05..12 off, 02-14 a make-up Sunday
    late = cli(db.url, "calendar", "deadline", "2028-12-29", "1")
    assert late.stdout == "2029-01-01\n" and "暂按周一至周五计算" in late.stderr
    before = await rows(db)
    again = cli(db.url, "calendar", "import", str(EXAMPLE_CSV))  # overlapping days: nothing new
    assert again.returncode == 0 and "新增 0 天，更新 0 天" in again.stdout and await rows(db) == before

    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["日期", "类型", "名称"])
    wb.active.append([datetime(2028, 1, 1), "放假", "元旦"])
    path = tmp_path / "2028.xlsx"
    wb.save(path)
    assert cli(db.url, "calendar", "import", str(path)).returncode == 0
    assert await rows(db) == before + 1


async def test_bad_rows_are_listed_and_nothing_is_saved(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,类型,名称\n2027-01-01,放假,元旦\n2027-02-31,放假,春节\n2027-02-14,半天,春节\n", encoding="utf-8")
    out = cli(db.url, "calendar", "import", str(bad))
    assert out.returncode == 1 and "第3行" in out.stderr and "第4行" in out.stderr and "未保存任何日期" in out.stderr
    assert await rows(db) == 0
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    out = cli(db.url, "calendar", "import", str(broken))
    assert out.returncode == 1 and "未保存" in out.stderr and "Traceback" not in out.stderr
    assert cli(db.url, "calendar", "add", "2027-02-30", "放假").returncode == 2
    assert cli(db.url, "calendar", "add", "2027-02-06", "午休").returncode == 2
    assert await rows(db) == 0
    assert cli(db.url, "calendar", "add", "2027-02-06", "上班", "春节").returncode == 0
    assert await rows(db) == 1


async def test_another_process_loading_days_reaches_this_worker(demo):
    db, refs = demo
    chat = ChatDriver(db, clock=Clock(local(2026, 12, 7)))
    admin = refs.user_ids["王建国"]
    first = text_of(await chat.send(admin, "/calendar 2027"))
    assert "暂按周一至周五计算" in first and workdays.is_workday(date(2027, 1, 4))
    out = cli(db.url, "calendar", "add", "2027-01-04", "放假", "测试假日")
    assert out.returncode == 0, out.stderr
    await asyncio.sleep(1.1)  # a worker looks at the version stamp at most once a second
    shown = text_of(await chat.send(admin, "/calendar 2027"))
    assert "测试假日" in shown and not workdays.is_workday(date(2027, 1, 4))


async def test_loading_a_year_moves_open_deadlines_with_history_and_notices(demo):
    db, refs = demo
    u = refs.user_ids
    chat = ChatDriver(db, clock=Clock(local(2026, 12, 21)))  # a Monday; B = 15 working days
    aid = await file_quick(chat, u["张伟"])
    card = await chat.press(u["李卫东"], f"ap:v:{aid}")
    await chat.press(u["李卫东"], buttons_of(card)["交金融组"])
    assert (await load(db, aid)).deadline == date(2027, 1, 11)  # 2027-01-01 counted: no official data yet
    card = text_of(await chat.press(u["张伟"], f"ap:v:{aid}"))
    assert "2027-01-11" in card and "暂按周一至周五计算" in card
    unchanged = await file_quick(chat, u["秦海"], "企业扩产需要一笔流动资金贷款，希望协调银行加快审批")
    card = await chat.press(u["王建国"], f"ap:v:{unchanged}")
    seen = len(await chat.outbox(u["张伟"]))

    out = cli(db.url, "calendar", "import", str(EXAMPLE_NOTICE))
    assert out.returncode == 0, out.stderr
    assert f"诉求 #{aid}：2027-01-11 → 2027-01-12" in out.stdout
    assert (await load(db, aid)).deadline == date(2027, 1, 12)
    last = (await events(db, aid))[-1]
    assert last.action == "calendar" and last.actor_id is None and "2027-01-12" in last.note
    told = await chat.outbox(u["张伟"])
    assert len(told) == seen + 1 and "2027-01-12" in told[-1].text
    assert any("2027-01-12" in o.text for o in await chat.outbox(u["赵敏"]))  # the unit's handler
    await asyncio.sleep(1.1)
    card = text_of(await chat.press(u["张伟"], f"ap:v:{aid}"))
    assert "2027-01-12" in card and "暂按周一至周五计算" not in card
    again = cli(db.url, "calendar", "import", str(EXAMPLE_NOTICE))  # the same schedule again: nothing moves
    assert "没有在办诉求的时限需要调整" in again.stdout and len(await chat.outbox(u["张伟"])) == seen + 1
    history = text_of(await chat.send(u["张伟"], f"/appeal {aid}"))
    assert "节假日安排更新时限" in history


async def test_december_warning_goes_to_admins_once_a_week(demo):
    db, refs = demo
    admins = {refs.user_ids["王建国"], refs.user_ids["刘红梅"]}

    async def warnings() -> dict[int, int]:
        async with db.session() as s:
            found = await s.execute(select(Outbox.user_id, func.count()).where(Outbox.kind == "calendar")
                                    .group_by(Outbox.user_id))
            return dict(found.all())

    await tick(db, SETTINGS, local(2026, 11, 30, 9, 30))
    assert await warnings() == {}  # November: nothing yet
    await tick(db, SETTINGS, local(2026, 12, 7, 9, 30))
    assert await warnings() == {a: 1 for a in admins}
    await tick(db, SETTINGS, local(2026, 12, 9, 9, 30))
    assert await warnings() == {a: 1 for a in admins}  # the same week: once
    await tick(db, SETTINGS, local(2026, 12, 14, 9, 30))
    assert await warnings() == {a: 2 for a in admins}
    async with db.session() as s:
        texts = [o.text for o in await s.scalars(select(Outbox).where(Outbox.kind == "calendar"))]
    assert all("2027年" in t and "pandeng calendar import" in t for t in texts)
    chat = ChatDriver(db, clock=Clock(local(2026, 12, 14)))
    shown = text_of(await chat.send(refs.user_ids["王建国"], "/calendar"))
    assert "待导入：2027年" in shown
    assert "待导入" not in text_of(await chat.send(refs.user_ids["张伟"], "/calendar"))  # cadres just see the state
    assert cli(db.url, "calendar", "import", str(EXAMPLE_NOTICE)).returncode == 0
    await asyncio.sleep(1.1)
    await tick(db, SETTINGS, local(2026, 12, 21, 9, 30))
    assert await warnings() == {a: 2 for a in admins}  # loaded: no more warnings


async def test_calendar_command_rejects_bad_years(demo):
    db, refs = demo
    chat = ChatDriver(db)
    reply = text_of(await chat.send(refs.user_ids["张伟"], "/calendar ２０２７"))
    assert "用法" in reply
    assert "2026年" in text_of(await chat.send(refs.user_ids["张伟"], "/calendar 2026"))



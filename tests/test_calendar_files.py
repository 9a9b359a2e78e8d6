"""Reading official days: the State Council notice's own text, and csv/xlsx tables with bad rows."""
from __future__ import annotations

from datetime import date, datetime

import chinese_calendar
import pytest

from storage.calendar_files import parse_day, parse_notice, parse_table
from storage.importer import DirectoryImportError
from storage.models.calendar import HOLIDAY, WORKDAY
from tests.calendar_kit import EXAMPLE_NOTICE, NOTICE_2026


def test_the_real_2026_notice_reads_exactly_as_the_package_has_it():
    parsed = parse_notice(NOTICE_2026)
    assert parsed.errors == [] and parsed.warnings == []
    assert {d.day.year for d in parsed.days} == {2026}
    for d in parsed.days:
        assert chinese_calendar.is_workday(d.day) is d.workday, d
    # every day the package sets apart from Monday-Friday is in the notice
    read = {d.day for d in parsed.days}
    day = date(2026, 1, 1)
    while day.year == 2026:
        if chinese_calendar.is_workday(day) != (day.weekday() < 5):
            assert day in read, day
        day = date.fromordinal(day.toordinal() + 1)


def test_example_notice_names_ranges_single_days_and_make_up_days():
    parsed = parse_notice(EXAMPLE_NOTICE.read_text(encoding="utf-8"))
    assert parsed.errors == [] and parsed.warnings == []
    kinds = {d.day: (d.kind, d.name) for d in parsed.days}
    assert kinds[date(2027, 1, 1)] == (HOLIDAY, "元旦")
    assert all(kinds[date(2027, 2, k)] == (HOLIDAY, "春节") for k in range(5, 13))
    assert kinds[date(2027, 2, 14)] == (WORKDAY, "春节") and kinds[date(2027, 2, 20)] == (WORKDAY, "春节")
    assert kinds[date(2027, 6, 9)] == (HOLIDAY, "端午节")  # a one-day holiday, no range
    assert kinds[date(2027, 4, 25)] == (WORKDAY, "劳动节")  # a make-up day before the holiday's month


def test_a_range_across_new_year_and_explicit_years():
    parsed = parse_notice("关于2027年部分节假日安排的通知\n一、元旦：2026年12月31日至2027年1月2日放假，共3天。")
    assert [d.day for d in parsed.days] == [date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]
    shorthand = parse_notice("2027年节假日\n一、元旦：12月31日至1月2日放假，共3天。")
    assert [d.day for d in shorthand.days][-1] == date(2028, 1, 2)


def test_a_miscounted_clause_is_a_warning_and_a_broken_one_an_error():
    parsed = parse_notice("2027年节假日安排\n一、元旦：1月1日至3日放假，共4天。\n二、春节：农历正月初一放假。")
    assert any("共4天" in w for w in parsed.warnings)
    assert any("第二条（春节）" in e for e in parsed.errors)
    assert parse_notice("一、元旦：1月1日放假。").errors  # no year anywhere
    assert parse_notice("随便写的一段话").errors
    assert parse_notice("2027年节假日安排\n一、春节：2月30日放假。").errors  # no such day


def test_csv_table_rows_and_bad_rows_by_number(tmp_path):
    good = tmp_path / "cal.csv"
    good.write_text("日期,类型,名称\n2027-01-01,放假,元旦\n2027/2/14,上班,春节\n2027年2月15日,休息,\n", encoding="utf-8")
    parsed = parse_table(good)
    assert parsed.errors == []
    assert [(d.day, d.kind, d.name) for d in parsed.days] == [
        (date(2027, 1, 1), HOLIDAY, "元旦"), (date(2027, 2, 14), WORKDAY, "春节"), (date(2027, 2, 15), HOLIDAY, "")]
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,类型,名称\n2027-01-01,放假,元旦\n2027-13-01,放假,x\n2027-01-02,半天,x\n2027-01-01,上班,\n",
                   encoding="gbk")
    errors = parse_table(bad).errors
    assert any(e.startswith("第3行") for e in errors) and any(e.startswith("第4行") for e in errors)
    assert any(e.startswith("第5行") and "重复" in e for e in errors)
    headless = tmp_path / "headless.csv"
    headless.write_text("day,what\n2027-01-01,放假\n", encoding="utf-8")
    with pytest.raises(DirectoryImportError):
        parse_table(headless)


def test_xlsx_with_real_date_cells(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["日期", "类型", "名称"])
    wb.active.append([datetime(2027, 10, 9), "上班", "国庆节"])
    wb.active.append(["2027-10-01", "放假", "国庆节"])
    path = tmp_path / "cal.xlsx"
    wb.save(path)
    parsed = parse_table(path)
    assert parsed.errors == [] and [d.day for d in parsed.days] == [date(2027, 10, 9), date(2027, 10, 1)]


@pytest.mark.parametrize("text, expected", [
    ("2027-01-01", date(2027, 1, 1)), ("2027.1.1", date(2027, 1, 1)), ("20270101", date(2027, 1, 1)),
    ("2027-01-01 00:00:00", date(2027, 1, 1)), ("2027-02-30", None), ("明天", None), ("", None),
])
def test_parse_day(text, expected):
    assert parse_day(text) == expected

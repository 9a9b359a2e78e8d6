"""Importing the grid company's readings: long and wide layouts, GBK, 户号, bad rows, re-import."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, update

from storage.demo import ENTERPRISES
from storage.models import Enterprise
from storage.models.power import PowerReading
from storage.power.importer import PowerImportError, import_readings, parse_day
from tests.power_data import plant, write_long_csv

A, B = ENTERPRISES[0][0], ENTERPRISES[1][0]


async def _readings(db) -> dict[tuple[str, date], float]:
    async with db.session() as s:
        rows = await s.execute(select(Enterprise.name, PowerReading.day, PowerReading.kwh)
                               .join(Enterprise, Enterprise.id == PowerReading.enterprise_id))
        return {(n, d): v for n, d, v in rows}


def _xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
async def test_long_csv_in_utf8_and_gbk(demo, tmp_path, encoding):
    db, _ = demo
    series = {A: plant(date(2026, 3, 1), date(2026, 3, 10)), B: plant(date(2026, 3, 5), date(2026, 3, 10))}
    path = write_long_csv(tmp_path / "p.csv", series, encoding=encoding)
    async with db.session() as s:
        r = await import_readings(s, path)
    assert (r.created, r.updated, r.enterprises) == (16, 0, 2)
    assert (r.first, r.last) == (date(2026, 3, 1), date(2026, 3, 10))
    got = await _readings(db)
    assert len(got) == 16 and got[(A, date(2026, 3, 2))] == series[A][date(2026, 3, 2)]


async def test_wide_xlsx_with_date_cells_and_power_account(demo, tmp_path):
    db, refs = demo
    async with db.session() as s:
        await s.execute(update(Enterprise).where(Enterprise.id == refs.enterprise_ids[1]).values(power_account="3700123456"))
    from datetime import datetime
    path = _xlsx(tmp_path / "w.xlsx", [
        ["户号", "企业名称", datetime(2026, 3, 2), "2026-03-03", "2026/3/4"],
        ["", A, 100, 200.5, ""],  # an empty cell is no reading
        ["3700123456", "", 300, 400, 500],  # matched by 户号 alone
    ])
    async with db.session() as s:
        r = await import_readings(s, path)
    assert (r.created, r.updated) == (5, 0)
    got = await _readings(db)
    assert got[(A, date(2026, 3, 3))] == 200.5 and (A, date(2026, 3, 4)) not in got
    assert got[(B, date(2026, 3, 4))] == 500


async def test_reimport_updates_and_never_doubles(demo, tmp_path):
    db, _ = demo
    first = write_long_csv(tmp_path / "a.csv", {A: plant(date(2026, 3, 1), date(2026, 3, 5))})
    async with db.session() as s:
        await import_readings(s, first)
    second = write_long_csv(tmp_path / "b.csv", {A: {date(2026, 3, 5): 1.0, date(2026, 3, 6): 2.0}})
    async with db.session() as s:
        r = await import_readings(s, second)
    assert (r.created, r.updated) == (1, 1)
    got = await _readings(db)
    assert len(got) == 6 and got[(A, date(2026, 3, 5))] == 1.0
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(PowerReading)) == 6


async def test_bad_rows_reported_with_numbers_and_nothing_imported(demo, tmp_path):
    db, _ = demo
    path = tmp_path / "bad.csv"
    path.write_text("企业名称,日期,用电量\n"
                    f"{A},2026-03-02,100\n"  # row 2: fine
                    "不存在的公司,2026-03-02,100\n"  # row 3
                    f"{A},2026-02-30,100\n"  # row 4: no such date
                    f"{A},2026-03-03,-5\n"  # row 5
                    f"{A},2026-03-02,120\n"  # row 6: same day as row 2
                    f"{B},2026-03-02,一百\n", encoding="utf-8")  # row 7
    async with db.session() as s:
        with pytest.raises(PowerImportError) as err:
            await import_readings(s, path)
    msg = str(err.value)
    for n in (3, 4, 5, 6, 7):
        assert f"第{n}行" in msg
    assert not msg.startswith("第2行") and "\n第2行" not in msg and "不存在的公司" in msg and "与第2行重复" in msg
    assert await _readings(db) == {}


async def test_missing_columns_and_wrong_type(demo, tmp_path):
    db, _ = demo
    (tmp_path / "x.csv").write_text("名字,数量\n甲,1\n", encoding="utf-8")
    (tmp_path / "x.txt").write_text("企业名称,日期,用电量\n", encoding="utf-8")
    async with db.session() as s:
        with pytest.raises(PowerImportError, match="企业名称"):
            await import_readings(s, tmp_path / "x.csv")
        with pytest.raises(PowerImportError, match="不支持"):
            await import_readings(s, tmp_path / "x.txt")


def test_parse_day_forms():
    assert parse_day("2026-03-02") == parse_day("2026/3/2") == parse_day("2026年3月2日") == date(2026, 3, 2)
    assert parse_day("20260302") == parse_day("2026-03-02 00:00:00") == date(2026, 3, 2)
    assert parse_day("46083") == date(2026, 3, 2)  # an Excel serial day
    assert parse_day("2026-13-01") is None and parse_day("昨天") is None


async def test_directory_import_takes_power_accounts_and_refuses_clashes(demo, tmp_path):
    from storage.importer import DirectoryImportError, import_enterprises

    db, _ = demo
    good = tmp_path / "e.csv"
    good.write_text(f"企业名称,所在县区,产业集群,户号\n{A},任城区,高端装备,3700000001\n", encoding="utf-8")
    async with db.session() as s:
        await import_enterprises(s, good)
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称,所在县区,产业集群,户号\n"
                   f"{B},任城区,高端装备,3700000001\n"  # row 2: A's account
                   "新企业甲,任城区,高端装备,3700000009\n"
                   "新企业乙,任城区,高端装备,3700000009\n", encoding="utf-8")  # row 4: same as row 3
    async with db.session() as s:
        with pytest.raises(DirectoryImportError) as err:
            await import_enterprises(s, bad)
    assert "第2行：户号3700000001已属于企业" in str(err.value) and "第4行：户号3700000009与第3行重复" in str(err.value)
    plain = tmp_path / "plain.csv"  # no 户号 column: the account stays
    plain.write_text(f"企业名称,所在县区,产业集群\n{A},任城区,高端装备\n", encoding="utf-8")
    async with db.session() as s:
        await import_enterprises(s, plain)
    async with db.session() as s:
        ent = await s.scalar(select(Enterprise).where(Enterprise.name == A))
        assert ent.power_account == "3700000001"

"""Directory import from CSV and Excel: good files land, a bad row rejects the whole file."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from storage.importer import DirectoryImportError, import_enterprises, import_users
from storage.models import CadreEnterprise, Enterprise, User

SAMPLES = Path(__file__).parent.parent / "docs" / "samples"


async def _count(db, model) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_sample_files_import(db):
    async with db.session() as s:
        assert (await import_enterprises(s, SAMPLES / "enterprises.csv")).total == 2
    async with db.session() as s:
        assert (await import_users(s, SAMPLES / "users.csv")).total == 4
    async with db.session() as s:
        ent = await s.scalar(select(Enterprise).where(Enterprise.name == "济宁示例机械制造有限公司"))
        assert ent.tags == ["规上", "专精特新"] and ent.revenue_wan == 12000 and ent.county.name == "任城区"
        cadre = (await s.scalars(select(User).where(User.phone == "13800000001"))).unique().one()
        links = await s.scalar(select(func.count()).select_from(CadreEnterprise).where(CadreEnterprise.user_id == cadre.id))
        assert cadre.role == "cadre" and links == 2
        admin = (await s.scalars(select(User).where(User.phone == "13800000004"))).unique().one()
        assert admin.unit.code == "city"


def _xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


async def test_bad_row_reported_and_nothing_imported(db, tmp_path):
    path = _xlsx(tmp_path / "e.xlsx", [
        ["企业名称", "所在县区", "产业集群", "标签"],
        ["甲公司", "任城区", "高端装备", "规上"],
        ["乙公司", "火星区", "高端装备", ""],
        ["丙公司", "经开区", "造船", "外星企业"],
        ["乙公司", "任城区", "高端装备", ""],
    ])
    with pytest.raises(DirectoryImportError) as err:
        async with db.session() as s:
            await import_enterprises(s, path)
    message = str(err.value)
    assert "第3行" in message and "火星区" in message
    assert "第4行" in message and "造船" in message and "外星企业" in message
    assert "第5行" in message and "与第3行重复" in message
    assert "第2行" not in message
    assert await _count(db, Enterprise) == 0


async def test_reimport_updates_instead_of_duplicating(db, tmp_path):
    rows = [["企业名称", "县区", "产业集群", "营业收入"], ["甲公司", "高新区", "医药", "100"]]
    async with db.session() as s:
        await import_enterprises(s, _xlsx(tmp_path / "a.xlsx", rows))
    rows[1][3] = "250"
    async with db.session() as s:
        result = await import_enterprises(s, _xlsx(tmp_path / "b.xlsx", rows))
    assert (result.created, result.updated) == (0, 1)
    async with db.session() as s:
        ents = (await s.scalars(select(Enterprise))).all()
        assert [(e.name, e.revenue_wan, e.county.name) for e in ents] == [("甲公司", 250, "济宁高新区")]


async def test_user_rows_checked(db, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("姓名,角色,手机号,单位,县区,驻企企业\n"
                    "甲,驻企干部,139000,,,\n"
                    "乙,责任单位,13900000009,,,\n"
                    "丙,队长,13900000008,,,\n", encoding="utf-8")
    with pytest.raises(DirectoryImportError) as err:
        async with db.session() as s:
            await import_users(s, path)
    message = str(err.value)
    assert "第2行" in message and "手机号" in message and "驻企企业" in message
    assert "第3行" in message and "单位" in message
    assert "第4行" in message and "队长" in message
    assert await _count(db, User) == 0


async def test_missing_headers_and_wrong_type(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("name,county\nA,B\n", encoding="utf-8")
    with pytest.raises(DirectoryImportError, match="缺少必需的列"):
        async with db.session() as s:
            await import_enterprises(s, path)
    other = tmp_path / "x.txt"
    other.write_text("企业名称\n")
    with pytest.raises(DirectoryImportError, match="不支持的文件类型"):
        async with db.session() as s:
            await import_enterprises(s, other)


async def test_gbk_csv(db, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("企业名称,所在县区,产业集群\n丁公司,曲阜市,新材料\n".encode("gb18030"))
    async with db.session() as s:
        assert (await import_enterprises(s, path)).created == 1

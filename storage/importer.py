"""Directory import from the Excel/CSV lists offices keep: enterprises and users, all rows or none."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import CadreEnterprise, Enterprise, OrgUnit, PlatformAccount, Role, UnitKind, User, utcnow
from .cell_safety import is_formula_like
from .org_data import CLUSTERS, COUNTY_ALIASES
from .text_safety import clean_text

MAX_ERRORS_SHOWN = 30

ENTERPRISE_COLUMNS = {
    "name": ("企业名称", "企业", "名称", "单位名称"),
    "county": ("所在县区", "县区", "区县", "县市区", "县（市、区）", "所属县区"),
    "cluster": ("产业集群", "集群", "所属集群", "产业"),
    "tags": ("标签", "企业标签", "企业类型"),
    "credit_code": ("统一社会信用代码", "信用代码"),
    "power_account": ("户号", "用电户号", "电力户号"),
    "revenue_wan": ("营业收入（万元）", "营业收入", "营收（万元）", "营收"),
    "employees": ("从业人数", "员工人数", "职工人数"),
    "main_products": ("主要产品", "主营产品", "产品"),
    "contact_name": ("联系人", "企业联系人"),
    "contact_phone": ("联系电话", "企业联系电话"),
    "address": ("地址", "企业地址"),
}
USER_COLUMNS = {
    "name": ("姓名", "名字"),
    "role": ("角色", "身份"),
    "phone": ("手机号", "手机", "手机号码", "联系电话"),
    "unit": ("单位", "所在单位", "责任单位", "工作单位"),
    "county": ("县区", "所在县区", "区县"),
    "enterprises": ("驻企企业", "联系企业", "包联企业", "企业"),
    "wecom_userid": ("企业微信账号", "企业微信ID", "政务微信账号"),
}
WECOM = "wecom"  # the platform name of WeCom accounts
WECOM_USERID = re.compile(r"[A-Za-z0-9_@.\-]{1,64}")  # WeCom's userid alphabet, 1-64 bytes
ROLE_WORDS = {
    "驻企干部": Role.CADRE, "助企干部": Role.CADRE, "干部": Role.CADRE, "cadre": Role.CADRE,
    "责任单位": Role.HANDLER, "经办人": Role.HANDLER, "handler": Role.HANDLER,
    "县级审核": Role.REVIEWER, "县级指挥部": Role.REVIEWER, "审核人": Role.REVIEWER, "reviewer": Role.REVIEWER,
    "市指挥部办公室": Role.ADMIN, "管理员": Role.ADMIN, "市指挥部": Role.ADMIN, "admin": Role.ADMIN,
}
KNOWN_TAGS = ("规上", "专精特新", "小巨人", "瞪羚", "单项冠军", "高新技术企业", "链主")
TAG_ALIASES = {"高新": "高新技术企业", "高企": "高新技术企业", "专精特新小巨人": "小巨人", "规模以上": "规上"}
SPLIT = re.compile(r"[、,，;；/\s]+")


@dataclass(frozen=True)
class ImportResult:
    """How many rows were new and how many updated existing records."""

    created: int
    updated: int

    @property
    def total(self) -> int:
        """All imported rows."""
        return self.created + self.updated


class DirectoryImportError(Exception):
    """One or more rows are bad; the message lists them by row number. Nothing was imported."""


def _norm(header: object) -> str:
    return re.sub(r"[\s*]", "", str(header or "")).replace("(", "（").replace(")", "）")


ENCODING_ERROR = "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。"


def decode_text(raw: bytes) -> str | None:
    """Office files come as UTF-8 (with or without BOM) or GBK (Excel's "CSV" on Chinese Windows); else None."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_rows(path: str | Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Headers and (row number, cells) from an .xlsx or .csv file; Excel row numbers (header = 1)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif suffix == ".csv":
        text = decode_text(path.read_bytes())
        if text is None:
            raise DirectoryImportError(ENCODING_ERROR)
        rows = _csv_rows(text)
    else:
        raise DirectoryImportError(f"不支持的文件类型 {suffix or '（无扩展名）'}，请使用 .xlsx 或 .csv。")
    if not rows:
        raise DirectoryImportError("文件是空的。")
    headers = [_norm(h) for h in rows[0]]
    body = [(i, r) for i, r in enumerate(rows[1:], start=2) if any(c for c in r)]
    return headers, body


def _xlsx_rows(path: Path) -> list[list[str]]:
    """Cells of the first sheet as cleaned text; a damaged or fake workbook is a DirectoryImportError."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            return [[clean_text("" if c is None else str(c)).strip() for c in row] for row in wb.active.iter_rows(values_only=True)]
        finally:
            wb.close()
    except DirectoryImportError:
        raise
    except Exception as exc:  # zipfile, XML and openpyxl errors of every kind: the file is not a readable workbook
        raise DirectoryImportError(f"无法读取该 Excel 文件（文件损坏、不完整或并非 .xlsx 格式：{exc.__class__.__name__}）。"
                                   "请用 Excel/WPS 重新另存为 .xlsx 后再导入。") from exc


def _csv_rows(text: str) -> list[list[str]]:
    """Cells of a CSV text, cleaned; an over-long field or broken quoting is a DirectoryImportError."""
    reader = csv.reader(io.StringIO(text.replace("\x00", "")))
    try:
        return [[clean_text(c).strip() for c in row] for row in reader]
    except csv.Error as exc:
        raise DirectoryImportError(f"CSV 文件第 {reader.line_num} 行无法解析（单元格过长或引号不配对：{exc}）。") from exc


def _name_problem(name: str, what: str) -> str | None:
    """A name that would run as a spreadsheet formula is refused."""
    return f"{what}“{name[:20]}”以 = + - @ 开头，疑似公式，请改为纯文本" if is_formula_like(name) else None


def _column_map(headers: list[str], spec: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, names in spec.items():
        for name in names:
            if _norm(name) in headers:
                found[key] = headers.index(_norm(name))
                break
    missing = [spec[k][0] for k in required if k not in found]
    if missing:
        raise DirectoryImportError(f"缺少必需的列：{'、'.join(missing)}。第一行应为中文表头。")
    return found


def _cell(row: list[str], cols: dict[str, int], key: str) -> str:
    i = cols.get(key)
    return row[i].strip() if i is not None and i < len(row) and row[i] else ""


def _number(text: str, *, integer: bool = False):
    if not text:
        return None
    value = float(text.replace(",", ""))
    return int(value) if integer else value


async def _counties(session: AsyncSession) -> dict[str, OrgUnit]:
    units = (await session.scalars(select(OrgUnit).where(OrgUnit.kind == UnitKind.COUNTY))).all()
    table = {u.name: u for u in units}
    for alias, full in COUNTY_ALIASES.items():
        table[alias] = table[full]
    return table


def _raise_if(errors: list[str]) -> None:
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"\n……另有 {len(errors) - len(shown)} 处错误" if len(errors) > len(shown) else ""
        raise DirectoryImportError("\n".join(shown) + more)


async def import_enterprises(session: AsyncSession, path: str | Path) -> int:
    """Insert or update enterprises by name; raises DirectoryImportError listing bad rows."""
    headers, rows = read_rows(path)
    cols = _column_map(headers, ENTERPRISE_COLUMNS, ("name", "county", "cluster"))
    counties = await _counties(session)
    errors: list[str] = []
    parsed = []
    seen: dict[str, int] = {}
    accounts: dict[str, tuple[int, str]] = {}  # 户号 -> (row, enterprise name)
    for n, row in rows:
        name, county, cluster = (_cell(row, cols, k) for k in ("name", "county", "cluster"))
        problems = []
        if not name:
            problems.append("企业名称为空")
        elif _name_problem(name, "企业名称"):
            problems.append(_name_problem(name, "企业名称"))
        elif name in seen:
            problems.append(f"企业“{name}”与第{seen[name]}行重复")
        else:
            seen[name] = n
        if county not in counties:
            problems.append(f"县区“{county}”不存在")
        account = _cell(row, cols, "power_account")
        if account and account in accounts:
            problems.append(f"户号{account}与第{accounts[account][0]}行重复")
        elif account:
            accounts[account] = (n, name)
        if cluster not in CLUSTERS:
            problems.append(f"产业集群“{cluster}”应为：{'、'.join(CLUSTERS)}")
        tags = [TAG_ALIASES.get(t, t) for t in SPLIT.split(_cell(row, cols, "tags")) if t]
        bad_tags = [t for t in tags if t not in KNOWN_TAGS]
        if bad_tags:
            problems.append(f"未知标签“{'、'.join(bad_tags)}”")
        try:
            revenue = _number(_cell(row, cols, "revenue_wan"))
            employees = _number(_cell(row, cols, "employees"), integer=True)
            if (revenue or 0) < 0 or (employees or 0) < 0:
                problems.append("营业收入和从业人数不能为负数")
        except ValueError:
            problems.append("营业收入或从业人数不是数字")
            revenue = employees = None
        if problems:
            errors.append(f"第{n}行：{'；'.join(problems)}")
            continue
        parsed.append(dict(
            name=name, county_id=counties[county].id, cluster=cluster, tags=list(dict.fromkeys(tags)),
            credit_code=_cell(row, cols, "credit_code") or None, revenue_wan=revenue, employees=employees,
            main_products=_cell(row, cols, "main_products") or None, contact_name=_cell(row, cols, "contact_name") or None,
            contact_phone=_cell(row, cols, "contact_phone") or None, address=_cell(row, cols, "address") or None,
        ))
        if "power_account" in cols:  # a directory without the 户号 column keeps the accounts already set
            parsed[-1]["power_account"] = account or None
    if accounts:  # a 户号 already belongs to another enterprise: say so instead of failing at the database
        taken = (await session.execute(select(Enterprise.power_account, Enterprise.name)
                                       .where(Enterprise.power_account.in_(list(accounts))))).all()
        for acct, owner in taken:
            if owner != accounts[acct][1]:
                errors.append(f"第{accounts[acct][0]}行：户号{acct}已属于企业“{owner}”")
    _raise_if(errors)
    if not parsed:
        raise DirectoryImportError("文件中没有数据行。")
    names = [v["name"] for v in parsed]
    existing = {e.name: e for e in (await session.scalars(select(Enterprise).where(Enterprise.name.in_(names)))).all()}
    for values in parsed:
        ent = existing.get(values["name"])
        if ent is None:
            session.add(Enterprise(**values))
        else:
            for key, value in values.items():
                setattr(ent, key, value)
    await session.flush()
    return ImportResult(created=len(parsed) - len(existing), updated=len(existing))


async def import_users(session: AsyncSession, path: str | Path) -> int:
    """Insert or update users by phone number; raises DirectoryImportError listing bad rows."""
    headers, rows = read_rows(path)
    cols = _column_map(headers, USER_COLUMNS, ("name", "role", "phone"))
    counties = await _counties(session)
    units = {u.name: u for u in (await session.scalars(select(OrgUnit))).all()}
    units.update({alias: units[full] for alias, full in COUNTY_ALIASES.items()})
    enterprises = {e.name: e.id for e in (await session.scalars(select(Enterprise))).all()}
    errors: list[str] = []
    parsed = []
    phones: dict[str, int] = {}
    wecom_ids: dict[str, int] = {}
    for n, row in rows:
        name, role_text, phone = (_cell(row, cols, k) for k in ("name", "role", "phone"))
        unit_text, county_text = _cell(row, cols, "unit"), _cell(row, cols, "county")
        problems = []
        role = ROLE_WORDS.get(role_text)
        if not name:
            problems.append("姓名为空")
        elif _name_problem(name, "姓名"):
            problems.append(_name_problem(name, "姓名"))
        if role is None:
            problems.append(f"角色“{role_text}”应为：驻企干部、责任单位、县级审核、市指挥部办公室")
        if not re.fullmatch(r"1\d{10}", phone):
            problems.append(f"手机号“{phone}”不是11位手机号")
        elif phone in phones:
            problems.append(f"手机号{phone}与第{phones[phone]}行重复")
        else:
            phones[phone] = n
        wecom = _cell(row, cols, "wecom_userid")
        if wecom and not WECOM_USERID.fullmatch(wecom):
            problems.append(f"企业微信账号“{wecom}”应为1–64位字母、数字或 _ - @ .")
        elif wecom and wecom.lower() in wecom_ids:
            problems.append(f"企业微信账号{wecom}与第{wecom_ids[wecom.lower()]}行重复")
        elif wecom:
            wecom_ids[wecom.lower()] = n
        unit = units.get(unit_text) if unit_text else None
        county = counties.get(county_text) if county_text else None
        ent_names = [e for e in SPLIT.split(_cell(row, cols, "enterprises")) if e]
        if unit_text and unit is None:
            problems.append(f"单位“{unit_text}”不存在")
        if county_text and county is None:
            problems.append(f"县区“{county_text}”不存在")
        if role == Role.HANDLER and unit is None:
            problems.append("责任单位人员必须填写单位")
        if role == Role.REVIEWER and county is None:
            problems.append("县级审核人员必须填写县区")
        if role == Role.CADRE:
            unknown = [e for e in ent_names if e not in enterprises]
            if not ent_names:
                problems.append("驻企干部必须填写驻企企业")
            elif unknown:
                problems.append(f"企业“{'、'.join(unknown)}”不在企业名录中，请先导入企业")
        if problems:
            errors.append(f"第{n}行：{'；'.join(problems)}")
            continue
        if role == Role.ADMIN and unit is None:
            unit = units["市制造强市建设指挥部办公室"]
        parsed.append((dict(name=name, role=str(role), phone=phone, unit_id=unit.id if unit else None,
                            county_id=county.id if county else None), [enterprises[e] for e in ent_names], wecom))
    _raise_if(errors)
    if not parsed:
        raise DirectoryImportError("文件中没有数据行。")
    existing = {u.phone: u for u in (await session.scalars(select(User).where(User.phone.in_(phones)))).unique()}
    _raise_if(await _wecom_conflicts(session, parsed, existing))
    for values, ent_ids, wecom in parsed:
        user = existing.get(values["phone"])
        if user is None:
            user = User(**values, active=True, blocked_bot=False, mute_weekly=False)
            session.add(user)
            await session.flush()
        else:
            for key, value in values.items():
                setattr(user, key, value)
            await session.execute(delete(CadreEnterprise).where(CadreEnterprise.user_id == user.id))
        for ent_id in ent_ids:
            session.add(CadreEnterprise(user_id=user.id, enterprise_id=ent_id))
        if wecom:
            await _bind_wecom(session, user.id, wecom)
    await session.flush()
    return ImportResult(created=len(parsed) - len(existing), updated=len(existing))


async def _wecom_conflicts(session: AsyncSession, parsed: list, existing: dict[str, User]) -> list[str]:
    """Rows whose WeCom userid already belongs to another person."""
    wanted = {w: values["phone"] for values, _, w in parsed if w}
    if not wanted:
        return []
    taken = (await session.execute(select(PlatformAccount.external_id, User.phone)
                                   .join(User, User.id == PlatformAccount.user_id)
                                   .where(PlatformAccount.platform == WECOM, PlatformAccount.external_id.in_(wanted)))).all()
    return [f"企业微信账号{ext}已属于手机号{phone}的人员" for ext, phone in taken if phone != wanted[ext]]


async def _bind_wecom(session: AsyncSession, user_id: int, userid: str) -> None:
    """The user's WeCom account is this userid (an import replaces an older one)."""
    account = await session.scalar(select(PlatformAccount).where(
        PlatformAccount.platform == WECOM, PlatformAccount.user_id == user_id))
    if account is None:
        session.add(PlatformAccount(platform=WECOM, external_id=userid, user_id=user_id, bound_at=utcnow()))
    else:
        account.external_id = userid


async def import_file(session: AsyncSession, kind: str, path: str | Path) -> ImportResult:
    """Dispatch to the enterprise or user importer."""
    if kind == "enterprises":
        return await import_enterprises(session, path)
    if kind == "users":
        return await import_users(session, path)
    raise ValueError(kind)

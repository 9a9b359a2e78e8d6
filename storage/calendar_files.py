"""Reading official calendar days from a table (csv/xlsx: 日期, 类型, 名称) or from the State Council notice.

The notice (国务院办公厅关于YYYY年部分节假日安排的通知) reads, one holiday a clause:
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
so each clause names the holiday, one date range that is 放假, and the dates that are 上班.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .calendar import NewDay
from .importer import DirectoryImportError, read_rows
from .models.calendar import HOLIDAY, WORKDAY

KIND_WORDS = {"放假": HOLIDAY, "休息": HOLIDAY, "假日": HOLIDAY, "节假日": HOLIDAY, "holiday": HOLIDAY,
              "上班": WORKDAY, "补班": WORKDAY, "调休上班": WORKDAY, "工作日": WORKDAY, "workday": WORKDAY}
DATE_HEADERS, KIND_HEADERS, NAME_HEADERS = ("日期", "date"), ("类型", "kind", "安排"), ("名称", "节日", "name")
HOLIDAY_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                 "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
                 "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日"}


@dataclass
class Parsed:
    """What a file gave: the days, and the problems found (row or clause numbers in each)."""

    days: list[NewDay] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_day(text: str) -> date | None:
    """2027-01-01, 2027/1/1, 2027.1.1, 2027年1月1日, 20270101, or an Excel date cell's text."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?", text)
    if m is None:
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _col(headers: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.lower() for h in headers]
    return next((lowered.index(n) for n in names if n in lowered), None)


def parse_table(path: str | Path) -> Parsed:
    """Rows of a csv/xlsx with headers 日期, 类型 (放假|上班) and an optional 名称."""
    out = Parsed()
    headers, body = read_rows(path)
    di, ki, ni = _col(headers, DATE_HEADERS), _col(headers, KIND_HEADERS), _col(headers, NAME_HEADERS)
    if di is None or ki is None:
        raise DirectoryImportError("缺少必需的列：日期、类型。第一行应为表头：日期, 类型, 名称。")
    seen: dict[date, int] = {}
    for number, row in body:
        cell = lambda i: row[i].strip() if i is not None and i < len(row) else ""  # noqa: E731
        day, kind = parse_day(cell(di)), KIND_WORDS.get(cell(ki).lower() if cell(ki).isascii() else cell(ki))
        if day is None:
            out.errors.append(f"第{number}行：日期“{cell(di)[:20]}”无法识别（应为 2027-01-01）")
            continue
        if kind is None:
            out.errors.append(f"第{number}行：类型“{cell(ki)[:10]}”应为“放假”或“上班”")
            continue
        if day in seen:
            out.errors.append(f"第{number}行：{day.isoformat()} 与第{seen[day]}行重复")
            continue
        seen[day] = number
        out.days.append(NewDay(day, kind, cell(ni)[:40]))
    if not out.days and not out.errors:
        out.errors.append("文件里没有日期行。")
    return out


_CN_NUM = "一二三四五六七八九十"
_CLAUSE = re.compile(r"(?:^|\n|。|\s)([一二三四五六七八九十]{1,2})、\s*([^：:\n]{1,12})[：:]")
_FULL = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日"
_PAREN = r"(?:[（(][^）)]*[）)])?"
_RANGE = re.compile(_FULL + _PAREN + r"\s*(?:至|到|—|-|～|~)\s*" + _FULL + _PAREN)
_ONE = re.compile(_FULL + _PAREN)


def _resolve(year: int, month: int | None, day: int, default_year: int, default_month: int | None) -> date:
    return date(year or default_year, month or default_month or 1, day)


def _notice_year(text: str) -> int | None:
    m = re.search(r"(\d{4})\s*年\s*(?:部分)?节假日", text) or re.search(r"(\d{4})\s*年", text)
    return int(m.group(1)) if m else None


def parse_notice(text: str, year: int | None = None) -> Parsed:
    """Holidays and make-up working days from the notice's numbered clauses; the year from its title."""
    out = Parsed()
    year = year or _notice_year(text)
    if year is None:
        out.errors.append("没有找到年份：请用 --year 指定，或包含通知标题（如“关于2027年部分节假日安排的通知”）。")
        return out
    marks = list(_CLAUSE.finditer(text))
    if not marks:
        out.errors.append("没有找到“一、元旦：……放假……”这样的条目。")
        return out
    seen: dict[date, str] = {}
    for i, m in enumerate(marks):
        body = text[m.end(): marks[i + 1].start() if i + 1 < len(marks) else len(text)]
        label, name = f"第{m.group(1)}条（{m.group(2).strip()}）", m.group(2).strip()
        found = False
        for sentence in re.split(r"[。；;\n]", body):
            if "放假" in sentence:
                r = _RANGE.search(sentence)
                try:
                    if r:
                        y1, m1, d1, y2, m2, d2 = (int(g) if g else None for g in r.groups())
                        start = _resolve(y1, m1, d1, year, None)
                        end = _resolve(y2, m2, d2, y1 or year, m1)
                        if end < start and y2 is None:  # 12月31日至1月2日: the range crosses New Year
                            end = end.replace(year=end.year + 1)
                    else:
                        one = _ONE.search(sentence)
                        if one is None:
                            continue
                        y1, m1, d1 = (int(g) if g else None for g in one.groups())
                        start = end = _resolve(y1, m1, d1, year, None)
                except ValueError:
                    out.errors.append(f"{label}：日期不存在“{sentence.strip()[:30]}”")
                    continue
                if (end - start).days > 15 or end < start:
                    out.errors.append(f"{label}：放假区间不合理“{sentence.strip()[:30]}”")
                    continue
                days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
                total = re.search(r"共\s*(\d+)\s*天", sentence)
                if total and int(total.group(1)) != len(days):
                    out.warnings.append(f"{label}：写明共{total.group(1)}天，按日期区间是{len(days)}天")
                for d in days:
                    _add(out, seen, d, HOLIDAY, name, label)
                found = True
            elif "上班" in sentence:
                month = None
                for one in _ONE.finditer(sentence):
                    y1, m1, d1 = (int(g) if g else None for g in one.groups())
                    month = m1 or month
                    try:
                        _add(out, seen, _resolve(y1, month, d1, year, None), WORKDAY, name, label)
                        found = True
                    except ValueError:
                        out.errors.append(f"{label}：日期不存在“{one.group(0)}”")
        if not found:
            out.errors.append(f"{label}：没有读到放假或上班的日期")
    return out


def _add(out: Parsed, seen: dict[date, str], day: date, kind: str, name: str, label: str) -> None:
    if day in seen:
        if seen[day] != kind:
            out.errors.append(f"{label}：{day.isoformat()} 既是放假又是上班")
        return
    seen[day] = kind
    out.days.append(NewDay(day, kind, name))




def english_name(name: str) -> str:
    """The Chinese name of a package holiday (its data names them in English)."""
    return HOLIDAY_NAMES.get(name, name)

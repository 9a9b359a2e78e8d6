"""Pure appeal rules: routing a category to a unit, working-day deadlines, input validation, labels."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Enterprise, OrgUnit, UnitKind
from storage.models.appeals import CATEGORIES
from storage.workdays import add_workdays, workdays_between

FACTOR_CATEGORIES = ("金融", "基金", "土地", "能源", "人才", "生态环境", "政策")
TASK_FORCE_CATEGORIES = ("审批", "市场", "其他")
URGENCY_NAMES = {"A": "A类（紧急）", "B": "B类（一般）"}
SATISFACTION_CHOICES = {"1": "满意", "2": "基本满意", "3": "不满意"}

MIN_LEN = 5
MAX_LEN = 2000


def validate_text(text: str, *, what: str = "诉求内容", min_len: int = MIN_LEN, max_len: int = MAX_LEN) -> str | None:
    """A Chinese error message for an unusable free text, or None when it is fine."""
    text = (text or "").strip()
    if not text:
        return f"{what}不能为空，请用文字说明。"
    meaningful = [ch for ch in text if _is_meaningful(ch)]
    if not meaningful:
        return f"{what}只有表情或符号，请用文字具体说明。"
    if len(meaningful) < min_len:
        if what == "诉求内容":
            return f"{what}太短（至少{min_len}个字），请具体说明遇到的问题、涉及的项目或金额。"
        return f"{what}太短（至少{min_len}个字），请写具体一些。"
    if len(text) > max_len:
        return f"{what}过长（{len(text)}字，上限{max_len}字），请精简后重新发送。"
    return None


def _is_meaningful(ch: str) -> bool:
    # Letters (CJK included) and digits carry content; emoji, symbols, punctuation and spaces do not.
    cat = unicodedata.category(ch)
    return cat[0] in ("L", "N")


async def route_unit(session: AsyncSession, category: str, enterprise: Enterprise) -> OrgUnit | None:
    """The responsible unit a category routes to: a factor group, or the enterprise's cluster task force."""
    if category in FACTOR_CATEGORIES:
        stmt = select(OrgUnit).where(OrgUnit.kind == UnitKind.FACTOR_GROUP, OrgUnit.category == category)
    else:
        stmt = select(OrgUnit).where(OrgUnit.kind == UnitKind.TASK_FORCE, OrgUnit.cluster == enterprise.cluster)
    return (await session.scalars(stmt.limit(1))).first()


def deadline_days(settings, urgency: str, consulted: bool) -> int:
    """Working days allowed: A 5, B 15, after a joint consultation 30 (all from settings)."""
    if consulted:
        return settings.deadline_days_consult
    return settings.deadline_days_a if urgency == "A" else settings.deadline_days_b


def compute_deadline(settings, start: date, urgency: str, consulted: bool) -> date:
    """The deadline counted in working days from the day the appeal enters the ledger."""
    return add_workdays(start, deadline_days(settings, urgency, consulted))


def days_left_label(deadline: date | None, today: date) -> str:
    """'剩余 N 个工作日', '今天到期' or '超期 N 个工作日'."""
    if deadline is None:
        return "未设定"
    if today <= deadline:
        left = workdays_between(today, deadline)
        return "今天到期" if left == 0 else f"剩余 {left} 个工作日"
    return f"超期 {workdays_between(deadline, today)} 个工作日"


def short_unit(name: str | None) -> str:
    """A phone-friendly unit name: 金融要素保障组 -> 金融组, 高端装备产业集群发展专班 -> 高端装备专班."""
    if not name:
        return "—"
    return name.replace("要素保障组", "组").replace("产业集群发展专班", "专班").replace("市制造强市建设指挥部办公室", "市指挥部办公室")


_PLACES = ("山东省", "山东", "济宁市", "济宁", "任城", "兖州", "曲阜", "邹城", "微山", "鱼台", "金乡", "嘉祥", "汶上",
           "泗水", "梁山", "高新区", "经开区", "太白湖")
_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")


def short_enterprise(name: str | None, size: int = 4) -> str:
    """A button-sized enterprise name: '济宁恒泰重工机械有限公司' -> '恒泰重工'."""
    core = name or ""
    for suffix in _SUFFIXES:
        if core.endswith(suffix):
            core = core[: -len(suffix)]
            break
    changed = True
    while changed:  # '济宁高新区云图…' drops both places
        changed = False
        for place in _PLACES:
            if core.startswith(place) and len(core) > len(place) + 1:
                core, changed = core[len(place):], True
    return core[:size] or (name or "")[:size]


def unit_aliases(unit: OrgUnit) -> list[str]:
    """Names a user may type for a unit, longest first."""
    names = {unit.name, short_unit(unit.name)}
    if unit.kind == UnitKind.FACTOR_GROUP:
        names.add(unit.name.replace("要素保障组", "保障组"))
    if unit.kind == UnitKind.COUNTY:
        names.add(unit.name.replace("济宁经济技术开发区", "经开区"))
    return sorted(names, key=len, reverse=True)


def find_unit(text: str, units: list[OrgUnit]) -> OrgUnit | None:
    """The unit named in a free text (longest name wins), or None."""
    best: tuple[int, OrgUnit] | None = None
    for unit in units:
        for alias in unit_aliases(unit):
            if alias and alias in text and (best is None or len(alias) > best[0]):
                best = (len(alias), unit)
    return best[1] if best else None


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"[0-9]+|[零〇一二两三四五六七八九十百]+"
# A count of days: '10个工作日', '十五天', '两周'. '日' right after '月' is a date ('3月20日'), not a count.
_DAYS = re.compile(rf"(?<![0-9.])({_NUMBER})\s*(?:个)?\s*(工作日|工作天|天|日|周|星期)?")
MAX_EXTENSION = 60


def chinese_number(text: str) -> int | None:
    """'十五' -> 15, '二十' -> 20, '一百' -> 100, '两' -> 2; None if it is not a plain Chinese numeral."""
    if not text:
        return None
    total, current = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            if current is not None:
                return None  # '一二' is not a number of days
            current = _CN_DIGITS[ch]
        elif ch in "十百":
            unit = 10 if ch == "十" else 100
            total += (1 if current is None else current) * unit
            current = None
        else:
            return None
    return total + (current or 0)


def _days_in(text: str) -> tuple[int, tuple[int, int]] | None:
    """The requested number of working days and its span; a number with a day unit wins over a bare one."""
    bare = None
    for m in _DAYS.finditer(text):
        raw, unit = m.group(1), m.group(2)
        if unit == "日" and text[max(0, m.start() - 1):m.start()] == "月":
            continue
        if unit is None and text[m.end():m.end() + 1] in ("月", "年", "号", "万", "元", "%", "％", "千", "人", "台", "家"):
            continue
        value = int(raw) if raw.isdigit() else chinese_number(raw)
        if value is None or (unit is None and not raw.isdigit() and m.start() != 0):
            continue  # a bare Chinese numeral counts only at the start ('十五 等待批复'), not in '统一协调'
        if unit in ("周", "星期"):
            value *= 5  # a week is five working days
        if unit:
            return value, m.span()
        if bare is None:
            bare = (value, m.span())
    return bare


def parse_extension(text: str) -> tuple[int, str] | str:
    """Working days and reason from free wording ('需要延期10个工作日', '十五天 等待批复'); else a Chinese error."""
    text = unicodedata.normalize("NFKC", text or "").strip()  # full-width digits and punctuation
    found = _days_in(text)
    if found is None:
        return "没有识别出延期天数，请按格式重新输入。"
    days, (start, end) = found
    if days < 1:
        return "延期天数至少为1个工作日。"
    if days > MAX_EXTENSION:
        return f"延期最多{MAX_EXTENSION}个工作日（您填写了{days}个）；如确需更长时间，请联系审核人员调整时限。"
    reason = text[:start] + " " + text[end:]
    # Drop the verb that went with the number ('需要延期'), keep the reason itself.
    reason = re.sub(r"(?:需要|需|申请|请求|拟|希望|建议)?(?:延期|延长|顺延)(?:时限|期限)?", " ", reason)
    reason = re.sub(r"\s+", " ", reason).strip(" ，,：:、；;。.")
    err = validate_text(reason, what="延期理由", min_len=4, max_len=500)
    return err if err else (days, reason)


# Words that mark an appeal as urgent (A class); a negation right before one cancels it ('尚未停产').
URGENT_WORDS = (
    "十万火急", "火烧眉毛", "迫在眉睫", "刻不容缓", "燃眉之急", "紧急", "急需", "急迫", "紧迫", "加急",
    "停产", "停工", "停线", "停业", "断供", "马上", "立即", "立刻", "影响投产", "影响交货", "影响交付",
    "影响发工资", "发不出工资", "发工资", "工资发放", "面临违约",
)
_NEGATION = ("不", "未", "没", "无", "没有", "并非", "并不")


def infer_urgency(text: str) -> tuple[str, str | None]:
    """('A', the urgent word found) when the description sounds urgent, else ('B', None)."""
    text = text or ""
    for word in URGENT_WORDS:
        start = text.find(word)
        while start != -1:
            before = text[max(0, start - 2):start]
            if not before.endswith(_NEGATION):
                return "A", word
            start = text.find(word, start + 1)
    return "B", None


def parse_date(text: str, today: date) -> date | str:
    """'2026-03-20' or '3月20日' or '10个工作日' -> a date; otherwise a Chinese error message."""
    text = (text or "").strip()
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", text)
    m2 = re.match(r"^(\d{1,2})[-/.月](\d{1,2})日?$", text)
    m3 = re.match(r"^(\d{1,3})\s*个?工作日$", text)
    try:
        if m:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif m2:
            day = date(today.year, int(m2.group(1)), int(m2.group(2)))
        elif m3:
            day = add_workdays(today, int(m3.group(1)))
        else:
            return "请输入日期（如 2026-03-20）或工作日数（如 10个工作日）。"
    except ValueError:
        return "日期无效，请重新输入（如 2026-03-20）。"
    if day < today:
        return "时限不能早于今天。"
    return day


def category_index(category: str) -> int:
    """Position of a category in CATEGORIES (for short callback data)."""
    return CATEGORIES.index(category)

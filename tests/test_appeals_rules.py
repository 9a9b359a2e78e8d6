"""Pure rules: extension requests in free wording, Chinese numerals, urgency inferred from a description."""
from __future__ import annotations

import pytest

from handlers.appeals.rules import chinese_number, infer_urgency, parse_extension


@pytest.mark.parametrize("text, days, reason", [
    ("项目审批流程较长，需要延期10个工作日", 10, "项目审批流程较长"),
    ("5 银行总行审批流程较长", 5, "银行总行审批流程较长"),
    ("需延期１５天，等待省厅批复", 15, "等待省厅批复"),  # full-width digits
    ("十五 等待设备到货安装", 15, "等待设备到货安装"),
    ("申请延期十个工作日：设备3月20日才能到货", 10, "设备3月20日才能到货"),  # '20日' is a date, not days
    ("设备3月20日到货，需延期两周", 10, "设备3月20日到货"),
    ("二十天，等待环评批复结果", 20, "等待环评批复结果"),
    ("60 需等待国家部委批复", 60, "需等待国家部委批复"),
    ("延期1个工作日 补齐签字材料", 1, "补齐签字材料"),
])
def test_extension_days_anywhere_in_the_text(text, days, reason):
    assert parse_extension(text) == (days, reason)


@pytest.mark.parametrize("text, fragment", [
    ("延期几天吧", "没有识别出延期天数"),
    ("需要统一协调，延期", "没有识别出延期天数"),  # '一' inside a word is not a count
    ("0天 等待总行批复", "至少为1个工作日"),
    ("需要延期六十一个工作日，等待批复", "最多60个工作日（您填写了61个）"),
    ("100天 等待批复", "最多60个工作日"),
    ("延期10个工作日", "延期理由不能为空"),
    ("10天 😀", "延期理由"),
])
def test_extension_errors_are_specific(text, fragment):
    result = parse_extension(text)
    assert isinstance(result, str) and fragment in result, result


@pytest.mark.parametrize("text, value", [
    ("十", 10), ("十五", 15), ("二十", 20), ("两", 2), ("三十五", 35), ("一百", 100), ("一二", None), ("abc", None),
])
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize("text, urgency", [
    ("原料断供，工厂下周就要停产", "A"),
    ("企业急需流动资金，否则发不出工资", "A"),
    ("十万火急！订单违约在即", "A"),
    ("项目停工待批，影响投产", "A"),
    ("希望马上协调供电公司", "A"),
    ("非常紧急，请尽快协调", "A"),
    ("企业流动资金紧张，申请贷款被银行拒绝", "B"),
    ("目前尚未停产，希望协调续贷", "B"),
    ("并不紧急，想了解高企认定条件", "B"),
    ("", "B"),
])
def test_urgency_inferred_from_words(text, urgency):
    assert infer_urgency(text)[0] == urgency

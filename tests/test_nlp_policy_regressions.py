"""Regressions of the policy handbook found by a newcomer: short terms (上云), grant-seeking questions,
windows under a 三、申报时间 heading, issuers on their own line or at the end, chatter."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nlp.policy import PolicyIndex, parse_file, parse_text
from nlp.policy.text import is_chatter

HANDBOOK = Path(__file__).resolve().parent.parent / "nlp" / "data" / "handbook"

CLOUD = """济宁市推进数字化转型若干措施
济宁市工业和信息化局
2024年3月1日
一、总体要求
（一）工作目标
1.到2025年，全市数字化转型取得明显成效。
二、支持措施
（一）推动企业数字化
1.对企业开展数字化诊断的，给予诊断费用50%补贴。
2.对企业上云用云的，按照年度服务费的30%给予补贴，最高10万元。
（二）支持工业互联网平台建设
1.对新认定的省级工业互联网平台，给予一次性奖励100万元。
三、申报时间
每年8月1日至9月30日
"""


@pytest.fixture(scope="module")
def idx() -> PolicyIndex:
    """The demo handbook plus the 上云 document."""
    docs = [parse_file(p) for p in sorted(HANDBOOK.iterdir()) if p.suffix in (".md", ".txt", ".docx")]
    return PolicyIndex(docs + [parse_text(CLOUD, "cloud")])


@pytest.mark.parametrize("q", ["企业上云有补贴吗", "上云补贴", "用云有没有补贴"])
def test_short_verb_object_terms_find_their_clause(idx, q):
    ans = idx.answer(q)
    assert ans is not None and ans.hit.doc == "cloud" and ans.hit.clause == "二、（一）2."


def test_short_terms_do_not_break_refusals(idx):
    # 上 and 云 alone are everywhere or nowhere: an unrelated question stays unanswered
    assert idx.answer("云南的企业来济宁有补贴吗") is None or idx.answer("云南的企业来济宁有补贴吗").hit.doc != "cloud"
    assert idx.answer("上海的展会能报销吗") is None or idx.answer("上海的展会能报销吗").hit.doc != "cloud"


def test_support_questions_prefer_granting_clauses(idx):
    top = idx.search("电价有补贴吗", 1)[0]
    assert "差别化" not in top.text and "用电成本" in top.text
    top = idx.search("企业用地有什么优惠", 1)[0]
    assert top.clause in ("第三条", "第四条"), top
    # the penalty clause still answers a question about penalties
    assert idx.search("亩产效益评价为D类会怎么样", 1)[0].clause == "第七条"


def test_window_under_a_heading_and_issuer_on_its_own_line():
    d = parse_text(CLOUD, "cloud")
    assert d.issuer == "济宁市工业和信息化局" and d.issued == dt.date(2024, 3, 1)
    assert d.window is not None and d.window.recurring
    assert (d.window.start.month, d.window.start.day, d.window.end.month, d.window.end.day) == (8, 1, 9, 30)
    assert "\n" not in d.window.text


def test_window_in_sub_items_and_issuer_at_the_end():
    text = """关于推进数字化转型的若干措施
一、支持措施
（一）对企业上云用云的，给予补贴。
二、申报时间
（一）每年8月1日至9月30日集中受理。
（二）逾期不予受理。
济宁市工业和信息化局　济宁市财政局
2024年3月1日
"""
    d = parse_text(text, "x")
    assert d.issuer == "济宁市工业和信息化局 济宁市财政局" and d.issued == dt.date(2024, 3, 1)
    assert d.window is not None and d.window.start.month == 8
    assert all("2024年3月1日" not in c.text and "财政局" not in c.text for c in d.clauses)


def test_an_ordinary_last_line_is_not_taken_for_an_issuer():
    text = "测试措施\n一、支持措施\n（一）给予补贴。\n（二）由市工业和信息化局负责解释。\n"
    d = parse_text(text, "y")
    assert d.issuer == "" and len(d.clauses) == 2


@pytest.mark.parametrize("q", ["你好", "a", "您好！", "在吗", "谢谢", "ok", "？？", "哈哈哈"])
def test_chatter_is_not_a_question(q):
    assert is_chatter(q)


@pytest.mark.parametrize("q", ["贷款", "上云", "专精特新有奖励吗", "稳岗补贴", "IPO奖励", "你好，请问技改有补贴吗"])
def test_real_questions_are_not_chatter(q):
    assert not is_chatter(q)

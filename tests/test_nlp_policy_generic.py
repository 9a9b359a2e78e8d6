"""The rebuilt policy answers (issue 14) on the real shipped handbook and on a small handbook in both
numbering styles: generic index, answer-or-refuse on generic evidence, quotes that keep conditions;
and the char n-gram appeal classifier with its small boundary-rule table."""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.classify import AppealClassifier, classify_appeal, load_examples
from nlp.classify_rules import BOUNDARY_RULES, match_rules
from nlp.policy import HIGH_BAR, PolicyIndex, parse_text
from nlp.policy.decide import Evidence, answer_probability

HANDBOOK = Path(__file__).resolve().parent.parent / "nlp" / "data" / "handbook"
PEOPLE = "济宁市支持企业引进培育高层次人才实施办法"

# a handbook nobody tuned on: one document per numbering style
ARTICLES = """测试市氢能车辆推广办法
测试市发展和改革委员会 2026年5月8日
第一章 总则
第一条 为推广氢燃料电池车辆，制定本办法。
第二条 本办法适用于在本市注册的物流、公交和环卫企业。
第二章 支持政策
第三条 对购置氢燃料电池物流车的企业，按照每辆车3万元给予购车补贴；同一企业每年补贴车辆不超过50辆。已享受国家购置补贴的车辆，市级补贴按照差额执行。申请补贴的车辆须在本市连续运营满2年，运营不满2年转出本市的，追回已发放的补贴。
第四条 氢燃料电池车辆在市内高速公路通行费按照规定予以减免。
"""
HIERARCHY = """测试市促进冷链物流发展若干措施
（2026年6月1日）
一、完善冷链设施
（一）对新建冷库、库容1万吨以上的项目，按照设备投资额的10%给予补助，最高200万元。
（二）对购置冷藏运输车的企业，每辆给予2万元补贴。
二、培育冷链主体
（一）对新评定为国家4A级以上冷链物流企业的，给予20万元奖励。
"""


@pytest.fixture(scope="module")
def real() -> PolicyIndex:
    return PolicyIndex.from_dir(HANDBOOK)


@pytest.fixture(scope="module")
def small() -> PolicyIndex:
    return PolicyIndex([parse_text(ARTICLES, "hydrogen"), parse_text(HIERARCHY, "coldchain")])


def test_covered_question_is_answered_with_document_and_clause_and_keeps_its_conditions(real):
    ans = real.answer("招一个全日制博士，每月补贴多少？")
    assert ans is not None and (ans.sources[0].doc, ans.sources[0].clause) == (PEOPLE, "第四条")
    assert ans.text.startswith(f"《{PEOPLE}》第四条：")
    # issue 15: the quote stopped at "3000元；……" and dropped the term that applies to all of it
    assert "3000元；硕士研究生" in ans.text and "发放期限均为3年" in ans.text and "……" not in ans.text


def test_a_word_the_handbook_never_uses_does_not_sink_a_right_answer(real):
    for q in ("引进博士每月生活补贴多少", "咱厂新来的博士每月生活补贴多少", "俺们厂新招的博士，每月生活补贴给多少嘞"):
        ans = real.answer(q)
        assert ans is not None and (ans.hit.doc, ans.hit.clause) == (PEOPLE, "第四条"), q


def test_uncovered_question_reusing_the_handbooks_words_is_refused_but_offered_the_closest_clauses(real):
    q = "专精特新企业的员工食堂有补贴吗"
    assert real.answer(q) is None
    top = real.search(q, 3)[0]
    assert top.confidence < HIGH_BAR
    assert real.related(q), "the closest clauses are still offered with the appeal button"
    assert real.answer("加班工资怎么计算") is None and real.related("加班工资怎么计算") == []


def test_both_numbering_styles_answer_and_refuse(small):
    ans = small.answer("买氢燃料电池物流车每辆补贴多少")
    assert ans is not None and (ans.hit.doc, ans.hit.clause) == ("hydrogen", "第三条")
    # a long clause is cut to what answers, but never loses its limits and conditions
    assert "每辆车3万元" in ans.text and "不超过50辆" in ans.text and "连续运营满2年" in ans.text
    cold = small.answer("建冷库最多补多少")
    assert cold is not None and (cold.hit.doc, cold.hit.clause) == ("coldchain", "一、（一）")
    assert small.answer("个人买氢能小汽车有补贴吗") is None or small.answer("个人买氢能小汽车有补贴吗").hit.clause != "第四条"
    hits = small.search("冷藏车补贴", k=3)
    assert hits and (hits[0].doc, hits[0].clause) == ("coldchain", "一、（二）")


def test_the_decision_reads_evidence_not_vocabulary():
    strong = Evidence(cosine=0.5, margin=0.3, agree=True, coverage=0.9)
    lone = Evidence(cosine=0.15, margin=0.05, agree=True, coverage=0.3)
    assert answer_probability(strong) >= HIGH_BAR > answer_probability(lone)
    # a clearer margin over the next clause raises the chance, all else equal
    assert answer_probability(Evidence(0.3, 0.2, True, 0.6)) > answer_probability(Evidence(0.3, 0.0, True, 0.6))


def test_classifier_learns_from_all_rows_and_rules_are_only_a_small_table():
    assert sum(len(v) for v in BOUNDARY_RULES.values()) < 150
    # appeals with no rule keyword at all are classified by the n-gram model
    for text, cat in (("供电所说变压器得等明年才能换大的", "能源"), ("厂里缺焊工，招了两个月没招到", "人才"),
                      ("客户嫌价格高，产品积压在仓库", "市场")):
        assert match_rules(text) == {} and classify_appeal(text).category == cat, text
    assert len(load_examples()) > len(load_examples("train"))  # the default model trains on every row
    clf = AppealClassifier([{"text": "苹果香蕉橘子", "category": "市场"}, {"text": "桌子椅子板凳", "category": "其他"}],
                           use_rules=False, other_below=0.0)
    assert clf.classify("香蕉橘子").category == "市场" and clf.classify("椅子板凳").category == "其他"

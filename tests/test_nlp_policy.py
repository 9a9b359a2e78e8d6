"""Policy handbook parser, records and retrieval (pure nlp.policy, no database)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nlp.policy import EnterpriseProfile, PolicyIndex, match, parse_file, parse_text
from nlp.policy.profile import extract_audience, extract_window

HANDBOOK = Path(__file__).resolve().parent.parent / "nlp" / "data" / "handbook"

ARTICLES = """《测试市支持企业技术改造办法》
测试市人民政府办公室 2024年3月1日
第一章 总则
第一条 为推动技术改造，制定本办法。
第二条 本办法适用于规模以上工业企业。
第二章 支持政策
第三条 支持技术改造。对设备投资500万元以上的项目，按10%给予补助。
有下列情形之一的，不予支持：
（一）已享受其他补助的；
（二）失信企业。
第四条 申报时间为每年4月1日至5月31日。
"""

HIERARCHY = """测试市促进专精特新发展若干措施
（2024年5月10日）
一、加强培育
（一）专精特新奖励。对新认定的省级专精特新企业，给予20万元奖励。
（二）小巨人奖励
1. 对新认定的国家级“小巨人”企业，奖励50万元。
2. 通过复核的，再奖励20万元。
二、融资支持。对专精特新企业新增贷款给予贴息，最高50万元。
（一）贴息比例为实际利息的30%。
三、申报要求
申报企业须为营业收入2000万元以上的企业，申报时间：2024年6月1日至2024年7月15日。
"""


@pytest.fixture(scope="module")
def idx() -> PolicyIndex:
    return PolicyIndex.from_dir(HANDBOOK)


def labels(doc):
    return [c.label for c in doc.clauses]


def test_articles_style_labels_title_issuer():
    d = parse_text(ARTICLES, "t")
    assert d.title == "测试市支持企业技术改造办法"
    assert d.issuer == "测试市人民政府办公室" and d.issued == dt.date(2024, 3, 1)
    assert d.style == "articles"
    assert labels(d) == ["第一条", "第二条", "第三条", "第四条"]
    third = d.clauses[2]
    # enumerated items stay inside their article; the chapter is context, not a clause
    assert "失信企业" in third.text and third.context == "支持政策"
    assert third.title == "支持技术改造"


def test_hierarchy_nested_labels_and_heading_only_nodes():
    d = parse_text(HIERARCHY, "h")
    assert d.issuer == "" and d.issued == dt.date(2024, 5, 10)
    assert d.style == "hierarchy"
    # 一、 and （二） only hold sub-items: not clauses; 二、 has its own text: a clause with a child
    assert labels(d) == ["一、（一）", "一、（二）1.", "一、（二）2.", "二、", "二、（一）", "三、"]
    child = d.clauses[1]
    assert "小巨人奖励" in child.context and "加强培育" in child.context
    assert "申报企业须" in d.clauses[-1].text


def test_audience_and_window_records():
    d = parse_text(HIERARCHY, "h")
    assert "专精特新" in d.audience.tags
    assert [(t.metric, t.min_wan) for t in d.audience.thresholds] == [("营业收入", 2000.0)]
    w = d.window
    assert (w.start, w.end, w.recurring) == (dt.date(2024, 6, 1), dt.date(2024, 7, 15), False)
    a = parse_text(ARTICLES, "t")
    assert a.audience.tags == ("规上",)
    assert a.window.recurring and a.window.is_open(dt.date(2026, 4, 15))
    assert not a.window.is_open(dt.date(2026, 6, 1))
    aud = extract_audience("适用于注册在邹城市、济宁高新区的高端装备、新材料企业，年营业收入1亿元以上的链主企业")
    assert aud.counties == ("邹城市", "济宁高新区")
    assert aud.clusters == ("高端装备", "新材料") and aud.tags == ("链主",)
    assert aud.thresholds[0].min_wan == 10000.0
    assert [t.min_wan for t in extract_audience("申报企业上年度营业收入不低于5000万元").thresholds] == [5000.0]
    assert extract_audience("对营业收入首次突破10亿元的企业给予奖励").thresholds == ()  # a reward, not a threshold
    assert extract_window("人才补贴实行常年受理。").always
    assert extract_window("本办法自印发之日起施行。") is None


def test_eligibility_lists_unmet_conditions():
    d = parse_text(HIERARCHY, "h")
    small = match(d.audience, EnterpriseProfile(tags={"专精特新"}, revenue_wan=800))
    assert small.qualifies and small.unmet == ["营业收入2000万元以上"]
    big = match(d.audience, EnterpriseProfile(tags={"规上"}, revenue_wan=5000))
    assert big.unmet == ["企业类型：专精特新"]
    zou = parse_file(HANDBOOK / "邹城市支持企业开拓国内外市场若干措施.docx")
    assert not match(zou.audience, EnterpriseProfile(county="任城区", tags={"规上"})).qualifies
    assert match(zou.audience, EnterpriseProfile(county="邹城市", tags={"规上"})).unmet == []


def test_docx_and_md_files_parse(idx):
    assert len(idx.documents) >= 8
    zou = idx.documents["邹城市支持企业开拓国内外市场若干措施"]
    assert zou.title == "邹城市支持企业开拓国内外市场的若干措施"
    assert zou.issuer == "邹城市人民政府办公室" and zou.style == "articles"
    assert zou.audience.counties == ("邹城市",)
    fin = idx.documents["济宁市强化金融支持制造业企业发展若干措施"]
    assert labels(fin)[:3] == ["一、", "二、（一）", "二、（二）"]
    sci = idx.documents["济宁市加快科技创新推动高新技术企业倍增若干措施"]
    assert "一、（一）1." in labels(sci) and "一、（一）" not in labels(sci)
    styles = {d.style for d in idx.documents.values()}
    assert styles == {"articles", "hierarchy"}


def test_search_answer_and_not_covered(idx):
    hits = idx.search("我们厂刚进规上统计，能拿多少钱？", k=3)
    assert (hits[0].doc, hits[0].clause) == ("济宁市支持制造业高质量发展若干政策措施", "第六条")
    assert hits[0].score >= hits[1].score
    ans = idx.answer("招一个全日制博士，每月补贴多少")
    assert ans is not None and ans.sources[0].clause == "第四条"
    assert "《济宁市支持企业引进培育高层次人才实施办法》第四条" in ans.text and "3000元" in ans.text
    assert idx.answer("出口退税怎么办理，多久能到账") is None
    assert idx.answer("加班工资怎么计算") is None
    assert idx.related("加班工资怎么计算") == []
    assert idx.answer("") is None and idx.search("", k=3) == []


def test_nested_label_answer(idx):
    ans = idx.answer("首次通过高新技术企业认定奖多少钱")
    assert ans and ans.sources[0].clause == "一、（一）1."
    assert ans.sources[0].doc == "济宁市加快科技创新推动高新技术企业倍增若干措施"


def test_from_files_uses_file_stem(tmp_path):
    p = tmp_path / "my_policy.txt"
    p.write_text(ARTICLES, encoding="gb18030")  # GB18030 files are read too
    idx = PolicyIndex.from_files([p])
    hit = idx.search("设备投资补助比例", k=1)[0]
    assert (hit.doc, hit.clause) == ("my_policy", "第三条")
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert len(PolicyIndex.from_files([p, pdf]).documents) == 1  # unsupported files are skipped
    with pytest.raises(ValueError):
        PolicyIndex.from_files([pdf], strict=True)


def test_short_clause_is_quoted_whole_and_long_one_keeps_answer_and_conditions(idx):
    ans = idx.answer("人才公寓免租金吗")
    assert ans is not None and ans.sources[0].clause == "第五条"
    # a short clause is quoted whole: 未购房的 only makes sense after the purchase sentence
    assert "人才公寓" in ans.text and "购房补贴" in ans.text and "……" not in ans.text
    from nlp.policy.trim import trim_clause

    long = ("支持企业引进人才。企业新引进的全日制博士研究生，每人每月给予生活补贴3000元；硕士研究生每人每月1500元；"
            "本科毕业生每人每月800元。对引进人才的企业，按照每人2000元给予招聘补助。企业参加市级招聘会的，"
            "免收展位费用，并提供场地、宣传等服务保障。人才中介机构成功推荐人才的，另行奖励。发放期限均为3年。")
    out = trim_clause(long, "博士每月生活补贴多少")
    assert "3000元；硕士研究生" in out and "发放期限均为3年" in out and "……" in out
    assert "展位费用" not in out
    short = idx.answer("应急转贷资金费率多少")
    assert short is not None and "万分之一" in short.text and short.text.startswith("《济宁市强化金融")


def test_long_questions_weigh_what_is_asked_over_background(idx):
    q = "我们是一家做锂电池的企业，去年营收3个亿，今年想上一条新的自动化生产线，设备投资大概2000万，有什么补贴？"
    ans = idx.answer(q)
    assert ans is not None and (ans.sources[0].doc, ans.sources[0].clause) == ("济宁市支持制造业高质量发展若干政策措施", "第三条")
    assert idx.answer("我们是做化工的，想问问出口退税怎么办理，多久能到账？") is None
    assert idx.answer("公司是专精特新企业，员工社保费能不能缓缴？") is None
    assert idx.answer("有哪些补贴？") is None and idx.related("有哪些补贴？")  # vague: only "may help"

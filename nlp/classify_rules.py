"""The documented boundary rules of appeal classification (see nlp/classify.py), as a small keyword
table: the only hand-written part of the classifier. A rule names the object of an ask where two
categories are plausible; it adds points to the linear model's score, it never classifies alone.

Matching is longest-first over non-overlapping spans (nlp.classify_lexicon.match_lexicon's method), so
转贷基金 counts for 金融 and hides the 基金 inside it.
"""
from __future__ import annotations

BOUNDARY_RULES: dict[str, dict[str, float]] = {
    # an EIA / discharge permit / emission total is 生态环境 whoever signs it
    "生态环境": {"环评": 2, "环境影响评价": 2, "排污许可": 2, "排污许可证": 2, "总量指标": 2, "排放总量": 2,
                 "危废": 2, "危险废物": 2, "环保督察": 2, "环平": 2},
    # energy assessment and quotas are 能源
    "能源": {"能评": 2, "节能审查": 2, "能耗指标": 2, "能耗": 1, "增容": 2, "电价": 1.5, "有序用电": 2},
    # land pre-review and property certificates are 土地
    "土地": {"用地预审": 2, "不动产证": 2, "不动产权证": 2, "房产证": 2, "土地证": 2, "用地指标": 2},
    # generic project approvals are 审批
    "审批": {"立项备案": 2, "规划许可": 1.5, "施工许可": 2, "消防验收": 2, "竣工验收": 2, "生产许可证": 1.5},
    # debt, even when a bridging fund is called 基金
    "金融": {"转贷": 2, "转贷基金": 3, "过桥": 2, "过桥资金": 2, "续贷": 2, "抽贷": 2, "应急转贷": 3},
    # equity
    "基金": {"引导基金": 2, "产业基金": 2, "股权投资": 2, "入股": 1.5, "对赌": 2, "估值": 1.5},
    # getting, keeping and housing people
    "人才": {"人才公寓": 2, "领军人才": 1.5, "职称": 1.5, "招工": 1.5, "配偶": 1.5},
    # applying for or cashing a named subsidy or award is 政策, whoever it benefits
    "政策": {"人才住房补贴": 3, "住房补贴": 2.5, "安家费": 2.5, "安家补贴": 2.5, "购房补贴": 2.5, "个税返还": 2.5,
             "招工补贴": 2.5, "技改奖补": 2.5, "奖补资金": 2, "贷款贴息": 2, "兑现": 1.5, "政策解读": 2},
    # schooling with no talent angle, roads, security, disputes, debts owed to the enterprise
    "其他": {"上学": 1, "入学": 1, "道路": 1.5, "治安": 1.5, "纠纷": 1.5, "拖欠": 1.5, "货款": 1, "税务稽查": 2},
}


# The owners' brief defines each category by a few words; a one-word appeal made of one of them belongs
# there ("承兑方面遇到困难" is 金融). One point each; 补贴 only half, because a factor problem that
# merely floats a subsidy stays with the factor.
BRIEF_VOCABULARY: dict[str, str] = {
    "金融": "贷款 信贷 担保 银行融资 票据 承兑 续贷 抽贷",
    "基金": "政府引导基金 产业基金 股权投资 天使基金",
    "土地": "用地指标 不动产证 土地证 房产证 厂房 征地",
    "能源": "增容 线路 天然气 蒸汽 有序用电 电价 能耗指标",
    "人才": "招工 工程师 人才公寓 校企合作 招聘",
    "生态环境": "环评 排污许可 环境容量 危废处置 环保督察 总量指标",
    "政策": "奖补资金兑现 政策申报 政策解读 补贴",
    "审批": "立项备案 许可证 施工许可 消防验收 竣工验收",
    "市场": "订单 销售渠道 供应商 展会 产销对接",
    "其他": "道路 物流 治安 纠纷",
}
for _cat, _words in BRIEF_VOCABULARY.items():
    for _w in _words.split():
        _rules = BOUNDARY_RULES.setdefault(_cat, {})
        _rules[_w] = max(_rules.get(_w, 0.0), 0.5 if _w == "补贴" else 1.0)


def _ordered() -> list[tuple[str, tuple[tuple[str, float], ...]]]:
    grouped: dict[str, list[tuple[str, float]]] = {}
    for cat, kws in BOUNDARY_RULES.items():
        for kw, w in kws.items():
            grouped.setdefault(kw, []).append((cat, float(w)))
    return sorted(((k, tuple(v)) for k, v in grouped.items()), key=lambda t: (-len(t[0]), t[0]))


_ORDERED = _ordered()


def match_rules(text: str) -> dict[str, float]:
    """Points per category of the boundary keywords in a normalised text (each keyword once)."""
    scores: dict[str, float] = {}
    taken = bytearray(len(text))
    for k, targets in _ORDERED:
        start, hit = text.find(k), False
        while start != -1:
            end = start + len(k)
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                hit = True
            start = text.find(k, end)
        if hit:
            for cat, w in targets:
                scores[cat] = scores.get(cat, 0.0) + w
    return scores

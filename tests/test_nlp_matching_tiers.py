"""The sparse matcher on real indexes: unknown vocabulary, look-alikes, strong and weak tiers, segments."""

from __future__ import annotations

from nlp.matching import Matcher
from nlp.matching.index import TAIL_MAX
from nlp.matching.lexicon import lexicon

DISTRACTORS = [
    ("d1", "供应304不锈钢板 3mm 现货"), ("d2", "出售电动叉车2台 九成新"), ("d3", "瓦楞纸箱 彩盒 来图定制"),
    ("d4", "抗磨液压油46号 大量供应"), ("d5", "长期供应锂离子电池组 48V"), ("d6", "供应聚合氯化铝 水处理药剂"),
]


def _market(extra: list[tuple[str, str]]) -> Matcher:
    m = Matcher()
    for pid, text in DISTRACTORS + extra:
        m.add(pid, "supply", text)
    return m


def test_products_the_lexicon_lacks_are_found_and_strong():
    terms = lexicon().canon
    assert "羧甲基纤维素钠" not in terms and "香菇菌棒" not in terms and "玄武岩纤维" not in terms
    m = _market([("cmc", "我厂常年供应食品级羧甲基纤维素钠，粘度可定制，有需要的联系"),
                 ("fungus", "我们合作社有香菇菌棒出售，一次几万棒，质量稳定"),
                 ("basalt", "本公司专业生产玄武岩纤维短切纱、无捻粗纱，欢迎来厂考察")])
    for query, expected in (("各位好，我们做洗涤剂的，长期需要羧甲基纤维素钠，每月3吨，有厂家的私聊我", "cmc"),
                            ("求购香菇菌棒 5万棒 春季出菇用", "fungus"),
                            ("有没有做玄武岩纤维的厂家？做复合材料要用短切纱", "basalt")):
        hits = m.search(query, "demand")
        assert hits[0].post_id == expected and hits[0].strong, (query, hits)
        assert "共同产品" in hits[0].reason


def test_look_alike_ranks_below_the_true_match_and_is_never_strong():
    m = _market([("sticks", "香菇菌棒出售 质量稳定 需要的老板联系"), ("fresh", "鲜香菇 每天500斤 超市供货"),
                 ("cyl", "专业加工液压油缸，非标定做")])
    hits = m.search("求购香菇菌棒 5万棒 春季出菇用", "demand")
    order = [h.post_id for h in hits]
    assert order[0] == "sticks" and hits[0].strong
    assert "fresh" not in [h.post_id for h in hits if h.strong]
    assert "fresh" not in order or order.index("fresh") > 0
    oil = m.search("求购液压油 46号 20桶", "demand")  # 液压油 is not 液压油缸
    assert oil[0].post_id == "d4" and "cyl" not in [h.post_id for h in oil if h.strong]


def test_strong_hits_come_first_then_weak_candidates_worded_as_such():
    m = _market([("cmc", "我厂常年供应食品级羧甲基纤维素钠，粘度可定制")])
    strong = m.search("求购羧甲基纤维素钠 洗涤剂用 3吨", "demand")
    assert strong[0].post_id == "cmc" and strong[0].strong and "可能相关" not in strong[0].reason
    weak = m.search("需要玄武岩纤维短切纱 做复合材料", "demand", k=5)
    assert weak and not any(h.strong for h in weak) and len(weak) <= 5
    assert weak[0].post_id == "cmc" and weak[0].reason.endswith("（可能相关）")
    flags = [h.strong for h in m.search("需要锂电池 48V 和液压油", "demand")]
    assert flags == sorted(flags, reverse=True)  # strong ones first
    assert m.search("各位领导好", "demand") == [] and m.search("", "demand") == []


def test_many_posts_across_segments_remove_and_replace():
    m = Matcher()
    n = 3 * TAIL_MAX + 7  # several frozen and merged segments plus a tail
    for i in range(n):
        m.add(i, "supply", f"供应型号XK{i}的专用夹具{i % 13}号")
    m.add("target", "supply", "供应碳化硅陶瓷膜组件 高盐废水过滤")
    assert m.search("需要碳化硅陶瓷膜", "demand")[0].post_id == "target"
    m.remove("target")
    m.remove("target")  # unknown ids are ignored
    assert "target" not in [h.post_id for h in m.search("需要碳化硅陶瓷膜", "demand")]
    for i in range(0, n, 2):
        m.remove(i)
    m.add(1, "supply", "供应碳化硅陶瓷膜组件")  # same id replaces the old text
    assert len(m) == n - (n + 1) // 2 and m.search("需要碳化硅陶瓷膜", "demand")[0].post_id == 1
    assert all(h.post_id % 2 == 1 for h in m.search("需要XK12专用夹具", "demand"))

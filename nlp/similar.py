"""Find earlier appeals similar to a new one: TF-IDF cosine over words, char bigrams and concepts.

Features of a text: jieba words (our own tokenizer, shared with the classifier), CJK character
bigrams, and *concept tags* from a small synonym table, so that "贷款到期银行抽贷" and
"银行要求提前还贷，不给续贷" meet on the concept 抽贷 even with few shared characters.
IDF is fixed, computed once from the shipped training appeals (nlp/data/appeals_labelled.jsonl,
texts only), so a pair always gets the same score whatever the pool, and candidate vectors and
norms are cached: ranking 2,000 earlier appeals costs a few tens of milliseconds.
Pure and in-memory; no model files.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from functools import lru_cache
from typing import Iterable

from nlp.appeal_tokens import get_tokenizer as _get_tokenizer
from nlp.classify import _CJK, load_examples, normalise

# concept -> surface forms. Concepts weigh more than raw n-grams: they encode "same problem".
CONCEPTS: dict[str, tuple[str, ...]] = {
    "抽贷": ("抽贷", "压贷", "断贷", "不给续贷", "不续贷", "提前还贷", "提前还款", "收回贷款",
             "压缩授信", "压降授信", "先还后贷", "授信压缩", "不给贷"),
    "续贷": ("续贷", "贷款到期", "到期贷款", "转贷", "过桥", "展期", "借新还旧", "无还本"),
    "贷款难": ("贷款难", "融资难", "贷不下来", "不放贷", "不放款", "贷不到", "抵押物不足", "没有抵押"),
    "利率": ("利率", "利息", "降息", "融资成本", "贷款成本"),
    "担保": ("担保", "互保", "联保", "担保圈", "代偿"),
    "票据": ("承兑", "汇票", "贴现", "票据", "商票"),
    "股权": ("基金", "股权", "入股", "投资机构", "创投", "风投", "天使", "估值", "领投"),
    "用地": ("用地指标", "土地指标", "建设用地", "供地", "用地", "要地", "征地"),
    "办证": ("不动产证", "房产证", "土地证", "产权证", "不动产权", "有地无证", "办证"),
    "厂房": ("厂房", "标准厂房", "车间不够", "场地"),
    "增容": ("增容", "扩容", "变压器", "千伏安", "kva", "负荷", "电容量"),
    "限电": ("有序用电", "限电", "错峰用电", "拉闸", "停电", "迎峰度夏"),
    "电价": ("电价", "电费", "峰谷", "电力交易", "绿电"),
    "供气": ("天然气", "燃气", "限气", "停气", "气价", "供气", "用气"),
    "蒸汽": ("蒸汽", "供热", "供汽", "热力"),
    "能耗": ("能耗指标", "能耗", "能评", "节能审查", "标准煤", "标煤", "用能", "双控"),
    "招工": ("招工", "招人", "招不到", "缺工", "缺人", "用工", "普工", "操作工", "返岗", "人手"),
    "高端人才": ("博士", "硕士", "工程师", "高层次", "领军人才", "专家", "研发人员"),
    "人才住房": ("人才公寓", "住房补贴", "购房补贴", "安家", "宿舍", "公寓"),
    "子女入学": ("子女入学", "上学", "入学", "幼儿园", "学区"),
    "校企": ("校企合作", "职业院校", "技校", "订单班", "实习", "高校", "大学"),
    "环评": ("环评", "环境影响", "环境影响评价"),
    "排污许可": ("排污许可", "排污证", "排污权"),
    "总量": ("总量指标", "环境容量", "排放指标", "总量"),
    "危废": ("危废", "危险废物", "固废", "处置"),
    "停限产": ("重污染天气", "应急减排", "停限产", "限产", "错峰生产", "绩效等级", "绩效分级"),
    "督察": ("督察", "环保检查", "整改"),
    "奖补兑现": ("兑现", "没到账", "未拨付", "拨付", "钱没到", "没发", "到账", "奖补资金"),
    "补贴": ("补贴", "奖补", "奖励", "补助", "扶持资金", "贴息"),
    "申报": ("申报", "认定", "申请条件", "申报条件"),
    "退税": ("退税", "留抵", "即征即退", "加计扣除", "税收优惠", "减免"),
    "立项": ("立项", "备案", "核准"),
    "施工许可": ("施工许可", "规划许可", "图审", "施工图"),
    "消防验收": ("消防验收", "消防", "竣工验收", "联合验收", "验收"),
    "生产许可": ("生产许可", "许可证", "注册证", "经营许可"),
    "订单": ("订单", "客户", "销路", "卖不出去", "卖不动", "买家", "买主", "销售"),
    "配套": ("配套", "供应商", "采购", "供货", "协作"),
    "展会": ("展会", "博览会", "工博会", "广交会", "参展", "展位"),
    "道路": ("道路", "修路", "路面", "路灯", "路口", "红绿灯", "信号灯", "路坏", "门前的路", "门口的路", "的路"),
    "交通": ("公交", "班车", "通勤", "打车", "限行", "通行证", "停车"),
    "纠纷": ("纠纷", "拖欠", "欠款", "货款", "工程款", "起诉", "执行不了", "诉讼"),
    "治安": ("治安", "偷", "盗"),
}
_CONCEPT_WEIGHT = 3.0
_BIGRAM_WEIGHT = 0.5
_SURFACES = sorted(((s.lower(), c) for c, ss in CONCEPTS.items() for s in ss), key=lambda t: -len(t[0]))
_PUNCT = re.compile(r"[\s\W_]+")


def _raw_features(text: str) -> dict[str, float]:
    """Weighted term features of a text: sub-linear word and bigram counts plus concept tags."""
    norm = normalise(text)
    words: Counter[str] = Counter()
    for word in _get_tokenizer().words(norm):
        word = word.strip()
        if len(word) >= 2 and not _PUNCT.fullmatch(word) and not word.isdigit():
            words["w:" + word] += 1
    for run in _CJK.findall(norm):
        for i in range(len(run) - 1):
            words["b:" + run[i : i + 2]] += 1
    # Sub-linear tf so one word repeated in a long appeal does not dominate; bigrams weigh half
    # a word because many of them straddle word boundaries (noise).
    feats = {f: (1.0 + math.log(n)) * (_BIGRAM_WEIGHT if f[0] == "b" else 1.0) for f, n in words.items()}
    for surface, concept in _SURFACES:
        if surface in norm:
            feats["c:" + concept] = _CONCEPT_WEIGHT
    return dict(sorted(feats.items()))


_idf_lock = threading.Lock()
_idf: dict[str, float] | None = None
_idf_unseen = 1.0


def _get_idf() -> tuple[dict[str, float], float]:
    """Smoothed IDF over the shipped training appeals, built once (thread-safe)."""
    global _idf, _idf_unseen
    if _idf is None:
        with _idf_lock:
            if _idf is None:
                texts = [r["text"] for r in load_examples("train")]
                df: Counter[str] = Counter()
                for t in texts:
                    df.update(_raw_features(t).keys())
                n = len(texts)
                _idf_unseen = math.log((n + 1) / 1) + 1.0
                _idf = {f: math.log((n + 1) / (c + 1)) + 1.0 for f, c in df.items()}
    return _idf, _idf_unseen


@lru_cache(maxsize=8192)
def _vector(text: str) -> tuple[dict[str, float], float]:
    """TF-IDF vector of a text and its norm (cached and shared: callers must not mutate it)."""
    idf, unseen = _get_idf()
    v = {f: w * idf.get(f, unseen) for f, w in _raw_features(text).items()}
    return v, math.sqrt(sum(x * x for x in v.values()))


def similar_texts(
    query: str,
    candidates: Iterable[tuple[int, str]],
    k: int = 3,
    min_score: float = 0.35,
) -> list[tuple[int, float]]:
    """Top-k candidate ids most similar to the query, as (id, score 0..1), best first, score >= min_score."""
    if k <= 0:
        return []
    qv, qn = _vector(query or "")
    if not qn:
        return []
    qkeys = qv.keys()
    scored = []
    for cid, text in candidates:
        cv, cn = _vector(text or "")
        if not cn:
            continue
        shared = qkeys & cv.keys()
        if not shared:
            continue
        score = sum(qv[f] * cv[f] for f in shared) / (qn * cn)
        if score >= min_score:
            scored.append((cid, round(min(1.0, score), 4)))
    # Ties broken by id so results are deterministic.
    scored.sort(key=lambda t: (-t[1], t[0]))
    return scored[:k]

"""Tests for nlp.similar.similar_texts."""

from __future__ import annotations

import time

from nlp.similar import similar_texts

POOL = [
    (1, "银行要求提前还贷，不给续贷"),
    (2, "新上生产线需要增容2000千伏安，供电公司一直没批"),
    (3, "车间招不到熟练焊工，缺三十多人"),
    (4, "想申请知识产权质押贷款"),
    (5, "项目环评批复迟迟下不来"),
    (6, "厂门口道路坑坑洼洼，大车进不来"),
    (7, "技改奖补资金公示了一年还没兑现"),
    (8, "园区蒸汽压力不够影响生产"),
    (9, "厂房盖好三年不动产证还没办下来"),
    (10, "想参加上海工博会，拓展客户"),
]


def test_brief_example_pair_is_found():
    res = similar_texts("贷款到期银行抽贷", POOL)
    assert res and res[0][0] == 1 and res[0][1] >= 0.35


def test_paraphrases_rank_their_partner_first():
    queries = {
        "供电公司不给增容，变压器不够用": 2,
        "焊工招聘困难，车间缺人": 3,
        "环评审批太慢，项目开不了工": 5,
        "门前的路坏了需要修": 6,
        "去年的技改补贴还没到账": 7,
        "房产证土地证办不下来": 9,
        "希望组织参加展会找客户": 10,
    }
    for q, want in queries.items():
        res = similar_texts(q, POOL, k=3)
        assert res and res[0][0] == want, (q, res)


def test_scores_sorted_bounded_and_thresholded():
    res = similar_texts("贷款到期银行抽贷，资金链紧张", POOL, k=10, min_score=0.0)
    scores = [s for _, s in res]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert all(s >= 0.35 for _, s in similar_texts("贷款到期银行抽贷", POOL, k=10))


def test_unrelated_query_returns_nothing():
    assert similar_texts("今天天气不错适合出去走走", POOL) == []


def test_k_limits_and_identical_text_scores_one():
    pool = POOL + [(11, "银行要求提前还贷，不给续贷")]
    res = similar_texts("银行要求提前还贷，不给续贷", pool, k=2)
    assert len(res) == 2 and {r[0] for r in res} == {1, 11}
    assert res[0][1] > 0.99
    assert similar_texts("银行抽贷", POOL, k=0) == []


def test_edge_inputs():
    assert similar_texts("", POOL) == []
    assert similar_texts("😀😀", POOL) == []
    assert similar_texts("银行抽贷", []) == []
    assert similar_texts("银行抽贷", iter([(1, ""), (2, "银行抽贷了")]))[0][0] == 2


def test_pool_of_a_thousand_is_fast_once_cached():
    pool = [(i, f"第{i}号企业反映：{POOL[i % 10][1]}") for i in range(1000)]
    similar_texts("银行抽贷", pool)  # builds and caches the candidate vectors
    t0 = time.perf_counter()
    res = similar_texts("贷款到期银行抽贷", pool, k=3)
    assert time.perf_counter() - t0 < 0.5
    assert len(res) == 3 and all(i % 10 == 0 for i, _ in res)


def test_score_does_not_depend_on_the_pool():
    alone = similar_texts("贷款到期银行抽贷", POOL[:1])
    among = [s for i, s in similar_texts("贷款到期银行抽贷", POOL, k=10) if i == 1]
    assert alone and among and alone[0][1] == among[0]

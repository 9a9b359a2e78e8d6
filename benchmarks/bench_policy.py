"""Benchmark PolicyIndex at 1k, 10k and 50k clauses: build time and p50/p95 answer() time,
beside bm25s (same analyzer: jieba words + synonym groups + character bigrams) in the same run.

Usage: python benchmarks/bench_policy.py [--sizes 1000,10000,50000] [--queries 300]
The synthetic corpus recombines sentences of the demo handbook with generated subjects, amounts
and places, so term frequencies look like a large real handbook rather than copies of one.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.policy import PolicyDocument, PolicyIndex  # noqa: E402
from nlp.policy.lexical import _terms  # noqa: E402
from nlp.policy.model import Clause  # noqa: E402
from nlp.policy.text import normalize  # noqa: E402

HANDBOOK = ROOT / "nlp" / "data" / "handbook"
sys.path.insert(0, str(ROOT / "benchmarks"))
from eval_policy import QUESTIONS, load_questions  # noqa: E402

PRE = "智能 绿色 高端 数字 新型 精密 特种 生物 海洋 氢能 储能 光电 微电子 先进 循环 低碳 柔性 超导 纳米 工业".split()
CORE = ("装备 材料 工厂 车间 平台 园区 产品 芯片 电池 涂料 纤维 机床 轴承 阀门 电机 传感器 软件 药品 试剂 "
        "模具 焊材 玻璃 陶瓷 铝材 钢管 化肥 纸业 纺织 食品 包装 物流 仓储 检测 设计 服务 数据 算力").split()
PLACES = "任城区 兖州区 曲阜市 邹城市 微山县 鱼台县 金乡县 嘉祥县 汶上县 泗水县 梁山县 济宁高新区 太白湖新区".split()
_SENT = re.compile(r"[^。；]+[。；]?")
_NUM = re.compile(r"\d+(?:\.\d+)?")


def synthetic(n: int, seed: int = 7) -> list[PolicyDocument]:
    """Documents with about n clauses recombined from the demo handbook."""
    rnd = random.Random(seed)
    base = PolicyIndex.from_dir(HANDBOOK)
    sents = [s for c in base.clauses for s in _SENT.findall(c.text.replace("\n", "")) if len(s) > 6]
    docs, per_doc = [], 40
    for d in range(max(1, n // per_doc)):
        place = rnd.choice(PLACES)
        topic = rnd.choice(PRE) + rnd.choice(CORE)
        name = f"synthetic_{d:05d}"
        title = f"{place}支持{topic}产业发展的若干措施"
        clauses = []
        for j in range(per_doc):
            subj = rnd.choice(PRE) + rnd.choice(CORE)
            parts = rnd.sample(sents, 2)
            text = f"支持{subj}发展。" + "".join(parts)
            text = _NUM.sub(lambda m: str(rnd.choice([5, 10, 20, 30, 50, 100, 200, 500, 1000])), text)
            label = f"第{j + 1}条" if d % 2 else f"{j // 5 + 1}、（{j % 5 + 1}）"
            clauses.append(Clause(doc=name, label=label, text=text, title=f"支持{subj}发展", context=topic))
        docs.append(PolicyDocument(name=name, title=title, clauses=clauses))
    return docs


def _timed(fn, q: str, repeat: int = 3) -> float:
    """Best of a few runs of one call: the machine is shared, and the minimum is the honest cost."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn(q)
        best = min(best, time.perf_counter() - t)
    return best


def pct(xs: list[float], p: float) -> float:
    """p-th percentile (nearest rank) in milliseconds."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


def main() -> None:
    """Print a table of build time and answer latency per corpus size."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    import bm25s

    questions = [q for q, _ in load_questions(QUESTIONS)]
    rnd = random.Random(1)
    qs = [rnd.choice(questions) for _ in range(args.queries)]
    PolicyIndex.from_dir(HANDBOOK).answer("预热")  # load jieba once, outside the timings
    print(f"{'clauses':>8} | {'PolicyIndex build s':>19} {'answer p50 ms':>13} {'p95 ms':>7} | "
          f"{'bm25s build s':>13} {'query p50 ms':>12} {'p95 ms':>7}")
    for size in (int(s) for s in args.sizes.split(",")):
        docs = synthetic(size)
        t0 = time.perf_counter()
        idx = PolicyIndex(docs)
        build = time.perf_counter() - t0
        for q in qs[:50]:  # warm caches the same way for both systems
            idx.answer(q)
        times = [_timed(idx.answer, q) for q in qs]
        # bm25s on the same analyzer; tokenizing is part of its build and query times too
        t0 = time.perf_counter()
        corpus = [_terms(normalize(" ".join((c.context, c.title, c.text)))) for c in idx.clauses]
        retr = bm25s.BM25()
        retr.index(corpus, show_progress=False)
        bbuild = time.perf_counter() - t0
        for q in qs[:50]:
            retr.retrieve([_terms(normalize(q))], k=3, show_progress=False)
        btimes = [_timed(lambda x: retr.retrieve([_terms(normalize(x))], k=3, show_progress=False), q) for q in qs]
        print(f"{len(idx.clauses):>8} | {build:>19.2f} {pct(times, 50):>13.3f} {pct(times, 95):>7.3f} | "
              f"{bbuild:>13.2f} {pct(btimes, 50):>12.3f} {pct(btimes, 95):>7.3f}")


if __name__ == "__main__":
    main()

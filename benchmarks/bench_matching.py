"""Benchmark nlp.matching.Matcher at 1k, 10k and 100k open posts against rapidfuzz brute force.

Run: python -m benchmarks.bench_matching [--sizes 1000,10000,100000] [--queries 300] [--brute 20]
Prints build time (wall and CPU), index memory (tracemalloc, separate build), p50/p95/p99 search
time (wall and CPU: the machine is shared), the cost of a remove plus re-add, and the same queries
answered by `rapidfuzz.process.extract` over all posts of the other kind (CPU time).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process  # noqa: E402

from nlp.matching import Matcher  # noqa: E402
from nlp.matching.lexicon import COUNTIES, lexicon  # noqa: E402

D_CUES = ["需要", "求购", "急需", "采购", "收", "寻找", "我厂需要", "公司长期采购", "急求", "想买",
          "项目上需要", "有没有厂家能供应"]
S_CUES = ["供应", "长期供应", "出售", "可提供", "我厂生产", "现货供应", "低价处理", "专业生产",
          "本公司大量供应", "厂家直销"]
D_TAILS = ["，有货的联系", "，价格合适长期合作", "", "，急用", "，要求国标", "，送到厂里", "，可以先看样品"]
S_TAILS = ["，量大从优", "，欢迎来电", "，可开票", "", "，送货上门", "，质量保证", "，支持定制"]
MODS = ["", "", "", "优质", "国标", "高强度", "食品级", "工业级", "二手", "进口", "加厚", "环保型"]
UNITS = ["吨", "个", "件", "台", "套", "米", "箱", "桶", "平米", "根", "卷", "袋"]


def _spec(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.45:
        return ""
    return rng.choice([
        f"Φ{rng.randint(6, 600)}", f"{rng.choice([12, 24, 36, 48, 220, 380])}V",
        f"{rng.randint(1, 30)}mm", f"DN{rng.choice([25, 50, 80, 100, 150, 200])}",
        rng.choice(["304", "316L", "Q235", "Q345B", "6063"]), f"M{rng.choice([8, 10, 12, 16, 20])}",
        f"{rng.choice([5.5, 7.5, 15, 22, 37, 55])}KW",
    ])


def make_posts(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """n synthetic posts (id, kind, text) in group-chat and formal styles."""
    rng = random.Random(seed)
    products = sorted(lexicon().canon)
    posts = []
    for i in range(n):
        kind = "demand" if rng.random() < 0.5 else "supply"
        prod = rng.choice(products)
        if rng.random() < 0.15:
            prod = prod + "、" + rng.choice(products)
        qty = f"{rng.choice([1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000])}{rng.choice(UNITS)}"
        county = rng.choice(COUNTIES + ("",) * 4)
        spec = _spec(rng)
        if kind == "demand":
            text = (f"{rng.choice(D_CUES)}{rng.choice(MODS)}{prod}{(' ' + spec) if spec else ''} "
                    f"{qty}{('，' + county) if county else ''}{rng.choice(D_TAILS)}")
        else:
            text = (f"{rng.choice(S_CUES)}{rng.choice(MODS)}{prod}{(' ' + spec) if spec else ''}，"
                    f"{qty}现货{('，' + county) if county else ''}{rng.choice(S_TAILS)}")
        posts.append((f"p{i}", kind, text))
    return posts


def pct(values: list[float], p: float) -> float:
    """p-th percentile (nearest rank) of a list of numbers."""
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


def run(size: int, n_queries: int, n_brute: int) -> dict:
    """Build, measure and compare at one size."""
    posts = make_posts(size)
    queries = make_posts(n_queries, seed=1000 + size)
    gc.collect()
    tracemalloc.start()
    m = Matcher()
    for pid, kind, text in posts:
        m.add(pid, kind, text)
    mem = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    del m
    gc.collect()
    t0, c0 = time.perf_counter(), time.thread_time()
    m = Matcher()
    for pid, kind, text in posts:
        m.add(pid, kind, text)
    build, build_cpu = time.perf_counter() - t0, time.thread_time() - c0
    t0 = time.thread_time()
    for pid, kind, text in posts[:1000]:  # removing and adding an edited text back stays cheap
        m.remove(pid)
        m.add(pid, kind, text + "，已更新")
    churn_us = (time.thread_time() - t0) / 2000 * 1e6
    for _, kind, text in queries[:20]:  # warm the similarity cache like a running bot
        m.search(text, kind)
    times, cpu, found = [], [], 0
    for _, kind, text in queries:
        c, t = time.thread_time(), time.perf_counter()
        hits = m.search(text, kind)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)  # immune to other processes on a busy machine
        found += bool(hits)
    by_kind = {k: [t for _, kk, t in posts if kk == k] for k in ("supply", "demand")}
    brute = []
    for _, kind, text in queries[:n_brute]:
        choices = by_kind["supply" if kind == "demand" else "demand"]
        t = time.thread_time()
        process.extract(text, choices, scorer=fuzz.WRatio, limit=5)
        brute.append((time.thread_time() - t) * 1000)
    return {"size": size, "build_s": build, "build_cpu": build_cpu, "churn_us": churn_us, "mem_mib": mem,
            "p50": pct(times, 50), "p95": pct(times, 95), "p99": pct(times, 99), "mean": statistics.fmean(times),
            "cpu_p50": pct(cpu, 50), "cpu_p95": pct(cpu, 95), "cpu_p99": pct(cpu, 99), "answered": found / len(queries),
            "brute_p50": pct(brute, 50), "brute_mean": statistics.fmean(brute), "n_brute": len(brute)}


def main() -> None:
    """Parse arguments and print one row per size."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--brute", type=int, default=0, help="brute-force queries (default: 100/50/20)")
    args = ap.parse_args()
    Matcher().search("预热 叉车", "demand")  # load the dictionary and jieba outside the timings
    print(f"{'posts':>7} {'build s':>8} {'cpu s':>6} {'index MiB':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'cpu p50':>7} {'cpu p95':>7} {'cpu p99':>7} {'rm+add us':>9} {'answered':>8} {'brute p50 ms':>12} "
          f"{'speed-up p50':>12} (brute queries)")
    for size in (int(s) for s in args.sizes.split(",")):
        n_brute = args.brute or (100 if size <= 1000 else 50 if size <= 10000 else 20)
        r = run(size, args.queries, n_brute)
        print(f"{r['size']:>7} {r['build_s']:8.1f} {r['build_cpu']:6.1f} {r['mem_mib']:9.1f} {r['p50']:7.3f} "
              f"{r['p95']:7.3f} {r['p99']:7.3f} {r['cpu_p50']:7.3f} {r['cpu_p95']:7.3f} {r['cpu_p99']:7.3f} "
              f"{r['churn_us']:9.0f} {r['answered']:8.2f} {r['brute_p50']:12.1f} "
              f"{r['brute_p50'] / r['cpu_p50']:11.0f}x ({r['n_brute']})", flush=True)


if __name__ == "__main__":
    main()

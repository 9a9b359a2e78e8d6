"""Evaluate the appeal classifier, next to simple baselines.

    python benchmarks/eval_classify.py          # 5-fold CV on all shipped rows, per-category P/R, timing
    python benchmarks/eval_classify.py --tune   # 5-fold CV grid on all shipped rows
    python benchmarks/eval_classify.py --set benchmarks/data/classify_fresh.jsonl   # the fresh held-out set

The classifier trains on every shipped labelled appeal; the held-out figure is the fresh set's
(benchmarks/data/classify_fresh.jsonl, never trained on, never used to choose constants).
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.classify import (  # noqa: E402
    CATEGORIES,
    AppealClassifier,
    classify_appeal,
    load_examples,
)


def evaluate(clf: AppealClassifier, rows: list[dict]) -> tuple[float, list[tuple[str, str, str]], float]:
    """Accuracy, list of (gold, predicted, text) and mean log-loss-ish of the confidence."""
    pairs, nll = [], 0.0
    for r in rows:
        c = clf.classify(r["text"])
        pairs.append((r["category"], c.category, r["text"]))
        p = c.confidence if c.category == r["category"] else max(1e-3, (1 - c.confidence) / 9)
        nll -= math.log(max(p, 1e-3))
    acc = sum(g == p for g, p, _ in pairs) / max(1, len(pairs))
    return acc, pairs, nll / max(1, len(pairs))


def per_category(pairs: list[tuple[str, str, str]]) -> dict[str, tuple[float, float, int]]:
    """Precision, recall and support per category."""
    out = {}
    for c in CATEGORIES:
        tp = sum(g == c and p == c for g, p, _ in pairs)
        pp = sum(p == c for _, p, _ in pairs)
        gg = sum(g == c for g, _, _ in pairs)
        out[c] = (tp / pp if pp else 0.0, tp / gg if gg else 0.0, gg)
    return out


def confusion(pairs: list[tuple[str, str, str]]) -> str:
    """Confusion matrix as text (rows gold, columns predicted)."""
    short = [c[:2] for c in CATEGORIES]
    lines = ["gold\\pred " + " ".join(f"{s:>4}" for s in short)]
    for g in CATEGORIES:
        row = [sum(gg == g and pp == p for gg, pp, _ in pairs) for p in CATEGORIES]
        lines.append(f"{g[:4]:<8}" + " ".join(f"{n:>5}" for n in row))
    return "\n".join(lines)


def cv_accuracy(rows: list[dict], k: int = 5, **kw) -> tuple[float, float, list]:
    """k-fold cross-validated accuracy, confidence NLL and (gold, predicted, text) pairs."""
    hits, nll, n, pairs = 0, 0.0, 0, []
    for fold in range(k):
        train = [r for i, r in enumerate(rows) if i % k != fold]
        test = [r for i, r in enumerate(rows) if i % k == fold]
        clf = AppealClassifier(train, **kw)
        acc, p, loss = evaluate(clf, test)
        hits += round(acc * len(test))
        nll += loss * len(test)
        n += len(test)
        pairs += p
    return hits / n, nll / n, pairs


def tune() -> None:
    """Grid-search the constants by CV on all shipped rows."""
    rows = load_examples()
    results = []
    for c, scale, rw in itertools.product([0.3, 1.0, 3.0], [3.0, 5.0, 8.0], [0.0, 0.5, 1.0, 2.0]):
        acc, nll, _ = cv_accuracy(rows, c=c, scale=scale, rule_weight=rw)
        results.append((acc, -nll, c, scale, rw))
        print(f"C={c:<4} scale={scale:<4} rule_weight={rw:<4} cv_acc={acc:.3f} nll={nll:.3f}")
    best = max(results)
    print(f"best: C={best[2]} scale={best[3]} rule_weight={best[4]} cv_acc={best[0]:.3f} nll={-best[1]:.3f}")


def report(verbose: bool) -> None:
    """Print 5-fold CV figures for the full model and its ablation, side by side, and timings."""
    rows = load_examples()
    print(f"examples: {len(rows)} (all shipped rows; 5-fold cross-validation)")
    t0 = time.perf_counter()
    classify_appeal("预热")
    print(f"first call (training): {time.perf_counter() - t0:.2f} s")
    results = {}
    for name, kw in (("char n-gram SVM + rules", {}), ("char n-gram SVM only", {"use_rules": False})):
        acc, nll, pairs = cv_accuracy(rows, **kw)
        results[name] = pairs
        print(f"{name:<26} cv accuracy {acc:.3f}  ({sum(g == p for g, p, _ in pairs)}/{len(pairs)})  nll {nll:.3f}")
    full_pairs = results["char n-gram SVM + rules"]
    table = per_category(full_pairs)
    print("\nper category precision/recall (full model, CV):")
    for c in CATEGORIES:
        print(f"  {c:<6} n={table[c][2]:<4} {table[c][0]:.2f}/{table[c][1]:.2f}")
    print("\nconfusion (full model, CV):")
    print(confusion(full_pairs))
    if verbose:
        print("\nerrors:")
        for g, p, t in full_pairs:
            if g != p:
                print(f"  gold={g} pred={p}  {t}")
    texts = [r["text"] for r in rows[:200]]
    t0 = time.perf_counter()
    for t in texts:
        classify_appeal(t)
    dt = (time.perf_counter() - t0) / len(texts)
    t0 = time.perf_counter()
    classify_appeal("贷款" * 5000)
    print(f"\nclassification time: {dt * 1000:.2f} ms per appeal (mean of {len(texts)}); "
          f"10,000-char text: {(time.perf_counter() - t0) * 1000:.1f} ms")


def similar_report() -> None:
    """For each shipped test-split appeal, are its similar training appeals about the same category?"""
    from nlp.similar import similar_texts

    train, test = load_examples("train"), load_examples("test")
    pool = [(i, r["text"]) for i, r in enumerate(train)]
    similar_texts("预热", pool[:3])
    t0 = time.perf_counter()
    found = same = 0
    for r in test:
        res = similar_texts(r["text"], pool, k=1)
        if res:
            found += 1
            same += train[res[0][0]]["category"] == r["category"]
    dt = (time.perf_counter() - t0) / len(test)
    print(f"\nsimilar_texts over {len(pool)} training appeals: a match >= 0.35 for {found}/{len(test)} "
          f"test-split appeals, top match in the same category {same}/{max(1, found)}; {dt * 1000:.1f} ms per query")


class CharBigramBaseline:
    """Frozen naive baseline: char-bigram TF-IDF centroid per category, cosine, trained on all shipped rows."""

    def __init__(self, rows: list[dict]):
        """Build one centroid per category."""
        bags = [(self._bag(r["text"]), r["category"]) for r in rows]
        df = Counter(t for b, _ in bags for t in b)
        self.idf = {t: math.log((len(bags) + 1) / (f + 0.5)) for t, f in df.items()}
        cent: dict[str, Counter] = {c: Counter() for c in CATEGORIES}
        for b, c in bags:
            for t, x in self._vec(b).items():
                cent[c][t] += x
        self.cent = {c: self._norm(v) for c, v in cent.items()}

    @staticmethod
    def _bag(text: str) -> Counter:
        t = "".join(text.split())
        return Counter(t[i:i + 2] for i in range(len(t) - 1))

    @staticmethod
    def _norm(v) -> dict:
        n = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / n for t, x in v.items()}

    def _vec(self, bag: Counter) -> dict:
        return self._norm({t: f * self.idf.get(t, 0.0) for t, f in bag.items()})

    def classify(self, text: str) -> str:
        """Category of the nearest centroid."""
        q = self._vec(self._bag(text))
        return max(CATEGORIES, key=lambda c: sum(w * self.cent[c].get(t, 0.0) for t, w in q.items()))


def fresh_report(path: Path, verbose: bool) -> None:
    """Accuracy of the shipped classifier and the frozen char-bigram baseline on a labelled JSONL set."""
    rows = load_examples(None, path)
    classify_appeal("预热")
    t0 = time.perf_counter()
    got = [classify_appeal(r["text"]).category for r in rows]
    dt = (time.perf_counter() - t0) / max(1, len(rows))
    base = CharBigramBaseline(load_examples(None))
    bgot = [base.classify(r["text"]) for r in rows]
    ok = sum(g == r["category"] for g, r in zip(got, rows))
    bok = sum(g == r["category"] for g, r in zip(bgot, rows))
    print(f"[{path.name}] {len(rows)} appeals: shipped classifier {ok / len(rows):.3f} ({ok}/{len(rows)}), "
          f"char-bigram TF-IDF centroid baseline {bok / len(rows):.3f} ({bok}/{len(rows)}); {dt * 1000:.2f} ms per appeal")
    pairs = [(r["category"], g, r["text"]) for g, r in zip(got, rows)]
    print(confusion(pairs))
    if verbose:
        for g, p, t in pairs:
            if g != p:
                print(f"  gold={g} pred={p}  {t}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tune", action="store_true", help="CV grid search on the training split")
    ap.add_argument("-v", "--verbose", action="store_true", help="list held-out errors")
    ap.add_argument("--set", type=Path, help="score the shipped classifier on this labelled JSONL set only")
    args = ap.parse_args()
    if args.set:
        fresh_report(args.set, args.verbose)
    elif args.tune:
        tune()
    else:
        report(args.verbose)
        similar_report()

"""Evaluate the appeal classifier on the held-out split, next to simple baselines.

    python benchmarks/eval_classify.py          # held-out accuracy, per-category P/R, confusion, timing
    python benchmarks/eval_classify.py --tune   # 5-fold CV grid on the TRAINING split only

The held-out split is never used to choose constants: --tune reads only split=train rows.
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
    _get_tokenizer,
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


def cv_accuracy(rows: list[dict], k: int = 5, **kw) -> tuple[float, float]:
    """k-fold cross-validated accuracy and confidence NLL on the given rows."""
    tok = _get_tokenizer()
    hits, nll, n = 0, 0.0, 0
    for fold in range(k):
        train = [r for i, r in enumerate(rows) if i % k != fold]
        test = [r for i, r in enumerate(rows) if i % k == fold]
        clf = AppealClassifier(train, tokenizer=tok, **kw)
        acc, pairs, loss = evaluate(clf, test)
        hits += round(acc * len(test))
        nll += loss * len(test)
        n += len(test)
    return hits / n, nll / n


def tune() -> None:
    """Grid-search the constants by CV on the training split."""
    rows = load_examples("train")
    grid = itertools.product([0.5, 1.0, 2.0], [1.0, 1.5, 2.0, 3.0, 5.0], [0.5, 0.75, 1.0, 1.5])
    results = []
    for alpha, lw, temp in grid:
        acc, nll = cv_accuracy(rows, alpha=alpha, lex_weight=lw, temperature=temp)
        results.append((acc, -nll, alpha, lw, temp))
        print(f"alpha={alpha:<4} lex_weight={lw:<4} T={temp:<4} cv_acc={acc:.3f} nll={nll:.3f}")
    best = max(results)
    print(f"best: alpha={best[2]} lex_weight={best[3]} T={best[4]} cv_acc={best[0]:.3f} nll={-best[1]:.3f}")


def similar_report() -> None:
    """For each held-out appeal, are its similar training appeals about the same category?"""
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
          f"held-out appeals, top match in the same category {same}/{max(1, found)}; {dt * 1000:.1f} ms per query")


def report(verbose: bool) -> None:
    """Print held-out figures for the full model and two baselines, side by side."""
    train, test = load_examples("train"), load_examples("test")
    print(f"examples: {len(train) + len(test)} (train {len(train)}, held-out {len(test)})")
    t0 = time.perf_counter()
    classify_appeal("预热")
    print(f"first call (jieba + training): {time.perf_counter() - t0:.2f} s")
    tok = _get_tokenizer()
    models = {
        "full (lexicon+NB)": AppealClassifier(train, tokenizer=tok),
        "NB words+bigrams only": AppealClassifier(train, tokenizer=tok, use_lexicon=False),
        "lexicon only": AppealClassifier(train, tokenizer=tok, use_nb=False),
    }
    results = {}
    for name, clf in models.items():
        acc, pairs, nll = evaluate(clf, test)
        results[name] = (acc, pairs)
        print(f"{name:<24} held-out accuracy {acc:.3f}  ({sum(g == p for g, p, _ in pairs)}/{len(pairs)})  nll {nll:.3f}")
    print("\nper category  precision/recall:  " + "   ".join(results))
    tables = {name: per_category(pairs) for name, (_, pairs) in results.items()}
    for c in CATEGORIES:
        cells = [f"{tables[n][c][0]:.2f}/{tables[n][c][1]:.2f}" for n in results]
        print(f"  {c:<6} n={tables['full (lexicon+NB)'][c][2]:<3} " + "          ".join(cells))
    full_pairs = results["full (lexicon+NB)"][1]
    full = models["full (lexicon+NB)"]
    confs = [(full.classify(t).confidence, g == p) for g, p, t in full_pairs]
    right = [c for c, ok in confs if ok]
    wrong = [c for c, ok in confs if not ok]
    print(f"\ncalibration (full): mean confidence {sum(c for c, _ in confs) / len(confs):.3f} vs accuracy "
          f"{len(right) / len(confs):.3f}; mean conf when right {sum(right) / max(1, len(right)):.3f}, "
          f"when wrong {sum(wrong) / max(1, len(wrong)):.3f}")
    print("\nconfusion (full model, held-out):")
    print(confusion(full_pairs))
    if verbose:
        print("\nerrors:")
        for g, p, t in full_pairs:
            if g != p:
                print(f"  gold={g} pred={p}  {t}")
    texts = [r["text"] for r in test] * 5
    t0 = time.perf_counter()
    for t in texts:
        classify_appeal(t)
    dt = (time.perf_counter() - t0) / len(texts)
    t0 = time.perf_counter()
    classify_appeal("贷款" * 5000)
    print(f"\nclassification time: {dt * 1000:.2f} ms per appeal (mean of {len(texts)}); "
          f"10,000-char text: {(time.perf_counter() - t0) * 1000:.1f} ms")


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

"""Evaluate nlp.matching.Matcher against a character-bigram baseline on the labelled dev set.

Run: python -m benchmarks.eval_matching [-v] [path/to/set.txt ...]  (default: all twelve labelled sets)
Prints recall@5, MRR@5 and the share of no-match queries that stay silent for each method.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.matching_data import DEV, gold, load_posts  # noqa: E402
from nlp.matching.lexicon import normalize  # noqa: E402
from nlp.matching import Matcher  # noqa: E402

_KEEP = re.compile(r"[^\u4e00-\u9fffa-z0-9]+")


def bigrams(text: str) -> set:
    """Character bigrams of the normalised text (CJK, letters, digits)."""
    out = set()
    for run in _KEEP.split(normalize(text)):
        if len(run) == 1:
            out.add(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return out


class BigramBaseline:
    """Plain baseline: Jaccard similarity of character bigrams, threshold, top k of the other kind."""

    def __init__(self, threshold: float) -> None:
        """Empty baseline with a Jaccard threshold."""
        self.threshold = threshold
        self.posts: dict = {}
        self.index: dict = defaultdict(set)

    def add(self, pid, kind, text) -> None:
        """Index a post."""
        grams = bigrams(text)
        self.posts[pid] = (kind, grams)
        for g in grams:
            self.index[(kind, g)].add(pid)

    def search(self, text, kind, k=5) -> list:
        """Top k posts of the other kind above the threshold, as (id, score)."""
        other = "demand" if kind == "supply" else "supply"
        q = bigrams(text)
        cands = set().union(*(self.index.get((other, g), set()) for g in q)) if q else set()
        scored = []
        for pid in cands:
            g = self.posts[pid][1]
            j = len(q & g) / len(q | g)
            if j >= self.threshold:
                scored.append((j, pid))
        scored.sort(reverse=True)
        return [pid for _, pid in scored[:k]]


def evaluate(search, posts, relevant, silent, verbose=False, name=""):
    """recall@5, MRR@5, silence share for a search(text, kind) -> [ids] function."""
    text = {p["id"]: p for p in posts}
    hits = rr = 0.0
    for qid, rel in relevant.items():
        res = search(text[qid]["text"], text[qid]["kind"])
        rank = next((i + 1 for i, pid in enumerate(res) if pid in rel), None)
        hits += rank is not None
        rr += 1.0 / rank if rank else 0.0
        if verbose and rank != 1:
            got = [text[r]["text"][:24] for r in res[:2]]
            print(f"  [{name} rank={rank}] {text[qid]['text'][:30]} -> {got}")
    quiet = 0
    for qid in silent:
        res = search(text[qid]["text"], text[qid]["kind"])
        quiet += not res
        if verbose and res:
            print(f"  [{name} noisy] {text[qid]['text'][:30]} -> {text[res[0]]['text'][:30]}")
    return hits / len(relevant), rr / len(relevant), quiet / max(1, len(silent))


SETS = ("matching_dev.txt", "matching_holdout.txt", "matching_holdout3.txt", "matching_holdout4.txt",
        "matching_holdout5.txt", "matching_holdout6.txt", "matching_holdout7.txt", "matching_holdout8.txt",
        "matching_holdout9.txt", "matching_holdout10.txt", "matching_holdout11.txt", "matching_holdout12.txt")


def run_set(path: Path, verbose: bool) -> list[tuple]:
    """Matcher and baselines on one labelled file; returns rows (name, recall, mrr, silence, n)."""
    posts = load_posts(path)
    relevant, silent = gold(posts)
    m = Matcher()
    for p in posts:
        m.add(p["id"], p["kind"], p["text"])
    rows = [("Matcher", lambda s, k: [h.post_id for h in m.search(s, k)])]
    for th in (0.05, 0.1, 0.2):
        b = BigramBaseline(th)
        for p in posts:
            b.add(p["id"], p["kind"], p["text"])
        rows.append((f"bigram-jaccard>={th}", b.search))
    out = []
    for name, fn in rows:
        r, mrr, sil = evaluate(fn, posts, relevant, silent, verbose and name == "Matcher", name)
        out.append((name, r, mrr, sil, len(relevant), len(silent)))
    print(f"{path.name}: posts={len(posts)} gold queries={len(relevant)} no-match queries={len(silent)}")
    for name, r, mrr, sil, _, _ in out:
        print(f"  {name:24} recall@5 {r:.3f}  MRR {mrr:.3f}  silence {sil:.3f}")
    return out


def main(argv: list[str]) -> None:
    """Print the comparison for each labelled set (or the files given) and the pooled figures."""
    verbose = "-v" in argv
    paths = [Path(a) for a in argv if not a.startswith("-")] or [DEV.parent / s for s in SETS]
    pooled: dict[str, list] = {}
    for path in paths:
        for name, r, mrr, sil, nq, ns in run_set(path, verbose):
            acc = pooled.setdefault(name, [0.0, 0.0, 0.0, 0, 0])
            acc[0] += r * nq
            acc[1] += mrr * nq
            acc[2] += sil * ns
            acc[3] += nq
            acc[4] += ns
    if len(paths) > 1:
        print("pooled over all sets:")
        for name, (r, mrr, sil, nq, ns) in pooled.items():
            print(f"  {name:24} recall@5 {r / nq:.3f}  MRR {mrr / nq:.3f}  silence {sil / ns:.3f}"
                  f"  ({nq} gold queries, {ns} no-match queries)")
    classifier_report(verbose)


def classifier_report(verbose: bool = False) -> None:
    """Precision/recall of classify_group_message on the labelled group messages."""
    from nlp.matching.posts import classify_group_message

    label = {"S": "supply", "D": "demand", "N": None}
    for name in ("matching_group_messages.txt", "matching_group_messages_holdout.txt",
                 "matching_group_messages_blind.txt"):
        path = Path(__file__).parent / "data" / name
        rows = [line.split("|", 1) for line in path.read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#")]
        pred = [(label[y], classify_group_message(t), t) for y, t in rows]
        fired = [(y, p) for y, p, _ in pred if p]
        correct = sum(y == p for y, p in fired)
        posts = sum(1 for y, _, _ in pred if y)
        print(f"group classifier on {name}: {len(rows)} messages ({posts} posts), "
              f"precision {correct / max(1, len(fired)):.3f}, recall {correct / max(1, posts):.3f}, "
              f"chit-chat wrongly taken {sum(1 for y, p in fired if y is None)}")
        if verbose:
            for y, p, t in pred:
                if y != p:
                    print(f"  [classifier {y}->{p}] {t}")


if __name__ == "__main__":
    main(sys.argv[1:])

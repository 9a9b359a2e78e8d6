"""Ranking and gated figures of nlp.matching.Matcher beside a frozen char 1-3 TF-IDF cosine baseline.

Run: python -m benchmarks.eval_matching_tiers [-v] [--dev] [set.txt ...]
     (default: the blind sets; --dev: the twelve older labelled sets)
Per set and pooled, every rate with its count:
- ranking, no gate: recall@5 and MRR over all returned hits (strong and weak);
- gated: strong-hit recall@5 and MRR, and the share of no-match posts with no strong hit;
- the recall-versus-silence curve when only hits scoring >= t are kept.
A Matcher whose hits have no `.strong` (the old one) counts every returned hit as strong; its
ranking figures come from Matcher(min_score=0).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_matching import SETS  # noqa: E402
from benchmarks.matching_data import DEV, gold, load_posts  # noqa: E402
from nlp.matching import Hit, Matcher  # noqa: E402

BLIND = ("matching_blind13.txt", "matching_blind14.txt", "matching_blind15.txt")
# The baseline's gate, chosen on the twelve older sets before the blind sets were run (then frozen):
# the cosine of the top hit that maximises (gated recall@5 + silence) / 2 on them.
TFIDF_GATE = 0.20
CURVE = {"matcher": (0, 20, 30, 40, 50, 60, 66, 70, 80),
         "tfidf": (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)}


class TfidfBaseline:
    """Frozen baseline: sklearn char 1-3 TF-IDF over the set's posts, cosine, top k of the other kind."""

    def __init__(self, posts: list[dict]) -> None:
        """Fit on every post of the set (both kinds)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.ids = [p["id"] for p in posts]
        self.kinds = [p["kind"] for p in posts]
        self.vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
        self.matrix = self.vec.fit_transform([p["text"] for p in posts])

    def scored(self, text: str, kind: str, k: int = 5) -> list[tuple]:
        """(id, cosine, strong) of the best k posts of the other kind."""
        sims = (self.matrix @ self.vec.transform([text]).T).toarray().ravel()
        rows = [(s, i) for i, s in enumerate(sims) if self.kinds[i] != kind and s > 0]
        rows.sort(reverse=True)
        return [(self.ids[i], float(s), s >= TFIDF_GATE) for s, i in rows[:k]]


def matcher_scored(posts: list[dict]):
    """search(text, kind) -> [(id, score, strong)] for the Matcher under test (ungated if old)."""
    old = not hasattr(Hit, "strong") and "strong" not in getattr(Hit, "__dataclass_fields__", {})
    m = Matcher(min_score=0.0) if old else Matcher()
    gate = Matcher().min_score if old else None
    for p in posts:
        m.add(p["id"], p["kind"], p["text"])

    def search(text: str, kind: str) -> list[tuple]:
        hits = m.search(text, kind, k=5)
        return [(h.post_id, h.score, (h.score >= gate) if old else h.strong) for h in hits]
    return search


def rank_of(res: list, rel: set) -> int | None:
    """1-based rank of the first relevant id in res."""
    return next((i + 1 for i, r in enumerate(res) if r[0] in rel), None)


def measure(search, posts, relevant, silent, verbose=False, name="") -> dict:
    """Counts for ranking, gated figures and the curve inputs."""
    text = {p["id"]: p for p in posts}
    out = {"n": len(relevant), "ns": len(silent), "hit": 0, "rr": 0.0, "shit": 0, "srr": 0.0,
           "quiet": 0, "rows": [], "silent_tops": []}
    for qid, rel in relevant.items():
        res = search(text[qid]["text"], text[qid]["kind"])
        rank = rank_of(res, rel)
        strong = [r for r in res if r[2]]
        srank = rank_of(strong, rel)
        out["hit"] += rank is not None
        out["rr"] += 1.0 / rank if rank else 0.0
        out["shit"] += srank is not None
        out["srr"] += 1.0 / srank if srank else 0.0
        out["rows"].append((res, rel))
        if verbose and (rank != 1 or srank is None):
            got = [(text[r[0]]["text"][:18], round(r[1], 2), r[2]) for r in res[:2]]
            print(f"  [{name} rank={rank} strong={srank}] {text[qid]['text'][:30]} -> {got}")
    for qid in silent:
        res = search(text[qid]["text"], text[qid]["kind"])
        strong = [r for r in res if r[2]]
        out["quiet"] += not strong
        out["silent_tops"].append(res[0][1] if res else None)
        if verbose and strong:
            print(f"  [{name} noisy] {text[qid]['text'][:30]} -> {text[strong[0][0]]['text'][:30]} {strong[0][1]}")
    return out


def _rate(a: float, b: int) -> str:
    return f"{a / max(1, b):.3f} ({a:g}/{b})" if isinstance(a, int) else f"{a / max(1, b):.3f}"


def report(name: str, acc: dict, curve: tuple) -> None:
    """Print one method's figures and its recall-versus-silence curve."""
    n, ns = acc["n"], acc["ns"]
    print(f"  {name:8} ranking: recall@5 {_rate(acc['hit'], n)}  MRR {_rate(acc['rr'], n)}")
    print(f"  {'':8} gated:   strong recall@5 {_rate(acc['shit'], n)}  strong MRR {_rate(acc['srr'], n)}"
          f"  no strong hit on no-match {_rate(acc['quiet'], ns)}")
    points = []
    for t in curve:
        kept = sum(1 for res, rel in acc["rows"] if rank_of([r for r in res if r[1] >= t], rel))
        quiet = sum(1 for top in acc["silent_tops"] if top is None or top < t)
        points.append(f"t={t:g}: {kept}/{n} | {quiet}/{ns}")
    print(f"  {'':8} curve (recall@5 | silence on no-match when only score >= t is kept):")
    print("    " + "; ".join(points))


def merge(into: dict, acc: dict) -> None:
    """Pool counts of one set into the totals."""
    for key, val in acc.items():
        into[key] = into.get(key, [] if isinstance(val, list) else 0) + val


def main(argv: list[str]) -> None:
    """Figures per set and pooled, for the Matcher and the TF-IDF baseline."""
    verbose = "-v" in argv
    names = SETS if "--dev" in argv else BLIND
    paths = [Path(a) for a in argv if not a.startswith("-")] or [DEV.parent / s for s in names]
    pooled: dict[str, dict] = {"matcher": {}, "tfidf": {}}
    for path in paths:
        posts = load_posts(path)
        relevant, silent = gold(posts)
        print(f"{path.name}: posts={len(posts)} gold queries={len(relevant)} no-match queries={len(silent)}")
        base = TfidfBaseline(posts)
        for name, fn in (("matcher", matcher_scored(posts)), ("tfidf", base.scored)):
            acc = measure(fn, posts, relevant, silent, verbose and name == "matcher", name)
            report(name, acc, CURVE[name])
            merge(pooled[name], acc)
    if len(paths) > 1:
        print(f"pooled over {len(paths)} sets:")
        for name, acc in pooled.items():
            report(name, acc, CURVE[name])


if __name__ == "__main__":
    main(sys.argv[1:])

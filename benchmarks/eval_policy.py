"""Evaluate policy retrieval on the demo handbook: top-1, top-3, right answers, right refusals,
beside a plain character-bigram baseline.

Usage: python benchmarks/eval_policy.py [--handbook DIR] [--questions FILE] [-v]
Question file: TSV `code|clause;clause|question` (see benchmarks/data/policy_questions.tsv) or
JSONL {"q": ..., "gold": [[doc, clause], ...]} (empty gold = not covered).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.policy import PolicyIndex  # noqa: E402
from nlp.policy.text import normalize  # noqa: E402

HANDBOOK = ROOT / "nlp" / "data" / "handbook"
QUESTIONS = ROOT / "benchmarks" / "data" / "policy_questions.tsv"
HELDOUT = ROOT / "benchmarks" / "data" / "policy_heldout"
BLIND = ROOT / "benchmarks" / "data" / "policy_blind"
NEWCOMER = ROOT / "benchmarks" / "data" / "policy_newcomer"
# fresh blind handbooks of 2026-12-03 (issue 14), each indexed on its own as an office would import it
FRESH = [ROOT / "benchmarks" / "data" / f"policy_fresh_{x}" for x in "ab"]
# C: written after the rebuild, before any failure of A or B was looked at; D: written after all
# tuning. Run with --final-blind
FINAL_BLIND = [ROOT / "benchmarks" / "data" / f"policy_fresh_{x}" for x in "cd"]
CODES = {
    "A": "济宁市支持制造业高质量发展若干政策措施", "B": "济宁市促进专精特新中小企业高质量发展若干措施",
    "C": "济宁市加快科技创新推动高新技术企业倍增若干措施", "D": "济宁市支持企业引进培育高层次人才实施办法",
    "E": "济宁市强化金融支持制造业企业发展若干措施", "F": "济宁市保障制造业项目用地和标准厂房建设实施办法",
    "G": "济宁市推动工业绿色低碳转型发展若干措施", "H": "济宁高新区瞪羚企业和独角兽企业培育支持办法",
    "I": "邹城市支持企业开拓国内外市场若干措施",
}


def load_questions(path: Path = QUESTIONS) -> list[tuple[str, set[tuple[str, str]]]]:
    """(question, gold set of (doc, clause)) pairs; an empty set means not covered."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            r = json.loads(line)
            out.append((r["q"], {tuple(g) for g in r.get("gold", [])}))
            continue
        code, clauses, q = line.split("|", 2)
        doc = CODES.get(code, code)
        gold = {(doc, c) for c in clauses.split(";") if c} if code != "-" else set()
        out.append((q, gold))
    return out


class BigramBaseline:
    """Plain character-bigram TF-IDF cosine over clause text; answers above a fixed cosine."""

    BAR = 0.12

    def __init__(self, index: PolicyIndex):
        """Index the same clauses as `index`."""
        self.clauses = index.clauses
        bags = [self._bag(c.text) for c in self.clauses]
        df = Counter(t for b in bags for t in b)
        n = len(bags)
        self.idf = {t: math.log((n + 1) / (f + 0.5)) for t, f in df.items()}
        self.vecs = [self._vec(b) for b in bags]

    @staticmethod
    def _bag(text: str) -> Counter:
        t = normalize(text)
        return Counter(t[i:i + 2] for i in range(len(t) - 1))

    def _vec(self, bag: Counter) -> dict[str, float]:
        v = {t: f * self.idf.get(t, 0.0) for t, f in bag.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    def search(self, q: str, k: int = 3) -> list[tuple[str, str, float]]:
        """(doc, clause, cosine) best first."""
        qv = self._vec(self._bag(q))
        scored = sorted(((sum(w * v.get(t, 0.0) for t, w in qv.items()), i) for i, v in enumerate(self.vecs)),
                        reverse=True)[:k]
        return [(self.clauses[i].doc, self.clauses[i].label, s) for s, i in scored]


def evaluate(idx: PolicyIndex, qs, verbose: bool = False) -> dict:
    """Metrics of PolicyIndex and the bigram baseline on one question set."""
    base = BigramBaseline(idx)
    m = Counter()
    for q, gold in qs:
        hits = idx.search(q, k=3)
        ans = idx.answer(q)
        bhits = base.search(q, 3)
        keys = [(h.doc, h.clause) for h in hits]
        bkeys = [(d, c) for d, c, _ in bhits]
        if gold:
            m["answerable"] += 1
            m["top1"] += bool(keys[:1] and keys[0] in gold)
            m["top3"] += any(k in gold for k in keys)
            m["right_answer"] += bool(ans and (ans.sources[0].doc, ans.sources[0].clause) in gold)
            m["b_top1"] += bool(bkeys and bkeys[0] in gold)
            m["b_top3"] += any(k in gold for k in bkeys)
            m["b_right_answer"] += bool(bhits and bhits[0][2] >= base.BAR and bkeys[0] in gold)
            bad = not (ans and (ans.sources[0].doc, ans.sources[0].clause) in gold)
        else:
            m["uncovered"] += 1
            m["right_refusal"] += ans is None
            m["b_right_refusal"] += not bhits or bhits[0][2] < base.BAR
            bad = ans is not None
        if verbose and bad:
            top = hits[0] if hits else None
            g = "; ".join(f"{d[:8]} {c}" for d, c in gold) or "(not covered)"
            print(f"  MISS {q}  gold={g}  got={top.doc[:8] + ' ' + top.clause if top else None} "
                  f"conf={top.confidence if top else 0:.2f} answered={ans is not None}")
    a, u = m["answerable"] or 1, m["uncovered"] or 1
    counts = {k: m[k] for k in ("top1", "top3", "right_answer", "right_refusal", "b_top1", "b_top3",
                                "b_right_answer", "b_right_refusal")}
    return {"counts": counts,
        "questions": m["answerable"] + m["uncovered"], "answerable": m["answerable"], "uncovered": m["uncovered"],
        "top1": m["top1"] / a, "top3": m["top3"] / a,
        "right_answers": m["right_answer"] / a, "right_refusals": m["right_refusal"] / u,
        "baseline_top1": m["b_top1"] / a, "baseline_top3": m["b_top3"] / a,
        "baseline_right_answers": m["b_right_answer"] / a, "baseline_right_refusals": m["b_right_refusal"] / u,
    }


def _files(d: Path) -> list[Path]:
    return sorted(p for p in d.iterdir() if p.suffix.lower() in (".md", ".txt", ".docx"))


def report(name: str, idx: PolicyIndex, qs, verbose: bool) -> None:
    """Evaluate and print one table."""
    r = evaluate(idx, qs, verbose)
    print(f"\n[{name}] handbook: {len(idx.documents)} documents, {len(idx.clauses)} clauses; "
          f"questions: {r['questions']} ({r['answerable']} answerable, {r['uncovered']} not covered)")
    print(f"{'metric':<16}{'PolicyIndex':>18}{'bigram baseline':>20}")
    n = r["counts"]
    for key, label, ck, tot in (("top1", "top-1", "top1", "answerable"), ("top3", "top-3", "top3", "answerable"),
                                ("right_answers", "right answers", "right_answer", "answerable"),
                                ("right_refusals", "right refusals", "right_refusal", "uncovered")):
        ours = f"{r[key]:.3f} ({n[ck]}/{r[tot]})"
        base = f"{r['baseline_' + key]:.3f} ({n['b_' + ck]}/{r[tot]})"
        print(f"{label:<16}{ours:>18}{base:>20}")


def main() -> None:
    """Print the metrics tables: the demo questions, then the held-out check (written before tuning)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--handbook", type=Path, default=HANDBOOK)
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--fresh-only", action="store_true", help="only the fresh blind handbooks")
    ap.add_argument("--dev-only", action="store_true", help="only the dev sets (never the fresh blind ones)")
    ap.add_argument("--final-blind", action="store_true", help="only handbooks C and D (fresh_c, fresh_d)")
    ap.add_argument("--only", help="with --final-blind: one set's directory name, e.g. policy_fresh_d")
    args = ap.parse_args()
    if args.final_blind:
        for d in FINAL_BLIND:
            if not args.only or d.name == args.only:
                report(d.name, PolicyIndex.from_files(_files(d)), load_questions(d / "questions.tsv"), args.verbose)
        return
    if args.fresh_only:
        return fresh(args.verbose)
    idx = PolicyIndex.from_files(_files(args.handbook))
    report("demo", idx, load_questions(args.questions), args.verbose)
    if args.handbook == HANDBOOK and HELDOUT.is_dir():
        # held-out documents are indexed together with the demo handbook, to confuse on purpose
        big = PolicyIndex.from_files(_files(HANDBOOK) + _files(HELDOUT))
        report("held-out", big, load_questions(HELDOUT / "questions.tsv"), args.verbose)
    if args.handbook == HANDBOOK and BLIND.is_dir():
        # written after the system was built and run exactly once: never tuned on
        blind = PolicyIndex.from_files(_files(HANDBOOK) + _files(HELDOUT) + _files(BLIND))
        report("blind", blind, load_questions(BLIND / "questions.tsv"), args.verbose)
    if args.handbook == HANDBOOK and NEWCOMER.is_dir():
        # a newcomer's reports (short terms such as 上云, support vs penalty clauses): regressions, not held-out
        newc = PolicyIndex.from_files(_files(HANDBOOK) + _files(NEWCOMER))
        report("newcomer", newc, load_questions(NEWCOMER / "questions.tsv"), args.verbose)
    if args.handbook == HANDBOOK and not args.dev_only:
        fresh(args.verbose)
        for d in FINAL_BLIND:
            report(d.name, PolicyIndex.from_files(_files(d)), load_questions(d / "questions.tsv"), args.verbose)


def fresh(verbose: bool) -> None:
    """The fresh blind handbooks of 2026-12-03, each indexed alone."""
    for d in FRESH:
        if d.is_dir():
            report(d.name, PolicyIndex.from_files(_files(d)), load_questions(d / "questions.tsv"), verbose)


if __name__ == "__main__":
    main()

"""Fit the answer-or-refuse weights of nlp/policy/decide.py on the DEV question sets only
(demo, held-out, blind, newcomer, and fresh_a / fresh_b after their first runs), and show the
ranking for a few lexical weights.

    python benchmarks/fit_policy_decision.py            # print fitted weights and a bar table
The last fresh blind handbook (policy_fresh_c) is never read here.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402

import nlp.policy.index as index_mod  # noqa: E402
from eval_policy import BLIND, FRESH, HANDBOOK, HELDOUT, NEWCOMER, QUESTIONS, _files, load_questions  # noqa: E402
from nlp.policy import PolicyIndex  # noqa: E402


def dev_sets() -> list[tuple[str, PolicyIndex, list]]:
    """The dev sets, indexed as eval_policy.py indexes them."""
    return [
        ("demo", PolicyIndex.from_files(_files(HANDBOOK)), load_questions(QUESTIONS)),
        ("held-out", PolicyIndex.from_files(_files(HANDBOOK) + _files(HELDOUT)), load_questions(HELDOUT / "questions.tsv")),
        ("blind", PolicyIndex.from_files(_files(HANDBOOK) + _files(HELDOUT) + _files(BLIND)),
         load_questions(BLIND / "questions.tsv")),
        ("newcomer", PolicyIndex.from_files(_files(HANDBOOK) + _files(NEWCOMER)), load_questions(NEWCOMER / "questions.tsv")),
    ] + [(d.name, PolicyIndex.from_files(_files(d)), load_questions(d / "questions.tsv"))
         for d in FRESH if d.name in DEV_FRESH]


DEV_FRESH = ("policy_fresh_a", "policy_fresh_b")  # first-run figures recorded, then used as dev


def rows(sets) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Features, label (top-1 answers the question), covered flag; and the top-1 count."""
    X, y, covered, top1 = [], [], [], 0
    for _, idx, qs in sets:
        for q, gold in qs:
            ids, _, ev = idx.evidence(q, 3)
            right = bool(ev and gold and (idx.clauses[ids[0]].doc, idx.clauses[ids[0]].label) in gold)
            top1 += right
            if ev is None:
                continue
            X.append([ev.cosine, ev.margin, float(ev.agree), ev.coverage])
            y.append(int(right))
            covered.append(bool(gold))
    return np.asarray(X), np.asarray(y), np.asarray(covered), top1


def main() -> None:
    """Ranking per lexical weight, then the logistic fit at the chosen weight."""
    sets = dev_sets()
    n_cov = sum(bool(g) for _, _, qs in sets for _, g in qs)
    for w in (0.0, 0.05, 0.1, 0.2, 0.3, 0.5):
        index_mod.LEX_WEIGHT = w
        print(f"LEX_WEIGHT={w:<5} dev top-1 {rows(sets)[3]}/{n_cov}")
    index_mod.LEX_WEIGHT = float(sys.argv[1]) if len(sys.argv) > 1 else 0.2
    X, y, covered, _ = rows(sets)
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=10.0).fit(X, y)
    print(f"LEX_WEIGHT={index_mod.LEX_WEIGHT}: BIAS={m.intercept_[0]:.2f} "
          f"W_COSINE, W_MARGIN, W_AGREE, W_COVERAGE = {', '.join(f'{c:.2f}' for c in m.coef_[0])}")
    # agreement of the two rankers comes out negative once margin and coverage are known (uncovered
    # questions sharing one strong word make both rankers agree): refit without it, weight 0
    keep = [0, 1, 3]
    m = LogisticRegression(C=10.0).fit(X[:, keep], y)
    print(f"without agreement: BIAS={m.intercept_[0]:.2f} "
          f"W_COSINE, W_MARGIN, W_COVERAGE = {', '.join(f'{c:.2f}' for c in m.coef_[0])}")
    p = m.predict_proba(X[:, keep])[:, 1]
    for bar in (0.3, 0.4, 0.5, 0.6, 0.7):
        ans = p >= bar
        right = int(np.sum(ans & (y == 1) & covered))
        refused = int(np.sum(~ans & ~covered))
        print(f"  bar {bar}: answer-right {right}/{int(covered.sum())}  refusal {refused}/{int((~covered).sum())}")


if __name__ == "__main__":
    main()

"""Answer or refuse: a small logistic model over generic evidence about the best clause.

Features chosen before any fitting: the generic ranker's cosine of the best clause, the relative
margin of its final score over the next clause (absolute), whether the two rankers (generic TF-IDF and lexical
BM25 + coverage) pick the same clause, and the share of the question's words the clause covers.
No feature punishes a word for being unknown to the handbook. The weights were fitted by logistic
regression on the dev sets (benchmarks/fit_policy_decision.py); the fresh blind sets never were.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

# fitted on the dev question sets, see benchmarks/fit_policy_decision.py (logistic regression, C=10,
# LEX_WEIGHT=0.2; dev = demo, held-out, blind, newcomer, fresh_a, fresh_b: 256 covered + 68 not).
# Agreement of the two rankers was fitted too and came out negative once margin and coverage
# are known: uncovered questions sharing one strong word make both rankers agree. It is kept as
# evidence at weight 0 and the rest refitted without it.
BIAS = -6.11
W_COSINE, W_MARGIN, W_AGREE, W_COVERAGE = -0.05, 5.06, 0.0, 8.09
HIGH_BAR = 0.5  # answer at or above this chance of being right (dev: 229/256 right, 61/68 refused; 0.4: 232, 59)
LOW_BAR = 0.03  # below this nothing in the handbook is close enough to offer (dev: unrelated topics ~0.003)
RELATED_COVERAGE = 0.1  # below the high bar: coverage 0.3 (the old "may help" bar) reaches LOW_BAR
RELATED_FLOOR = 0.3  # a runner-up offered as "related" scores at least this share of the best


@dataclass(frozen=True)
class Evidence:
    """What the rankers say about their best clause for one question."""

    cosine: float  # generic ranker's cosine, 0..1
    margin: float  # best - second of the final scores (absolute: a lone weak match has a small one)
    agree: bool  # both rankers put this clause first
    coverage: float  # IDF-weighted share of the question's words the clause covers, 0..1


def answer_probability(ev: Evidence) -> float:
    """Calibrated chance that the best clause answers the question."""
    z = BIAS + W_COSINE * ev.cosine + W_MARGIN * ev.margin + W_AGREE * ev.agree + W_COVERAGE * ev.coverage
    return 1.0 / (1.0 + math.exp(-z))


def shown_confidence(p: float, ev: Evidence) -> float:
    """The best clause's confidence: p when it answers; below the high bar the larger of p and a tenth
    of its coverage, so a clause holding a third of the question's words is still offered as related."""
    if p >= HIGH_BAR:
        return p
    return min(max(p, RELATED_COVERAGE * ev.coverage), HIGH_BAR - 1e-4)


def related_confidence(top: float, share: float) -> float:
    """Confidence shown for a runner-up: the best clause's, scaled by how close it scores."""
    return top * share if share >= RELATED_FLOOR else 0.0

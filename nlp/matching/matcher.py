"""The supply/demand matcher: sparse TF-IDF retrieval, small rule adjustments, two tiers.

Public, stable API (an outside benchmark calls it):
    m = Matcher(); m.add(post_id, kind, text); m.remove(post_id)
    hits = m.search(text, kind, k=5)   # kind is the query's own kind
Each hit has .post_id, .score (0-100), .reason (Chinese) and .strong. Strong hits (pushed to
both cadres) come first, then weak "可能相关" candidates for the poster only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable, Iterable

import numpy as np

from nlp.matching import scoring
from nlp.matching.features import features
from nlp.matching.index import Shelf, Vocabulary, query_vector

KINDS = ("supply", "demand")
OTHER = {"supply": "demand", "demand": "supply"}
CANDIDATES = 20  # re-scored by the rules; the field is taken from them too


class Hit:
    """One match: the other post's id, a 0-100 score, the reason in Chinese, strong or weak.

    The reason is worded only when read (most callers look at a few hits, a benchmark at none)."""

    __slots__ = ("post_id", "score", "strong", "_reason", "_why")

    def __init__(self, post_id: Any, score: float, reason: str | None = None, strong: bool = False,
                 *, _why: tuple | None = None) -> None:
        """A hit; either a reason or the (query, post facts) pair to word it from."""
        self.post_id, self.score, self.strong = post_id, score, strong
        self._reason, self._why = reason, _why

    @property
    def reason(self) -> str:
        """Shared words and specs in Chinese; weak hits say they are only possibly related."""
        if self._reason is None:
            self._reason = scoring.reason(*self._why, self.strong) if self._why else ""
        return self._reason

    def __repr__(self) -> str:
        return f"Hit(post_id={self.post_id!r}, score={self.score}, strong={self.strong}, reason={self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hit) and (self.post_id, self.score, self.strong) == \
            (other.post_id, other.score, other.strong)

    __hash__ = None  # mutable cache inside


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the rules need of a stored post; its tuples are shared between posts."""

    terms: tuple
    specs: tuple
    heads: tuple
    runs: tuple
    rental: bool
    waste: bool


class Matcher:
    """In-memory supply/demand matcher over open posts; search cost follows shared features."""

    def __init__(self, min_score: float | None = None, *, background: Iterable[str] | None = None) -> None:
        """Empty matcher. min_score (0-100) drops weaker hits; background: texts for the document
        frequencies instead of the shipped ones (calibration leaves a set's own posts out)."""
        self.min_score = scoring.WEAK_MIN if min_score is None else min_score
        self._vocab = Vocabulary(None if background is None else tuple(background))
        self._shelves = {k: Shelf(self._vocab) for k in KINDS}
        self._posts: dict[Hashable, tuple[str, _Facts]] = {}
        self._shared: dict[tuple, tuple] = {}  # one copy of each tuple of terms, specs, heads

    def __len__(self) -> int:
        return len(self._posts)

    def __contains__(self, post_id: Hashable) -> bool:
        return post_id in self._posts

    def add(self, post_id: Hashable, kind: str, text: str) -> None:
        """Index a post (replacing any earlier post with the same id)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be 'supply' or 'demand', not {kind!r}")
        if post_id in self._posts:
            self.remove(post_id)
        f = features(text)
        ids = self._vocab.grow(f.weights)
        share = self._shared.setdefault
        facts = _Facts(share(f.terms, f.terms), share(f.specs, f.specs), share(f.heads, f.heads),
                       share(f.runs, f.runs), f.rental, f.waste)
        self._posts[post_id] = (kind, facts)
        self._shelves[kind].add(post_id, ids, list(f.weights.values()))

    def remove(self, post_id: Hashable) -> None:
        """Forget a post; unknown ids are ignored."""
        rec = self._posts.pop(post_id, None)
        if rec is not None:
            self._shelves[rec[0]].remove(post_id)

    def search(self, text: str, kind: str, k: int = 5) -> list[Hit]:
        """Up to k posts of the other kind for a query of `kind`: strong hits first, then weak ones."""
        if kind not in KINDS:
            raise ValueError(f"kind must be 'supply' or 'demand', not {kind!r}")
        if k <= 0:
            return []
        f = features(text)
        rows = self._rank(f, k, OTHER[kind])
        field_score = scoring.field([r[0] for r in rows])
        hits = []
        for score, pid, facts, _ in rows[:k]:
            if score < self.min_score:
                break
            strong = scoring.is_strong(score, field_score, f, facts)
            hits.append(Hit(pid, score, strong=strong, _why=(f, facts)))
        hits.sort(key=lambda h: (not h.strong, -h.score))
        return hits

    def ranked(self, text: str, kind: str) -> list[tuple]:
        """(score, post id, facts) of the best candidates, best first, before any gate (calibration)."""
        return self._rank(features(text), CANDIDATES, OTHER[kind])

    def _rank(self, f, k: int, other: str) -> list[tuple]:
        """Candidates from the sparse index, re-scored by the rules, best first."""
        qv = query_vector(self._vocab, f)
        if qv is None:
            return []
        shelf = self._shelves[other]
        slots, cos = shelf.search(qv[0], qv[1])
        if not len(slots):
            return []
        n = min(len(cos), max(CANDIDATES, k))
        top = np.argpartition(-cos, n - 1)[:n] if n < len(cos) else np.arange(len(cos))
        qnorm, query = qv[2], scoring.Query(f)
        rows = []
        for i in top:
            slot = slots[i]
            pid = shelf.pids[slot]
            facts = self._posts[pid][1]
            c = query.adjust(float(cos[i]), facts)
            dnorm = float(shelf.norms[slot])
            rows.append((scoring.to_score(c), pid, facts, c * max(qnorm, dnorm) / min(qnorm, dnorm)))
        rows.sort(key=lambda r: -r[0])
        return rows

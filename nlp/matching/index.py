"""Sparse TF-IDF index over open posts: segments of scipy CSR matrices, cheap add and remove.

Each kind keeps a list of frozen segments (feature-major CSR: a row is one feature's posting list
over the segment's posts) plus a small mutable tail. A full tail is frozen into a segment and
equal-sized segments are merged (a binary counter), so adding is amortised O(features log n)
and a search is one sparse product per segment. Removing only clears an alive flag; merges drop
the dead. Document frequencies (of every post indexed since start) are shared by both kinds and start from a shipped background of
development posts, so cue words stay cheap even while few posts are open.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Hashable

import numpy as np
from scipy import sparse

from nlp.matching.features import PostFeatures, features

TAIL_MAX = 512
COMMON_DF = 500
BACKGROUND = Path(__file__).resolve().parent.parent / "data" / "sd_background.txt"


@lru_cache(maxsize=1)
def background_texts() -> tuple[str, ...]:
    """The shipped background posts."""
    return tuple(ln for ln in BACKGROUND.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#"))


@lru_cache(maxsize=4)
def background(lines: tuple[str, ...] | None = None) -> tuple[dict, int]:
    """Document frequency of each feature over background posts (default: shipped), and their number."""
    df: dict[str, int] = {}
    lines = background_texts() if lines is None else lines
    for line in lines:
        for f in features(line).weights:
            df[f] = df.get(f, 0) + 1
    return df, len(lines)


class Vocabulary:
    """Feature ids and document frequencies over background plus indexed posts of both kinds.

    Frequencies count every post frozen into a segment since start: closing a post does not undo
    it (its words were seen in a post, which is all a frequency says), so removing stays O(1).
    """

    def __init__(self, texts: tuple[str, ...] | None = None) -> None:
        """Start from the background frequencies (of `texts`, default the shipped posts)."""
        bg, self.n_background = background(texts)
        self.ids: dict[str, int] = {f: i for i, f in enumerate(bg)}
        self.df = np.zeros(max(1024, 2 * len(bg)), dtype=np.float32)
        self.df[: len(bg)] = np.fromiter(bg.values(), dtype=np.float32, count=len(bg))
        self.n_posts = 0

    def __len__(self) -> int:
        return len(self.ids)

    def grow(self, weights: dict) -> list[int]:
        """Ids of a post's features, new ones added."""
        ids = self.ids
        out = []
        for f in weights:
            fid = ids.get(f)
            if fid is None:
                fid = ids[f] = len(ids)
            out.append(fid)
        return out

    def lookup(self, weights: dict) -> tuple[np.ndarray, np.ndarray]:
        """(ids, weights) of a query's known features."""
        ids = self.ids
        pairs = [(ids[f], w) for f, w in weights.items() if f in ids]
        if not pairs:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        fids, vals = zip(*pairs)
        return np.asarray(fids, dtype=np.int32), np.asarray(vals, dtype=np.float32)

    def idf(self, ids: np.ndarray) -> np.ndarray:
        """Smoothed inverse document frequency of feature ids."""
        n = self.n_posts + self.n_background
        return (np.log((n + 1.0) / (self.df[ids] + 1.0)) + 1.0).astype(np.float32)

    def count(self, feat: np.ndarray, n_posts: int) -> None:
        """n_posts posts with these (concatenated) feature ids were frozen."""
        if len(self.ids) > len(self.df):
            grown = np.zeros(max(len(self.ids), 2 * len(self.df)), dtype=np.float32)
            grown[: len(self.df)] = self.df
            self.df = grown
        np.add.at(self.df, feat, 1.0)
        self.n_posts += n_posts


class Segment:
    """Frozen posts of one kind: feature-major CSR arrays whose columns are global post slots."""

    def __init__(self, slots: np.ndarray, rows: list[tuple[list, list]], vocab: Vocabulary,
                 count: bool) -> None:
        """Build from per-post (feature ids, values); count them in the frequencies if asked."""
        n = len(rows)
        lengths = np.fromiter((len(r[0]) for r in rows), dtype=np.int64, count=n)
        total = int(lengths.sum())
        feat = np.fromiter((f for r in rows for f in r[0]), dtype=np.int32, count=total)
        vals = np.fromiter((v for r in rows for v in r[1]), dtype=np.float32, count=total)
        local = np.repeat(np.arange(n, dtype=np.int32), lengths)
        if count:
            vocab.count(feat, n)
        elif len(vocab.ids) > len(vocab.df):
            vocab.count(feat[:0], 0)  # make room for new ids
        w = vals * vocab.idf(feat)
        norms = np.sqrt(np.bincount(local, weights=w * w, minlength=n)).astype(np.float32)
        norms[norms == 0] = 1.0
        self.slots = slots
        self.norms = norms
        m = sparse.csr_matrix((vals, (feat, slots[local])), shape=(len(vocab), int(slots.max()) + 1 if n else 0))
        self._set(m)

    def _set(self, m: sparse.csr_matrix) -> None:
        m.sum_duplicates()
        self.indptr, self.cols, self.vals = m.indptr, m.indices.astype(np.int32), m.data.astype(np.float32)

    @classmethod
    def merged(cls, a: Segment, b: Segment, alive: np.ndarray, n_features: int, n_slots: int) -> Segment:
        """One segment with the live posts of a and b (dead columns dropped)."""
        seg = cls.__new__(cls)
        parts, slots, norms = [], [], []
        for s in (a, b):
            m = sparse.csr_matrix((s.vals, s.cols, s.indptr), shape=(len(s.indptr) - 1, n_slots))
            m.resize((n_features, n_slots))
            parts.append(m)
            keep = alive[s.slots]
            slots.append(s.slots[keep])
            norms.append(s.norms[keep])
        m = parts[0] + parts[1]
        dead = ~alive[m.indices]
        if dead.any():
            m.data[dead] = 0.0
            m.eliminate_zeros()
        seg.slots = np.concatenate(slots)
        seg.norms = np.concatenate(norms)
        seg._set(m)
        return seg

    def gather(self, fids: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(slots, partial dot products) of the postings of the query's features, unsummed."""
        known = fids < len(self.indptr) - 1
        if not known.all():
            fids, weights = fids[known], weights[known]
        if not len(fids):
            return _EMPTY_I, _EMPTY_F
        starts, ends = self.indptr[fids], self.indptr[fids + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            return _EMPTY_I, _EMPTY_F
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        w = np.repeat(weights, lengths)
        return self.cols[offsets], self.vals[offsets] * w

    def __len__(self) -> int:
        return len(self.slots)


_EMPTY_I = np.zeros(0, dtype=np.int32)
_EMPTY_F = np.zeros(0, dtype=np.float32)


class Shelf:
    """All open posts of one kind: segments plus a tail. Slots, norms and alive flags are global."""

    def __init__(self, vocab: Vocabulary) -> None:
        """Empty shelf over a shared vocabulary."""
        self.vocab = vocab
        self.segments: list[Segment] = []
        self.tail: dict[Hashable, tuple[int, list, list]] = {}  # pid -> (slot, feature ids, values)
        self.tail_segment: Segment | None = None  # the tail as a segment, rebuilt when dirty
        self.slot_of: dict[Hashable, int] = {}
        self.pids: list = []  # slot -> post id
        self.alive = np.zeros(1024, dtype=bool)
        self.norms = np.ones(1024, dtype=np.float32)

    def add(self, pid: Hashable, ids: list, vals: list) -> None:
        """Put a post in the tail under a new slot; freeze the tail when full."""
        slot = len(self.pids)
        self.pids.append(pid)
        if slot >= len(self.alive):
            self.alive = np.concatenate([self.alive, np.zeros(len(self.alive), dtype=bool)])
            self.norms = np.concatenate([self.norms, np.ones(len(self.norms), dtype=np.float32)])
        self.alive[slot] = True
        self.slot_of[pid] = slot
        self.tail[pid] = (slot, ids, vals)
        self.tail_segment = None
        if len(self.tail) >= TAIL_MAX:
            self._freeze()

    def _tail_segment(self, count: bool) -> Segment:
        rows = list(self.tail.values())
        slots = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        seg = Segment(slots, [r[1:] for r in rows], self.vocab, count)
        self.norms[slots] = seg.norms
        return seg

    def _freeze(self) -> None:
        seg = self._tail_segment(count=True)
        self.tail, self.tail_segment = {}, None
        self.segments.append(seg)
        while len(self.segments) > 1 and len(self.segments[-1]) * 2 >= len(self.segments[-2]):
            b, a = self.segments.pop(), self.segments.pop()
            self.segments.append(Segment.merged(a, b, self.alive, len(self.vocab), len(self.pids)))

    def remove(self, pid: Hashable) -> bool:
        """Forget a post (its alive flag); False if unknown."""
        slot = self.slot_of.pop(pid, None)
        if slot is None:
            return False
        self.alive[slot] = False
        self.pids[slot] = None
        if self.tail.pop(pid, None) is not None:
            self.tail_segment = None
        return True

    def search(self, fids: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(slots, cosines) of live posts sharing a feature with the query (weights pre-divided by |q|)."""
        if self.tail and self.tail_segment is None:
            self.tail_segment = self._tail_segment(count=False)
        cols, vals = [], []
        for seg in self.segments + ([self.tail_segment] if self.tail else []):
            c, v = seg.gather(fids, weights)
            if len(c):
                cols.append(c)
                vals.append(v)
        if not cols:
            return _EMPTY_I, _EMPTY_F
        c = np.concatenate(cols) if len(cols) > 1 else cols[0]
        v = np.concatenate(vals) if len(vals) > 1 else vals[0]
        acc = np.bincount(c, weights=v, minlength=0)
        slots = np.flatnonzero(acc)
        slots = slots[self.alive[slots]]
        return slots, acc[slots] / self.norms[slots]


def query_vector(vocab: Vocabulary, f: PostFeatures) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The query as (feature ids, tf x idf^2 / |q|, |q|): summed over a post's postings and divided
    by the post's |d| this is the cosine."""
    ids, vals = vocab.lookup(f.weights)
    if not len(ids):
        return None
    idf = vocab.idf(ids)
    norm = math.sqrt(float(np.sum((vals * idf) ** 2)))
    if norm == 0.0:
        return None
    # Features in more than one post in fifty (and 500 posts) weigh little and would make a search
    # walk a long posting list: in a large index they are left out of the dot product (|q| keeps them).
    rare = vocab.df[ids] <= max(COMMON_DF, (vocab.n_posts + vocab.n_background) / 50)
    if not rare.any():
        rare[np.argmin(vocab.df[ids])] = True
    return ids[rare], (vals * idf * idf / norm)[rare], norm

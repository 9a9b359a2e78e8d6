"""Supply-demand matcher: inverted index over product-phrase heads, rule-based phrase scoring.

Public, stable API (an outside benchmark calls it):
    m = Matcher(); m.add(post_id, kind, text); m.remove(post_id)
    hits = m.search(text, kind, k=5)   # kind is the query's own kind
Each hit has .post_id, .score (0-100) and .reason (shared terms, Chinese).
"""

from __future__ import annotations

import heapq
import sys
from dataclasses import dataclass
from typing import Any, Hashable

from rapidfuzz import fuzz

from nlp.matching_lexicon import analyse, lexicon

KINDS = ("supply", "demand")
OTHER = {"supply": "demand", "demand": "supply"}
MIN_SCORE = 66.0  # below this a hit is not worth a cadre's attention (62-70 perform alike on our sets)
_SERVICE_HEADS = frozenset({"开采", "检测", "清洗", "维修", "加工", "制造", "保养", "维保", "改造", "翻新",
                            "调试", "拆装", "拆卸", "搬运", "司机", "师傅", "教学", "查询"})
_WASTE = frozenset({"废", "废旧", "废弃", "旧", "报废", "二手旧"})
_SPEC_CONFLICT_CLASSES = ("dia", "dn", "elec", "size", "grade")


@dataclass(frozen=True)
class Hit:
    """One match: the other post's id, a 0-100 score and the shared terms in Chinese."""

    post_id: Any
    score: float
    reason: str


def phrase_keys(phrase: tuple) -> tuple:
    """Index keys of a phrase: a known head by name (and last char), an unknown head by last char."""
    head = phrase[-1]
    if head in lexicon().terms:
        return ("H" + head, "T" + head[-1])
    return ("O" + head[-1],)


def query_keys(phrase: tuple) -> tuple:
    """Keys a query phrase looks up: the known heads related by suffix, unknown heads by tail."""
    head = phrase[-1]
    lex = lexicon()
    if head in lex.terms:
        return tuple("H" + h for h in lex.related[head]) + ("O" + head[-1],)
    return ("O" + head[-1], "T" + head[-1])


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        n += 1
    return n


def phrase_sim(q: tuple, c: tuple) -> float:
    """Similarity 0..1 of two phrases; the head (last unit) must agree, prefixes never count.

    石墨电极 vs 石墨烯, 隔膜 vs 隔膜泵, 液压油 vs 液压油缸 all score 0: sharing the start of a
    word, or one product being the modifier of the other, is a different product.
    """
    if q == c:
        return 1.0
    terms = lexicon().terms
    hq, hc = q[-1], c[-1]
    if hq in c[:-1] or hc in q[:-1]:
        return 0.0
    sq, sc = "".join(q), "".join(c)
    if hq == hc:
        head = 1.0
    elif hq.endswith(hc) or hc.endswith(hq):
        # 电池 / 储能电池: the shorter one is the broader product, unless the broad side
        # names a modifier the specific side contradicts (石墨+坩埚 vs 氧化铝坩埚)
        (short, long_), mods = ((hq, hc), q[:-1]) if len(hq) < len(hc) else ((hc, hq), c[:-1])
        extra = long_[: len(long_) - len(short)]
        if len(short) >= 2:
            head = 0.85
        else:  # 机 / 冷轧机: a one-character head only counts with its modifiers (岩棉+管 / 岩棉管)
            smods = [m for m in mods if len(m) > 1]
            head = 0.5 + 0.25 * (sum(m in long_ for m in smods) / len(smods) if smods else 0.5)
        mods = [m for m in mods if len(m) > 1]  # one-character modifiers are mostly verbs (做, 要)
        tmods = [m for m in mods if m in terms]
        if (tmods or long_ in terms) and mods and not any(m in extra or extra in m for m in mods):
            head = 0.3  # the broad side names a variant the specific side contradicts
    elif hq in terms and hc in terms:
        if hc in lexicon().broader.get(hq, ()):
            head = 0.85  # 球阀 / 阀门: one is a kind of the other
        elif hq[-1] == hc[-1] and fuzz.ratio(sq, sc) >= 80:
            head = 0.75  # 螺旋钢管 / 螺旋管: the same product written two ways
        else:
            return 0.0  # two different known products
    elif (len(hq) >= 2 and sc.endswith(hq)) or (len(hc) >= 2 and sq.endswith(hc)):
        head = 0.8
    else:
        tail = _common_suffix(sq, sc)
        if tail == 0:
            return 0.0
        if tail == 1:  # only the last character agrees (打标机 / 切割机): compare the heads
            head = 0.35 + 0.45 * fuzz.ratio(hq, hc) / 100.0
        else:
            head = 0.5 + 0.45 * fuzz.ratio(sq, sc) / 100.0
    mq, mc = q[:-1], c[:-1]
    if any(u in _WASTE for u in mq) != any(u in _WASTE for u in mc):
        head *= 0.4  # 废活性炭 is waste to dispose of, not activated carbon
    if not mq:
        agree = 1.0
    else:
        hits = sum(1 for u in mq if u in mc or u in sc or any(fuzz.ratio(u, v) >= 70 for v in mc))
        agree = hits / len(mq)
        if not mc:
            agree = max(agree, 0.5)
        elif agree == 0:
            qt, ct = [u for u in mq if u in terms], [u for u in mc if u in terms]
            if hq == hc and (len(hq) == 1 or hq in _SERVICE_HEADS):
                return head * 0.4  # 液压油+管 vs 岩棉+管, 变压器+维修: a light head needs its modifier
            if qt and ct:
                return head * 0.7  # both name a known material and they differ: another variant
            agree = 0.5
    return head * (0.8 + 0.2 * agree)


def _spec_set(specs: list) -> frozenset:
    out = set()
    for kind, value, _ in specs:
        if kind in ("elec", "size"):
            unit = value.lstrip("0123456789.")
            out.add(sys.intern(f"{kind}:{unit}:{value}"))
        else:
            out.add(sys.intern(f"{kind}::{value}"))
    return frozenset(out)


def _spec_adjust(qs: frozenset, cs: frozenset) -> tuple[float, list]:
    """Bonus for shared specs, penalty when both state a spec of one class and they differ."""
    if not qs or not cs:
        return 0.0, []
    shared = qs & cs
    bonus = min(6.0, 3.0 * len(shared))
    qcls = {s.rsplit(":", 1)[0] for s in qs if s.split(":", 1)[0] in _SPEC_CONFLICT_CLASSES}
    ccls = {s.rsplit(":", 1)[0] for s in cs}
    shared_cls = {s.rsplit(":", 1)[0] for s in shared}
    conflicts = (qcls & ccls) - shared_cls
    return bonus - min(20.0, 12.0 * len(conflicts)), sorted(s.rsplit(":", 1)[1].upper() for s in shared)


class Matcher:
    """In-memory supply/demand matcher; cost per search depends on candidates, not on all posts."""

    def __init__(self, min_score: float = MIN_SCORE) -> None:
        """Create an empty matcher."""
        self.min_score = min_score
        self._posts: dict[Hashable, tuple] = {}  # id -> (kind, phrases, specs, region, seq)
        self._index: dict[str, dict[str, dict[tuple, set]]] = {k: {} for k in KINDS}
        self._sim_cache: dict[tuple, float] = {}
        self._seq = 0

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
        a = analyse(text)
        phrases, weights = _dedup(a.phrases, a.weights)
        self._seq += 1
        basis = _basis(dict(zip(phrases, weights)))
        self._posts[post_id] = (kind, phrases, weights, _spec_set(a.specs), a.region, self._seq,
                                tuple(basis), sum(basis.values()), a.rental)
        index = self._index[kind]
        for p in phrases:
            for key in phrase_keys(p):
                index.setdefault(key, {}).setdefault(p, set()).add(post_id)

    def remove(self, post_id: Hashable) -> None:
        """Forget a post; unknown ids are ignored."""
        rec = self._posts.pop(post_id, None)
        if rec is None:
            return
        index = self._index[rec[0]]
        for p in rec[1]:
            for key in phrase_keys(p):
                bucket = index.get(key)
                ids = bucket.get(p) if bucket else None
                if ids is None:
                    continue
                ids.discard(post_id)
                if not ids:
                    del bucket[p]
                    if not bucket:
                        del index[key]

    def _sim(self, q: tuple, c: tuple) -> float:
        key = (q, c)
        s = self._sim_cache.get(key)
        if s is None:
            if len(self._sim_cache) > 500_000:
                self._sim_cache.clear()
            s = self._sim_cache[key] = phrase_sim(q, c)
        return s

    def search(self, text: str, kind: str, k: int = 5) -> list[Hit]:
        """Best posts of the other kind for a query of `kind`; [] when nothing is good enough."""
        if kind not in KINDS:
            raise ValueError(f"kind must be 'supply' or 'demand', not {kind!r}")
        if k <= 0:
            return []
        a = analyse(text)
        qphrases, qweights = _dedup(a.phrases, a.weights)
        if not qphrases:
            return []
        index = self._index[OTHER[kind]]
        bound = (self.min_score - 7.0) / 100.0  # best case: full coverage and every bonus
        cand: dict[tuple, dict[int, float]] = {}  # candidate phrase -> {query phrase: sim}
        order = []  # (upper bound, candidate phrase, its post ids)
        for qi, q in enumerate(qphrases):
            seen: set = set()
            for key in query_keys(q):
                for c, ids in index.get(key, {}).items():
                    if c in seen:
                        continue
                    seen.add(c)
                    s = self._sim(q, c) * qweights[qi]
                    if s < bound:
                        continue  # cannot reach the threshold whatever else matches
                    sims = cand.setdefault(c, {})
                    if s > sims.get(qi, 0.0):
                        sims[qi] = s
                    # a list post may lift a phrase by up to 1/0.7 (see _score_post)
                    order.append((min(1.0, s / 0.7) if s < 0.75 else s, c, ids))
        if not order:
            return []
        order.sort(key=lambda t: -t[0])
        qbasis = _basis(dict(zip(qphrases, qweights)))
        qbasis[None] = sum(qbasis.values()) or 1.0
        ctx = (qphrases, qweights, qbasis, _spec_set(a.specs), a.region, cand, a.rental)
        heap: list = []  # the k best so far: (score, seq, pid, row, specs)
        done: set = set()
        for ub, _, ids in order:
            if len(heap) >= k and heap[0][0] >= 100.0 * ub + 7.0:
                break  # no post still unseen can beat the k already found
            for pid in ids:
                if pid in done:
                    continue
                done.add(pid)
                res = self._score_post(pid, ctx)
                if res is None:
                    continue
                if len(heap) < k:
                    heapq.heappush(heap, res)
                elif res[:2] > heap[0][:2]:
                    heapq.heapreplace(heap, res)
        top_hits = sorted(heap, key=lambda t: (t[0], t[1]), reverse=True)
        return [Hit(pid, round(score, 1), _reason(qphrases, row, specs))
                for score, _, pid, row, specs in top_hits]

    def _score_post(self, pid: Hashable, ctx: tuple) -> tuple | None:
        """Final score of one candidate post, or None below the threshold."""
        qphrases, qweights, qbasis, qspecs, qregion, cand, qrental = ctx
        _, cphrases, cweights, cspecs, cregion, seq, cbasis, ctotal, crental = self._posts[pid]
        row: dict[int, tuple] = {}
        for c, cwt in zip(cphrases, cweights):
            sims = cand.get(c)
            if sims is None:
                continue
            for qi, s in sims.items():
                if cwt < qweights[qi]:
                    s = s * cwt / qweights[qi]  # effective weight is the lesser of both sides
                old = row.get(qi)
                if old is None or s > old[0]:
                    row[qi] = (s, c, cwt)
        top = 0.0
        units = None
        qcov = ccov = 0.0
        matched_c: set = set()
        for qi, (s, c, cwt) in row.items():
            q = qphrases[qi]
            if 0.4 <= s < 0.75 * qweights[qi] and len(q) > 1:
                # the modifier may sit elsewhere in a list post (彩盒印刷 药盒 礼盒)
                units = units or {u for p in cphrases for u in p}
                if any(u in units for u in q[:-1]):
                    s = min(qweights[qi] * cwt, s / 0.7)
                    row[qi] = (s, c, cwt)
            if s > top:
                top = s
            if s >= 0.5:
                qcov += qbasis.get(q, 0.0)
                if c in cbasis and c not in matched_c:
                    matched_c.add(c)
                    ccov += cwt
        if 100.0 * top + 7.0 < self.min_score:
            return None
        qcov /= qbasis[None]
        ccov = ccov / ctotal if ctotal else 0.0
        hi, lo = (qcov, ccov) if qcov >= ccov else (ccov, qcov)
        base = 100.0 * top * (0.7 + 0.2 * hi + 0.1 * lo)
        if base + 7.0 < self.min_score:
            return None
        adj, shared_specs = _spec_adjust(qspecs, cspecs) if qspecs and cspecs else (0.0, [])
        if qregion and qregion == cregion:
            adj += 1.0
        if qrental != crental:
            adj -= 8.0  # renting out is a weaker answer to buying (and the other way round)
        score = max(0.0, min(100.0, base + adj))
        return (score, seq, pid, row, shared_specs) if score >= self.min_score else None


def _basis(weights: dict) -> dict:
    """The phrases a post is about: its known products, or its nouns when it names none."""
    terms = lexicon().terms
    known = {p: w for p, w in weights.items() if w >= 0.8 and p[-1] in terms}
    return known or {p: w for p, w in weights.items() if w >= 0.8} or weights


def _dedup(phrases: list, weights: list) -> tuple[tuple, tuple]:
    """Unique phrases (interned), keeping the highest weight of repeats."""
    out: dict[tuple, float] = {}
    for p, w in zip(phrases, weights):
        p = tuple(sys.intern(u) for u in p)
        out[p] = max(w, out.get(p, 0.0))
    return tuple(out), tuple(out.values())


def _reason(qphrases: list, row: list, specs: list) -> str:
    """Chinese explanation: matched products (query ≈ candidate) and shared specs."""
    names = []
    for qi, (s, c, _) in sorted(row.items(), key=lambda kv: -kv[1][0]):
        q = qphrases[qi]
        if s < 0.5:
            continue
        qn, cn = "".join(q), "".join(c)
        names.append(qn if qn == cn else f"{qn}≈{cn}")
    text = "共同产品：" + "、".join(dict.fromkeys(names))
    if specs:
        text += "；相同规格：" + "、".join(specs)
    return text

"""PolicyIndex: BM25 over jieba words, character bigrams and policy synonym groups, with a
coverage-based confidence that decides between a direct answer, "these may help" and "not covered".

Confidence bars (on Hit.confidence, in [0, 1]):
- ``HIGH_BAR``: answer() returns a direct answer (Answer.confident is True);
- ``LOW_BAR``: related() returns the hits as "these may help";
- below LOW_BAR the handbook is taken not to cover the question: answer() is None, related() is [].
"""
from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from .grant import asks_for_grant, grant_bias
from .model import Answer, Clause, Hit, PolicyDocument
from .parser import parse_file
from .text import (
    GENERIC, STOP, SYN_INDEX, WEAK, bigrams, content_runs, focus_segment, normalize, short_runs, syn_groups,
    tokenizer, words,
)

log = logging.getLogger(__name__)

HIGH_BAR = 0.48
LOW_BAR = 0.30
K1, B = 1.2, 0.75
# field weights: a clause's own heading counts extra; parents and the document title give context
W_TITLE, W_CONTEXT, W_DOCTITLE = 1.0, 0.6, 0.3
Q_WORD, Q_WEAK, Q_SYN, Q_BIGRAM = 1.0, 0.35, 0.8, 0.4
COMMON_FRACTION = 0.03  # terms in more clauses than this only rescore candidates (speed)
N_CANDIDATES = 60
EXACT_UP_TO = 2000  # clauses; above this common terms only rescore candidates
POSTING_BUDGET = 1500  # postings walked per question before the rest only rescore candidates
HEAD_MIN = 200  # terms in more clauses than this keep their best clauses precomputed
VAGUE_CAP = LOW_BAR + 0.05
CONTEXT = 0.35  # weight of words outside the asking segment of a long question
NOVEL_PENALTY = 0.8  # per question word unknown to the whole handbook (at most two count)


def _best(scores: dict[int, float], n: int) -> list[int]:
    """Keys of the n highest values, best first; a cheap cut by value first keeps sorting small."""
    if len(scores) <= n:
        return sorted(scores, key=scores.__getitem__, reverse=True)
    cut = max(scores.values()) * 0.5
    keys = [d for d, v in scores.items() if v >= cut]
    if len(keys) < n:
        keys = list(scores)
    keys.sort(key=scores.__getitem__, reverse=True)
    return keys[:n]


def _terms(text: str) -> list[str]:
    """Index terms of a text: words, their synonym groups and character bigrams."""
    ws = words(text)
    out = list(ws)
    for w in ws:
        out.extend(syn_groups(w))
    out.extend(bigrams(text))
    return out


class PolicyIndex:
    """Search index over the clauses of policy documents (pure Python, in memory)."""

    def __init__(self, documents: Iterable[PolicyDocument]):
        """Build the index from parsed documents."""
        self.documents: dict[str, PolicyDocument] = {}
        self.clauses: list[Clause] = []
        for d in documents:
            self.documents[d.name] = d
            self.clauses.extend(d.clauses)
        self._build()

    @classmethod
    def from_files(cls, paths: Iterable[str | Path], *, strict: bool = False) -> "PolicyIndex":
        """Parse .md/.txt/.docx files (the document key is the file name without extension).

        Unsupported (e.g. PDF) or empty files are skipped with a warning, or raise with strict=True."""
        docs = []
        for p in paths:
            try:
                docs.append(parse_file(p))
            except ValueError as exc:
                if strict:
                    raise
                log.warning("policy file skipped: %s (%s)", p, exc)
        return cls(docs)

    @classmethod
    def from_dir(cls, directory: str | Path) -> "PolicyIndex":
        """Index every .md/.txt/.docx file of a directory."""
        exts = {".md", ".txt", ".docx"}
        return cls.from_files(sorted(p for p in Path(directory).iterdir() if p.suffix.lower() in exts))

    # ---------------------------------------------------------------- build
    def _build(self) -> None:
        n = len(self.clauses)
        self._full: list[str] = []  # normalized clause text with context, for coverage checks
        self._groups: list[frozenset] = []
        tfs: list[dict[str, float]] = []
        word_df: dict[str, int] = defaultdict(int)
        term_cache: dict[str, list[str]] = {}  # document titles and headings repeat a lot
        for c in self.clauses:
            doc = self.documents.get(c.doc)
            dtitle = normalize(doc.title) if doc else ""
            body, title, ctx = normalize(c.text), normalize(c.title), normalize(c.context)
            tf: dict[str, float] = defaultdict(float)
            for t in _terms(body):
                tf[t] += 1.0
            for text, w in ((title, W_TITLE), (ctx, W_CONTEXT), (dtitle, W_DOCTITLE)):
                if not text:
                    continue
                if text not in term_cache:
                    term_cache[text] = _terms(text)
                for t in term_cache[text]:
                    tf[t] += w
            tfs.append(tf)
            for t in set(words(body)):
                word_df[t] += 1
            self._full.append(" ".join((dtitle, ctx, body)))
            self._groups.append(frozenset(t for t in tf if t[0] == "@"))
        avgdl = (sum(sum(tf.values()) for tf in tfs) / n) if n else 1.0
        df: dict[str, int] = defaultdict(int)
        for tf in tfs:
            for t in tf:
                df[t] += 1
        self._idf = {t: math.log(1.0 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        post: dict[str, dict[int, float]] = defaultdict(dict)
        for i, tf in enumerate(tfs):
            norm = K1 * (1.0 - B + B * sum(tf.values()) / avgdl)
            for t, f in tf.items():
                post[t][i] = self._idf[t] * f * (K1 + 1.0) / (f + norm)
        self._post = dict(post)
        self._df = dict(df)
        # small handbooks are scored exactly; pruning only pays off (and is only needed) on big ones
        self._common = n + 1 if n <= EXACT_UP_TO else max(50, int(COMMON_FRACTION * n))
        self._budget = 10 ** 9 if n <= EXACT_UP_TO else POSTING_BUDGET
        # best clauses of each common term, for questions made only of common terms
        self._head = {t: _best(p, N_CANDIDATES) for t, p in self._post.items()
                      if len(p) > min(HEAD_MIN, self._common)}
        self._word_idf = {t: math.log(1.0 + (n - f + 0.5) / (f + 0.5)) for t, f in word_df.items()}
        self._unseen_idf = math.log(1.0 + (n + 0.5) / 1.5) if n else 1.0

    # ---------------------------------------------------------------- query
    def _query(self, question: str) -> tuple[dict[str, float], list[tuple[str, float, bool, bool]]]:
        q = normalize(question)
        toks = tokenizer().lcut(q, HMM=False)  # one segmentation serves words, runs and orphans
        ws = list(dict.fromkeys(words(q, toks)))
        focus = focus_segment(toks)
        terms: dict[str, float] = {}
        units = []  # (word, coverage weight, weak, in the asking part of the question)
        for w in ws:
            weak = w in WEAK
            terms[w] = max(terms.get(w, 0.0), Q_WEAK if weak else Q_WORD)
            for g in syn_groups(w):
                terms[g] = max(terms.get(g, 0.0), Q_WEAK if weak else Q_SYN)
            idf = self._word_idf.get(w, self._unseen_idf)
            in_focus = focus is None or w in focus
            # background words of a long question (我们是做锂电池的……) count less than what it asks
            weight = idf * (0.3 if weak else 1.0) * (0.2 if w.isdigit() else 1.0) * (1.0 if in_focus else CONTEXT)
            units.append((w, weight, weak, in_focus))
        for run in content_runs(q, toks):
            for bg in bigrams(run):
                terms.setdefault(bg, Q_BIGRAM)
        for run in short_runs(toks):
            # only pieces the handbook itself uses verbatim (稳岗, 上云); other orphans are chat fluff.
            # A short distinctive term counts as a full word, for ranking and for coverage alike.
            for bg in dict.fromkeys(run[j:j + 2] for j in range(len(run) - 1)):
                if bg in STOP or (bg[0] in STOP and bg[1] in STOP) or "#" + bg not in self._df or bg in terms:
                    continue
                in_focus = focus is None or bg in focus
                units.append((bg, self._idf["#" + bg] * (1.0 if in_focus else CONTEXT), False, in_focus))
                terms["#" + bg] = max(terms.get("#" + bg, 0.0), Q_WORD)
        if focus is not None:
            # however long the background, it weighs at most half of what is asked
            ask = sum(u[1] for u in units if u[3])
            rest = sum(u[1] for u in units if not u[3])
            if rest > ask * 0.5 > 0:
                f = ask * 0.5 / rest
                units = [u if u[3] else (u[0], u[1] * f, u[2], u[3]) for u in units]
        return terms, units

    def _novel(self, units: list[tuple[str, float, bool, bool]]) -> int:
        """How many content words of the question appear nowhere in the handbook (not even a bigram
        or a synonym): such a word usually names a topic the handbook does not cover."""
        n = 0
        for w, _weight, weak, in_focus in units:
            if weak or not in_focus or w.isdigit() or w in self._word_idf or SYN_INDEX.get(w) is not None:
                continue
            if any(w[j:j + 2] not in STOP and "#" + w[j:j + 2] in self._df for j in range(len(w) - 1)):
                continue
            if syn_groups(w):
                continue
            n += 1
        return n

    def _coverage(self, i: int, units: list[tuple[str, float, bool, bool]]) -> float:
        """IDF-weighted share of the question's words found in clause i (or as synonyms).

        A compound word is credited by the share of its characters explained by bigrams present
        in the clause or by synonym pieces, so one matching half does not cover the whole word."""
        total = got = 0.0
        full, groups = self._full[i], self._groups[i]
        for w, weight, _weak, _focus in units:
            total += weight
            if w in full:
                got += weight
                continue
            g = SYN_INDEX.get(w)
            if g is not None:
                got += weight if g in groups else 0.0
                continue
            n = len(w)
            if n < 3:
                continue
            marked = [False] * n
            for j in range(n - 1):
                # generic bigrams such as 企业 inside 外资企业 explain nothing
                if w[j:j + 2] not in STOP and w[j:j + 2] in full:
                    marked[j] = marked[j + 1] = True
            for size in range(n - 1, 1, -1):
                for j in range(n - size + 1):
                    gg = SYN_INDEX.get(w[j:j + size])
                    if gg is not None and gg in groups:
                        for x in range(j, j + size):
                            marked[x] = True
            got += weight * 0.5 * sum(marked) / n
        return got / total if total else 0.0

    def _scores(self, terms: dict[str, float]) -> dict[int, float]:
        """BM25 scores: rare terms walk their postings, common terms only rescore the candidates
        the rare terms found (a common term alone rarely decides the best clause)."""
        acc: dict[int, float] = {}
        common, common_terms = [], []
        found = [(t, qw, self._post[t]) for t, qw in terms.items() if t in self._post]
        found.sort(key=lambda x: len(x[2]))
        budget = self._budget
        for t, qw, p in found:
            # rarest terms first; once the budget is spent the rest only rescore candidates
            if len(p) > self._common or (len(p) > budget and t in self._head):
                common.append((p, qw))
                common_terms.append(t)
                continue
            budget -= len(p)
            if not acc:
                acc = {d: w * qw for d, w in p.items()}
            else:
                get = acc.get
                for d, w in p.items():
                    acc[d] = get(d, 0.0) + w * qw
        if common:
            if acc:
                cands = _best(acc, N_CANDIDATES)
            else:  # only common terms: start from their best clauses, precomputed at build time
                cands = list(dict.fromkeys(d for t in common_terms for d in self._head[t]))
            for d in cands:
                s = acc.get(d, 0.0)
                for p, qw in common:
                    w = p.get(d)
                    if w is not None:
                        s += w * qw
                acc[d] = s
        return acc

    def _ranked(self, question: str, k: int) -> list[Hit]:
        terms, units = self._query(question)
        acc = self._scores(terms)
        if not acc:
            return []
        top = [(i, acc[i]) for i in _best(acc, max(k, 10))]
        best = top[0][1] or 1.0
        penalty = NOVEL_PENALTY ** min(self._novel(units), 2)
        # a question of generic words only (有哪些补贴？) cannot be answered directly: at most "may help"
        cap = 1.0 if any(w not in GENERIC and not w.isdigit() for w, *_ in units) else VAGUE_CAP
        qwords = [u[0] for u in units]
        grant = asks_for_grant(qwords)
        rescored = []
        for i, s in top:
            cov = min(self._coverage(i, units) * penalty, cap)
            # rank by relative BM25 blended with coverage, so exact topic words win ties; a question
            # about support prefers a clause that grants over one that restricts (ranking only)
            bonus, factor = grant_bias(self.clauses[i].text, qwords) if grant else (0.0, 1.0)
            rescored.append(((0.6 * s / best + 0.4 * cov) * factor + bonus, cov, i))
        rescored.sort(key=lambda x: -x[0])
        hits = []
        for final, cov, i in rescored[:k]:
            c = self.clauses[i]
            doc = self.documents.get(c.doc)
            hits.append(Hit(doc=c.doc, clause=c.label, text=c.text, score=round(final, 6),
                            confidence=round(cov, 4), title=doc.title if doc else c.doc))
        return hits

    def search(self, question: str, k: int = 3) -> list[Hit]:
        """The k best clauses for a question, best first (each with .score and .confidence)."""
        return self._ranked(question, k)

    def related(self, question: str, k: int = 3) -> list[Hit]:
        """Hits at or above the low bar ("these may help"); [] when nothing is close enough."""
        return [h for h in self._ranked(question, k) if h.confidence >= LOW_BAR]

    def answer(self, question: str) -> Answer | None:
        """A direct answer above the high bar, or None when the handbook does not answer it."""
        hits = self._ranked(question, 3)
        if not hits or hits[0].confidence < HIGH_BAR:
            return None
        top = hits[0]
        sources = [top] + [h for h in hits[1:] if h.confidence >= LOW_BAR][:2]
        return Answer(text=self.render(top, question), sources=sources, confident=True)

    def render(self, hit: Hit, question: str) -> str:
        """The clause trimmed to the sentences that matter, with document title and clause label."""
        from .trim import trim_clause

        return f"{hit.cite}：{trim_clause(hit.text, question)}"

"""The lexical scorer (the handbook's first ranker, now a small term of PolicyIndex): BM25 over jieba
words, character bigrams and policy synonym groups, plus the IDF-weighted coverage of the question's
words by a clause. It rescores the candidates the generic index found and gives a second opinion
on the best clause (agreement of two rankers)."""
from __future__ import annotations

import math
from collections import defaultdict

from .grant import asks_for_grant, clause_sentences, grant_bias
from .model import Clause, PolicyDocument
from .text import (
    GENERIC, STOP, SYN_INDEX, WEAK, bigrams, content_runs, focus_segment, normalize, short_runs, syn_groups,
    tokenizer, words,
)

K1, B = 1.2, 0.75
# field weights: a clause's own heading counts extra; parents and the document title give context
W_TITLE, W_CONTEXT, W_DOCTITLE = 1.0, 0.6, 0.3
Q_WORD, Q_WEAK, Q_SYN, Q_BIGRAM = 1.0, 0.35, 0.8, 0.4
VAGUE_CAP = 0.35  # coverage cap of a question made only of generic words (有哪些补贴？)
CONTEXT = 0.35  # weight of words outside the asking segment of a long question
UNSEEN_IDF_SHARE = 0.5  # a word the handbook never uses weighs like a middling word, not the rarest one


def _terms(text: str) -> list[str]:
    """Index terms of a text: words, their synonym groups and character bigrams."""
    ws = words(text)
    out = list(ws)
    for w in ws:
        out.extend(syn_groups(w))
    out.extend(bigrams(text))
    return out


class LexicalScorer:
    """BM25 + coverage over the clauses of a handbook (pure Python postings, in memory)."""

    def __init__(self, clauses: list[Clause], documents: dict[str, PolicyDocument]):
        """Index the clauses (documents give the titles used as context)."""
        self.clauses = clauses
        self.documents = documents
        self._build()

    # ---------------------------------------------------------------- build
    def _build(self) -> None:
        n = len(self.clauses)
        self._sents: dict[int, tuple[str, ...]] = {}
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
        self._word_idf = {t: math.log(1.0 + (n - f + 0.5) / (f + 0.5)) for t, f in word_df.items()}
        # an unseen word counts, but like a middling word: one colloquial word must not sink a question
        self._unseen_idf = (UNSEEN_IDF_SHARE * math.log(1.0 + (n + 0.5) / 1.5)) if n else 1.0

    # ---------------------------------------------------------------- query
    def _query(self, question: str, toks: list[str] | None = None
               ) -> tuple[dict[str, float], list[tuple[str, float, bool, bool]]]:
        q = normalize(question)
        if toks is None:
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

    def rescore(self, question: str, cands: list[int], toks: list[str] | None = None
                ) -> tuple[list[float], list[float], bool, list[str]]:
        """Per candidate clause the lexical score (BM25 relative to the best candidate blended with
        coverage, so exact topic words win ties) and the coverage; whether the question asks about
        support, and its words (for grant_bias)."""
        if not cands:
            return [], [], False, []
        terms, units = self._query(question, toks)
        found = [(self._post[t], qw) for t, qw in terms.items() if t in self._post]
        raw = [sum(qw * p[i] for p, qw in found if i in p) for i in cands]
        best = max(raw) or 1.0
        # a question of generic words only (有哪些补贴？) covers nothing in particular
        cap = 1.0 if any(w not in GENERIC and not w.isdigit() for w, *_ in units) else VAGUE_CAP
        scores, covs = [], []
        for i, s in zip(cands, raw):
            cov = min(self._coverage(i, units), cap)
            scores.append(0.6 * s / best + 0.4 * cov)
            covs.append(cov)
        qwords = [u[0] for u in units]
        return scores, covs, asks_for_grant(qwords), qwords

    def grant_bias(self, i: int, qwords: list[str]) -> tuple[float, float]:
        """(bonus, factor) of clause i for a question about support (sentences split once, lazily)."""
        sents = self._sents.get(i)
        if sents is None:
            sents = self._sents[i] = clause_sentences(self.clauses[i].text)
        return grant_bias(sents, qwords)

"""The generic ranker of PolicyIndex: TF-IDF cosine over character 2-3-grams and jieba words of a
clause's body, own heading, parent headings and document title, on a scipy sparse matrix.

It knows no policy vocabulary: every clause is reachable whatever words it uses. Building goes through
scikit-learn's TfidfTransformer (smoothed IDF, sublinear TF, L2 rows); a question is scored by walking
the matrix columns of its terms (CSC), which keeps one search far below a millisecond at 10,000 clauses.
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np

from .model import Clause, PolicyDocument
from .text import STOP, normalize, syn_groups, tokenizer

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_ALNUM = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
# field weights of a clause's terms: its own text counts fully, its headings give context
W_BODY, W_TITLE, W_CONTEXT, W_DOCTITLE = 1.0, 1.0, 0.6, 0.3
W_WORD = 1.0  # a jieba word of two or more characters, beside its character n-grams
W_SYN = 1.0  # the policy synonym group of a word (贷款 ~ 融资), one shared term per group


def _grams(text: str, weight: float, out: Counter) -> None:
    """Add character 2- and 3-grams of each CJK run and ASCII words/numbers of a normalized text."""
    for run in _CJK.findall(text):
        for n in (2, 3):
            for i in range(len(run) - n + 1):
                out["c" + run[i:i + n]] += weight
    for tok in _ALNUM.findall(text):
        out["a" + tok] += weight


def _words(text: str, weight: float, out: Counter, tokens: list[str] | None = None) -> None:
    """Add the jieba words (two or more CJK characters, not question fluff) of a normalized text."""
    for w in tokens if tokens is not None else tokenizer().lcut(text, HMM=False):
        if w in STOP or not _CJK.fullmatch(w):
            continue
        if len(w) >= 2:
            out["w" + w] += weight * W_WORD
        if W_SYN:
            for g in syn_groups(w):
                out["s" + g] += weight * W_SYN


def clause_terms(clause: Clause, doc_title: str, cache: dict[str, Counter]) -> Counter:
    """Weighted term counts of one clause over its fields (headings repeat a lot: cached)."""
    out: Counter = Counter()
    body = normalize(clause.text)
    _grams(body, W_BODY, out)
    _words(body, W_BODY, out)
    for text, w in ((normalize(clause.title), W_TITLE), (normalize(clause.context), W_CONTEXT),
                    (normalize(doc_title), W_DOCTITLE)):
        if not text:
            continue
        if text not in cache:
            c: Counter = Counter()
            _grams(text, 1.0, c)
            _words(text, 1.0, c)
            cache[text] = c
        for t, f in cache[text].items():
            out[t] += f * w
    return out


def query_terms(question: str, tokens: list[str]) -> dict[str, float]:
    """Distinct terms of a question: n-grams of its runs between fluff words, and its words."""
    out: Counter = Counter()
    run: list[str] = []
    for w in tokens + ["。"]:
        if w in STOP or not _CJK.fullmatch(w):
            if run:
                _grams("".join(run), 1.0, out)
                run = []
        else:
            run.append(w)
    for tok in _ALNUM.findall(question):
        out["a" + tok] = 1.0
    _words(question, 1.0, out, tokens)
    return {t: 1.0 for t in out}


class SparseIndex:
    """TF-IDF rows of the clauses, stored column-major for scoring by the question's terms."""

    def __init__(self, clauses: list[Clause], documents: dict[str, PolicyDocument]):
        """Weight every clause's fields and fit the IDF on the handbook itself."""
        from scipy.sparse import csr_matrix
        from sklearn.feature_extraction.text import TfidfTransformer

        self.n = len(clauses)
        vocab: dict[str, int] = {}
        indptr, indices, data = [0], [], []
        cache: dict[str, Counter] = {}
        for c in clauses:
            doc = documents.get(c.doc)
            for t, f in clause_terms(c, doc.title if doc else "", cache).items():
                indices.append(vocab.setdefault(t, len(vocab)))
                data.append(f)
            indptr.append(len(indices))
        self.vocab = vocab
        if not vocab:
            self.idf = np.zeros(0)
            self._indptr = np.zeros(1, dtype=np.int64)
            self._rows = np.zeros(0, dtype=np.int32)
            self._vals = np.zeros(0)
            return
        tf = np.asarray(data, dtype=np.float64)
        # sublinear TF, kept positive for the fractional weights of heading terms (1 + log would not be)
        tf = np.where(tf > 1.0, 1.0 + np.log(np.maximum(tf, 1.0)), tf)
        counts = csr_matrix((tf, indices, indptr), shape=(self.n, len(vocab)))
        counts.eliminate_zeros()
        tfidf = TfidfTransformer(sublinear_tf=False, smooth_idf=True).fit(counts)
        self.idf = tfidf.idf_
        csc = tfidf.transform(counts).tocsc()
        self._indptr, self._rows, self._vals = csc.indptr, csc.indices, csc.data

    def scores(self, terms: dict[str, float]) -> np.ndarray:
        """Cosine of the question with every clause (dense, one value per clause)."""
        ids = [self.vocab[t] for t in terms if t in self.vocab]
        if not ids or not self.n:
            return np.zeros(self.n)
        ids_a = np.asarray(ids)
        q = self.idf[ids_a] * np.asarray([terms[t] for t in terms if t in self.vocab])
        q = q / np.sqrt(float(q @ q))  # plain cosine: terms the handbook lacks are ignored, not penalised
        starts, ends = self._indptr[ids_a], self._indptr[ids_a + 1]
        lens = ends - starts
        rows = np.concatenate([self._rows[s:e] for s, e in zip(starts, ends)])
        vals = np.concatenate([self._vals[s:e] for s, e in zip(starts, ends)]) * np.repeat(q, lens)
        return np.bincount(rows, weights=vals, minlength=self.n)

    def top(self, terms: dict[str, float], k: int) -> tuple[list[int], list[float]]:
        """The k best clauses by cosine, best first, with their cosines."""
        s = self.scores(terms)
        if not len(s):
            return [], []
        k = min(k, len(s))
        part = np.argpartition(-s, k - 1)[:k] if k < len(s) else np.arange(len(s))
        order = part[np.argsort(-s[part], kind="stable")]
        order = [int(i) for i in order if s[i] > 0]
        return order, [float(s[i]) for i in order]

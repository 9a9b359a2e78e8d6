"""PolicyIndex: clauses ranked by a generic TF-IDF index (character n-grams and jieba words, see
sparse.py) plus the lexical scorer (BM25, synonyms, coverage; lexical.py) as a small term; answer or
refusal decided on generic evidence: how well the best clause matches, its margin over the next one,
whether the two rankers agree on it, and how much of the question it covers.

Confidence bars (on Hit.confidence, in [0, 1]; the top hit's confidence is the calibrated chance that
it answers the question, see decide.py):
- ``HIGH_BAR``: answer() returns a direct answer (Answer.confident is True);
- ``LOW_BAR``: related() returns the hits as "these may help" (the closest clauses, offered with the
  one-tap 政策 appeal when the handbook does not answer);
- below LOW_BAR nothing in the handbook is close: answer() is None, related() is [].
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from .decide import HIGH_BAR, LOW_BAR, Evidence, answer_probability, related_confidence, shown_confidence
from .lexical import LexicalScorer
from .model import Answer, Clause, Hit, PolicyDocument
from .parser import parse_file
from .sparse import SparseIndex, query_terms
from .text import normalize, tokenizer

log = logging.getLogger(__name__)

__all__ = ["PolicyIndex", "HIGH_BAR", "LOW_BAR"]

N_CANDIDATES = 20  # clauses of the generic ranker the lexical scorer rescores
N_GRANT = 10  # leading clauses the grant/restrict rule reads
# the preamble of a policy document (为……，制定本办法。) echoes the title and grants nothing
PREAMBLE = re.compile(r"^\s*为.{0,80}?(?:制定|特制定)本(?:办法|细则|政策|措施|规定|方案|意见)")
PREAMBLE_FACTOR = 0.8
LEX_WEIGHT = 0.2  # the lexical scorer's share of the final score (its scale is about 0..1.1; dev-chosen)


class PolicyIndex:
    """Search index over the clauses of policy documents (in memory, sparse matrices)."""

    def __init__(self, documents: Iterable[PolicyDocument]):
        """Build both rankers from parsed documents."""
        self.documents: dict[str, PolicyDocument] = {}
        self.clauses: list[Clause] = []
        for d in documents:
            self.documents[d.name] = d
            self.clauses.extend(d.clauses)
        self._preamble = {i for i, c in enumerate(self.clauses) if PREAMBLE.match(c.text)}
        self._sparse = SparseIndex(self.clauses, self.documents)
        self._lex = LexicalScorer(self.clauses, self.documents)

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

    # ---------------------------------------------------------------- query
    def evidence(self, question: str, k: int = 3) -> tuple[list[int], list[float], Evidence | None]:
        """Best clause ids with final scores, and the evidence about the best one."""
        q = normalize(question)
        toks = tokenizer().lcut(q, HMM=False)
        cands, cos = self._sparse.top(query_terms(q, toks), N_CANDIDATES)
        if not cands:
            return [], [], None
        lex, cov, grant, qwords = self._lex.rescore(question, cands, toks)
        final = [(c + LEX_WEIGHT * x) * (PREAMBLE_FACTOR if i in self._preamble else 1.0)
                 for i, c, x in zip(cands, cos, lex)]
        if grant:
            # a question about support prefers granting clauses to restricting ones (a small rule
            # term); it can only reorder the leaders, so only they are read
            for j in sorted(range(len(cands)), key=lambda j: -final[j])[:N_GRANT]:
                bonus, factor = self._lex.grant_bias(cands[j], qwords)
                final[j] = final[j] * factor + bonus
        order = sorted(range(len(cands)), key=lambda j: -final[j])
        top, second = order[0], (order[1] if len(order) > 1 else None)
        lex_top = max(range(len(cands)), key=lambda j: lex[j])
        ev = Evidence(
            cosine=cos[top],
            margin=final[top] - (final[second] if second is not None else 0.0),
            agree=lex_top == max(range(len(cands)), key=lambda j: cos[j]),
            coverage=cov[top],
        )
        keep = order[:max(k, 1)]
        return [cands[j] for j in keep], [final[j] for j in keep], ev

    def _ranked(self, question: str, k: int) -> list[Hit]:
        ids, finals, ev = self.evidence(question, k)
        if ev is None:
            return []
        p = answer_probability(ev)
        hits = []
        for rank, (i, f) in enumerate(zip(ids[:k], finals[:k])):
            c = self.clauses[i]
            doc = self.documents.get(c.doc)
            top_conf = shown_confidence(p, ev)
            conf = top_conf if rank == 0 else related_confidence(top_conf, f / finals[0] if finals[0] else 0.0)
            hits.append(Hit(doc=c.doc, clause=c.label, text=c.text, score=round(f, 6),
                            confidence=round(conf, 4), title=doc.title if doc else c.doc))
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
        """The clause, or the sentences of a long one that answer with its conditions, cited."""
        from .trim import trim_clause

        return f"{hit.cite}：{trim_clause(hit.text, question)}"

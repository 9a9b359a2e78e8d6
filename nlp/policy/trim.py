"""Trim a clause to the sentences that answer a question."""
from __future__ import annotations

import re

from .text import GROUP_MEMBERS, normalize, syn_groups, words

_SENT = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
SHORT = 60  # clauses up to this many characters are quoted whole
TITLE = 16  # a first sentence this short is the clause's heading (应急转贷支持。) and always kept


def trim_clause(text: str, question: str, max_sentences: int = 3) -> str:
    """Keep the clause's heading sentence and the sentences sharing the question's words."""
    text = text.strip()
    flat = text.replace("\n", " ")
    if len(text) <= SHORT:
        return flat
    sents = [s.strip() for s in _SENT.findall(text) if s.strip()]
    if len(sents) <= 1:
        return flat
    qw = set(words(normalize(question)))
    members = [GROUP_MEMBERS[g] for g in {g for w in qw for g in syn_groups(w)}]
    scored = []
    for i, s in enumerate(sents):
        ns = normalize(s)
        # substring tests only: sentences are short and this keeps jieba out of the hot path
        score = sum(len(w) for w in qw if w in ns) + 2 * sum(1 for ms in members if any(m in ns for m in ms))
        scored.append((score, i))
    best = max(s for s, _ in scored)
    if best == 0:
        return flat
    keep = {0} if len(sents[0]) <= TITLE else set()
    for score, i in sorted(scored, key=lambda x: (-x[0], x[1])):
        if len(keep) >= max_sentences or score < best * 0.5:
            break
        keep.add(i)
    out = "".join(sents[i] for i in sorted(keep))
    if len(keep) == len(sents):
        return flat
    return ("……" if 0 not in keep else "") + out + ("……" if max(keep) < len(sents) - 1 else "")

"""Trim a clause to the sentences that answer a question."""
from __future__ import annotations

import re

from .text import GROUP_MEMBERS, normalize, syn_groups, words

_SENT = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
SHORT = 90  # clauses up to this many characters are quoted whole


def trim_clause(text: str, question: str, max_sentences: int = 3) -> str:
    """Keep the clause's lead sentence and the sentences sharing the question's words."""
    text = text.strip()
    if len(text) <= SHORT:
        return text.replace("\n", " ")
    sents = [s.strip() for s in _SENT.findall(text) if s.strip()]
    if len(sents) <= 2:
        return text.replace("\n", " ")
    qw = set(words(normalize(question)))
    qg = {g for w in qw for g in syn_groups(w)}
    members = [GROUP_MEMBERS[g] for g in qg]
    scored = []
    for i, s in enumerate(sents):
        ns = normalize(s)
        # substring tests only: sentences are short and this keeps jieba out of the hot path
        score = sum(len(w) for w in qw if w in ns) + 2 * sum(1 for ms in members if any(m in ns for m in ms))
        scored.append((score, i))
    best = max(s for s, _ in scored)
    keep = {0}  # the lead sentence says what the clause is about
    for score, i in sorted(scored, key=lambda x: (-x[0], x[1])):
        if len(keep) >= max_sentences:
            break
        if score > 0 and score >= best * 0.5:
            keep.add(i)
    out = "".join(sents[i] for i in sorted(keep))
    return out if len(keep) == len(sents) else out + "……"

"""Trim a long clause to the sentences that answer a question, never dropping its conditions."""
from __future__ import annotations

import re

from .text import GROUP_MEMBERS, normalize, syn_groups, words

# whole sentences only: a semicolon joins parts of one rule (3000元；…；发放期限均为3年) and never splits it
_SENT = re.compile(r"[^。！？!?\n]+[。！？!?]?")
SHORT = 150  # clauses up to this many characters are quoted whole
TITLE = 16  # a first sentence this short is the clause's heading (应急转贷支持。) and always kept
# a sentence that limits or conditions what the clause grants is part of every answer from it
CONDITION = re.compile(r"须|应当|不得|不予|不重复|不再|均为|均按|期限|有效期|限额|以内|不超过|最高|最长|条件|前提|除外|仅限|"
                       r"只限|下列|之一|同时满足|累计|扣除|追回|取消")
_ITEM = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[一二三四五六七八九十]+、)")


def _answering(sents: list[str], question: str) -> list[int]:
    """Scores of the sentences by the question's words and their synonym groups."""
    qw = set(words(normalize(question)))
    members = [GROUP_MEMBERS[g] for g in {g for w in qw for g in syn_groups(w)}]
    out = []
    for s in sents:
        ns = normalize(s)
        # substring tests only: sentences are short and this keeps jieba out of the hot path
        out.append(sum(len(w) for w in qw if w in ns) + 2 * sum(1 for ms in members if any(m in ns for m in ms)))
    return out


def trim_clause(text: str, question: str, max_sentences: int = 3) -> str:
    """The whole clause when short; else its heading, the sentences that answer and every condition."""
    text = text.strip()
    flat = text.replace("\n", " ")
    if len(text) <= SHORT:
        return flat
    sents = [s.strip() for s in _SENT.findall(text) if s.strip()]
    if len(sents) <= 1:
        return flat
    scored = _answering(sents, question)
    best = max(scored)
    if best == 0:
        return flat
    keep = {0} if len(sents[0]) <= TITLE else set()
    for i in sorted(range(len(sents)), key=lambda i: (-scored[i], i))[:max_sentences]:
        if scored[i] >= best * 0.5:
            keep.add(i)
    keep |= {i for i, s in enumerate(sents) if CONDITION.search(s)}
    # a kept sentence that introduces a list (有下列情形之一的，不予支持：) keeps its items
    for i in sorted(keep):
        if sents[i].rstrip().endswith(("：", ":")):
            j = i + 1
            while j < len(sents) and _ITEM.match(sents[j]):
                keep.add(j)
                j += 1
    if len(keep) == len(sents):
        return flat
    parts, last = [], -1
    for i in sorted(keep):
        if i != last + 1:
            parts.append("……")
        parts.append(sents[i])
        last = i
    if last < len(sents) - 1:
        parts.append("……")
    return "".join(parts)

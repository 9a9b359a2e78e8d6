"""Shortening text for a phone line without cutting a word, a number or an amount in half."""
from __future__ import annotations

import re
from functools import lru_cache

from .jieba_tokenizer import new_tokenizer

_SENTENCE_END = "。！？；!?;"
_CLAUSE_END = "，、,：:）)"
# Numbers with their units and decimal parts stay whole: '500万元', '3.5亿', '110千伏'.
_NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9]+)?\s*(?:万元|亿元|千瓦时|千伏|万|亿|元|吨|亩|%|％|个|人|台|件|天|年|月)?")


@lru_cache(maxsize=1)
def _tokenizer():
    return new_tokenizer()


def clip(text: str | None, limit: int, mark: str = "…") -> str:
    """The text whole when it fits; else cut at the last sentence or clause end, or word boundary, before `limit`."""
    text = (text or "").replace("\n", " ").strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    for ends in (_SENTENCE_END, _CLAUSE_END):
        cut = max(head.rfind(ch) for ch in ends)
        if cut >= limit // 2:
            return head[: cut + 1].rstrip("，、,：:") + mark
    # No punctuation late enough: end at the last whole word (jieba), never inside a number.
    end = 0
    for word, start, stop in _tokenizer().tokenize(text):
        if stop > limit:
            break
        end = stop
    for m in _NUMBER.finditer(text):
        if m.start() < end < m.end():
            end = m.start()
    return (text[:end] if end >= limit // 3 else head) + mark

"""Private jieba tokenizers: each user of jieba gets its own instance, never the global one."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import jieba


def new_tokenizer(dictionary: Path | None = None, words: Iterable[str] = (), freq: int = 2000) -> jieba.Tokenizer:
    """A quiet, initialised jieba.Tokenizer with an optional dictionary file and extra words."""
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer(str(dictionary)) if dictionary is not None else jieba.Tokenizer()
    tok.initialize()
    for word in words:
        tok.add_word(word, freq=freq)
    return tok

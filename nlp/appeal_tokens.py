"""The jieba tokenizer for appeal texts (similar appeals): a trimmed dictionary plus the lexicon's phrases."""
from __future__ import annotations

import re
import threading
from pathlib import Path

from nlp.classify_lexicon import LEXICON
from nlp.jieba_tokenizer import new_tokenizer

# Trimmed jieba dictionary (60k most frequent words, benchmarks/build_classify_dict.py): loads in
# ~0.2 s instead of ~1.5 s for the full one.
DICT_PATH = Path(__file__).parent / "data" / "appeals_jieba_dict.txt"
_CJK = re.compile(r"[\u4e00-\u9fff]+")


class AppealTokenizer:
    """Own jieba tokenizer (never the global one), with lexicon phrases added as words."""

    def __init__(self, dictionary: Path | None = DICT_PATH) -> None:
        use_small = dictionary is not None and dictionary.exists()
        lexicon_words = (kw for kws in LEXICON.values() for kw in kws if len(kw) >= 2 and _CJK.fullmatch(kw))
        self._tk = new_tokenizer(dictionary if use_small else None, lexicon_words, freq=2000)

    def words(self, text: str) -> list[str]:
        """Plain jieba segmentation (no HMM, deterministic) of an already normalised text."""
        return list(self._tk.cut(text, HMM=False))


_lock = threading.Lock()
_tokenizer: AppealTokenizer | None = None


def get_tokenizer() -> AppealTokenizer:
    """The shared appeal tokenizer, built lazily (thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = AppealTokenizer()
    return _tokenizer

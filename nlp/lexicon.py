"""Industrial lexicon: normalisation, longest-term segmentation into product phrases, specs, regions.

Pure and in-memory. The shipped dictionary (nlp/data/) is loaded once, lazily.
A post is cut into *phrases*: maximal runs of content units (dictionary terms, mapped to
their canonical synonym, or jieba words for what the dictionary does not know) between
separators (punctuation, cue and filler words, numbers, specs). The last unit of a phrase
is its head (Chinese compounds put the product last: 电动叉车 -> 叉车).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

COUNTIES = (
    "任城区", "兖州区", "曲阜市", "邹城市", "微山县", "鱼台县", "金乡县", "嘉祥县",
    "汶上县", "泗水县", "梁山县", "高新区", "经开区", "太白湖新区",
)
# Short or long forms people type, mapped to the canonical county name.
_REGION_ALIASES = {c: c for c in COUNTIES}
for _c in COUNTIES[:11]:
    _REGION_ALIASES[_c[:-1]] = _c  # 任城, 兖州, 曲阜, 邹城, 微山 ...
_REGION_ALIASES.update({
    "济宁高新区": "高新区", "高新技术产业开发区": "高新区", "济宁经济技术开发区": "经开区",
    "经济技术开发区": "经开区", "经济开发区": "经开区", "太白湖": "太白湖新区",
})

_QTY_UNITS = (
    "平方米|平米|立方米|立方|公斤|千克|kg|吨|个|件|台|套|箱|卷|张|块|根|支|只|片|桶|袋|车|辆|"
    "条|组|双|米|方|瓶|盒|包|托|捆|万只|万个|万件|万套|万米|万平"
)
_CN_NUM = "零一二两三四五六七八九十百千万"
QTY_RE = re.compile(
    rf"(\d+(?:\.\d+)?|[{_CN_NUM}]+)\s*(万|千|百)?\s*({_QTY_UNITS})(?![a-z])"
)
# Specifications: diameters, electrical and size values, grades and model codes.
SPEC_RES = (
    ("dia", re.compile(r"[φΦøØ]\s*(\d+(?:\.\d+)?)")),
    ("dn", re.compile(r"\bdn\s*(\d+)")),
    ("elec", re.compile(r"(\d+(?:\.\d+)?)\s*(kv|kva|kw|kwh|mah|ah|v|w|a|hz|mw)(?![a-z])")),
    ("size", re.compile(r"(\d+(?:\.\d+)?)\s*(mm|cm|丝|寸|mpa|目|号|t|匹|p)(?![a-z])")),
    ("model", re.compile(r"\b([a-z]{1,4}-?\d{2,}[a-z0-9]*|\d{2,}[a-z]{1,3}\d*)\b")),
    # 304不锈钢, 6205轴承: a bare 3-4 digit grade before a word (not a year or a date).
    ("grade", re.compile(r"(?<![\d.])(\d{3,4})(?=\s*[\u4e00-\u9fff])(?!\s*[年月日元号天万个周])")),
)
PHONE_RE = re.compile(r"1[3-9]\d{9}|\d{3,4}-\d{7,8}")
_NUM_RE = re.compile(r"[\d.]+")
# Characters that end a phrase (anything that is not CJK, latin letter or digit).
_SEP_RE = re.compile(r"[^\u4e00-\u9fffa-z0-9]+")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, collapse whitespace."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"\s+", " ", t).strip()


def _read_words(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append([normalize(w) for w in line.split()])
    return rows


@dataclass(frozen=True)
class Lexicon:
    """The loaded dictionary: surface term -> canonical term, stop words, max term length."""

    canon: dict
    terms: frozenset
    stop: frozenset
    max_len: int


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load nlp/data/ once."""
    canon: dict[str, str] = {}
    for row in _read_words("industrial_terms.txt"):
        for w in row:
            canon.setdefault(w, w)
    for group in _read_words("synonyms.txt"):
        head = group[0]
        for w in group:
            canon[w] = head
    stop = {w for row in _read_words("stopwords.txt") for w in row} - set(canon)
    terms = frozenset(sys.intern(v) for v in canon.values())
    return Lexicon(canon, terms, frozenset(stop), max(map(len, canon)))


_tok_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """Own jieba.Tokenizer instance, created lazily and quietly."""
    global _tokenizer
    if _tokenizer is None:
        with _tok_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                _tokenizer = tok
    return _tokenizer


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _segment_run(run: str, lex: Lexicon) -> list[tuple[str, str] | None]:
    """Cut one separator-free run into units; None marks a separator.

    Dictionary terms win by longest match (DP maximising the sum of squared term lengths),
    so 液压油缸 is one unit and never 液压油 + 缸. Leftover stretches go to jieba.
    """
    n = len(run)
    best = [0] * (n + 1)
    back: list[tuple[int, str | None]] = [(0, None)] * (n + 1)
    for i in range(1, n + 1):
        best[i], back[i] = best[i - 1], (i - 1, None)
        for L in range(min(lex.max_len, i), 0, -1):
            w = run[i - L:i]
            if w in lex.canon:
                if w.isascii() and ((i - L > 0 and _is_ascii_word(run[i - L - 1]))
                                    or (i < n and _is_ascii_word(run[i]))):
                    continue  # "pe" inside "pet": ascii terms need word boundaries
                if best[i - L] + L * L > best[i]:
                    best[i], back[i] = best[i - L] + L * L, (i - L, w)
    pieces: list[tuple[int, int, str | None]] = []
    i = n
    while i > 0:
        j, w = back[i]
        pieces.append((j, i, w))
        i = j
    pieces.reverse()
    units: list[tuple[str, str] | None] = []
    buf = ""
    for j, i, w in pieces:
        if w is None:
            buf += run[j:i]
            continue
        if buf:
            units.extend(_jieba_units(buf, lex))
            buf = ""
        units.append((lex.canon[w], w))
    if buf:
        units.extend(_jieba_units(buf, lex))
    return units


def _jieba_units(text: str, lex: Lexicon) -> list[tuple[str, str] | None]:
    out: list[tuple[str, str] | None] = []
    for tok in tokenizer().lcut(text, HMM=True):
        tok = tok.strip()
        if not tok or tok in lex.stop or _NUM_RE.fullmatch(tok):
            out.append(None)
        elif all(c in _CN_NUM for c in tok):
            out.append(None)
        else:
            out.append((sys.intern(tok), tok))
    return out


@dataclass
class Analysis:
    """What the matcher and the extractor need from one text."""

    phrases: list  # list[tuple[str, ...]] of canonical units, head last
    surfaces: list  # same shape, the words as written
    specs: list  # list[tuple[kind, value, display]]
    quantities: list  # list[str] like "500吨"
    region: str | None
    text: str


def find_region(text: str) -> str | None:
    """First Jining county or zone named in the (normalised) text."""
    best = None
    for alias, county in _REGION_ALIASES.items():
        pos = text.find(alias)
        if pos >= 0 and (best is None or pos < best[0] or (pos == best[0] and len(alias) > best[2])):
            best = (pos, county, len(alias))
    return best[1] if best else None


def analyse(raw: str) -> Analysis:
    """Normalise a post and cut it into phrases, specs, quantities and region."""
    lex = lexicon()
    text = normalize(raw)
    region = find_region(text)
    work = PHONE_RE.sub(" ", text)
    for alias in sorted(_REGION_ALIASES, key=len, reverse=True):
        if alias in work:
            work = work.replace(alias, " ")
    quantities = [m.group(0).replace(" ", "") for m in QTY_RE.finditer(work)]
    work = QTY_RE.sub(" ", work)
    specs = []
    for kind, rx in SPEC_RES:
        for m in rx.finditer(work):
            value = "".join(g for g in m.groups() if g)
            specs.append((kind, value, m.group(0).strip()))
        work = rx.sub(" ", work)
    phrases, surfaces = [], []
    for run in _SEP_RE.split(_NUM_RE.sub(" ", work)):
        if not run:
            continue
        cur, cur_s = [], []
        for unit in _segment_run(run, lex) + [None]:
            if unit is None:
                # a lone single-character unknown word (量, 型 ...) is noise, not a product
                if cur and not (len(cur) == 1 and len(cur[0]) == 1 and cur[0] not in lex.terms):
                    phrases.append(tuple(cur))
                    surfaces.append(tuple(cur_s))
                cur, cur_s = [], []
            else:
                cur.append(unit[0])
                cur_s.append(unit[1])
    return Analysis(phrases, surfaces, specs, quantities, region, text)

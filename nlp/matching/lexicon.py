"""Industrial lexicon: normalisation, longest-term segmentation into product phrases, specs, regions.

Pure and in-memory. The shipped dictionary (nlp/data/) is loaded once, lazily.
A post is cut into *phrases*: maximal runs of content units (dictionary terms, mapped to
their canonical synonym, or jieba words for what the dictionary does not know) between
separators (punctuation, cue and filler words, numbers, specs). The last unit of a phrase
is its head (Chinese compounds put the product last: 电动叉车 -> 叉车).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.jieba_tokenizer import new_tokenizer
from nlp.matching.words import (  # noqa: F401  (re-exported: WEIGHT_NOUN and friends)
    _NOUN_FLAGS, WEIGHT_TERM, WEIGHT_NOUN, WEIGHT_OTHER, WEIGHT_PURPOSE, _PURPOSE_AFTER,
    _PURPOSE_BEFORE, WEAK_HEADS, CUES, WEIGHT_IDENTITY, _AND, _SELL_WORDS, FORM_HEADS,
    _FORM_TO_CHAR, _LINK_WORDS, _SERVICE_WORDS, _FORM_SUFFIXES, _GENERIC_LONE, _CHAR_HEADS, _OF,
)

DATA_DIR = Path(__file__).parent.parent / "data"

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
    "平方米|平米|平|立方米|立方|公斤|千克|kg|吨|个|件|台|套|箱|卷|张|块|根|支|只|片|桶|袋|车|辆|"
    "条|组|双|米|方|瓶|盒|包|托|捆|万只|万个|万件|万套|万米|万平"
)
_CN_NUM = "零一二两三四五六七八九十百千万"
QTY_RE = re.compile(
    rf"(\d+(?:\.\d+)?|(?<!第)[{_CN_NUM}]+(?=\s*(?:万|千|百)?\s*(?:吨|个|件|台|套|箱|桶|袋|辆|公斤|千克)))"
    rf"\s*(万|千|百)?\s*({_QTY_UNITS})(?![a-z]|月|工作日|小时|星期)"
)
# Specifications: diameters, electrical and size values, grades and model codes.
SPEC_RES = (
    ("dia", re.compile(r"[φΦøØ]\s*(\d+(?:\.\d+)?)")),
    ("dn", re.compile(r"\bdn\s*(\d+)")),
    ("elec", re.compile(r"(\d+(?:\.\d+)?)\s*(kv|kva|kw|kwh|mah|ah|v|w|a|hz|mw)(?![a-z])")),
    ("size", re.compile(r"(\d+(?:\.\d+)?)\s*(mm|cm|丝|寸|mpa|目|号|t|匹|p)(?![a-z])")),
    ("grade", re.compile(r"(?<![a-z0-9.])(201|301|304l?|316l?|310s?|321|430|2205|6061|6063|7075|5052|1060|3003|"
                         r"q235[a-e]?|q345[a-e]?|q355[a-e]?|45#|20#)(?![0-9])")),
    ("level", re.compile(r"(?<![a-z0-9.])([a-z]\d?|\d+(?:\.\d+)?)\s*级")),
    ("model", re.compile(r"\b([a-z]{2,4}-?\d+[a-z0-9]*|[a-z]-?\d{2,}[a-z0-9]*|\d{2,}[a-z]{1,3}\d*)\b")),
    # 304不锈钢, 6205轴承: a bare 3-4 digit grade before a word (not a year or a date).
    ("grade", re.compile(r"(?<![\d.])(\d{3,4})(?=\s*[\u4e00-\u9fff])(?!\s*[年月日元号天万个周])")),
)
RANGE_RE = re.compile(r"[φΦøØ]?\d+(?:\.\d+)?\s*[a-z]*\s*[-~～至到]\s*[φΦøØ]?\d+(?:\.\d+)?\s*[a-z]*")
PHONE_RE = re.compile(r"1[3-9]\d{9}|\d{3,4}-\d{7,8}")
_NUM_RE = re.compile(r"[\d.]+")
# Characters that end a phrase (anything that is not CJK, latin letter or digit).
_SEP_RE = re.compile(r"[^\u4e00-\u9fffa-z0-9_]+")


_UNIT_WORDS = (("千伏安", "kva"), ("千瓦时", "kwh"), ("千瓦", "kw"), ("千伏", "kv"), ("毫安时", "mah"),
               ("安时", "ah"), ("毫米", "mm"), ("厘米", "cm"), ("兆帕", "mpa"))


_UNIT_SYMBOL = dict(_UNIT_WORDS)
_UNIT_RE = re.compile(r"(\d)\s*(" + "|".join(w for w, _ in _UNIT_WORDS) + ")")
_SPACE_RE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, unit words to symbols, collapse whitespace."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    t = _UNIT_RE.sub(lambda m: m.group(1) + _UNIT_SYMBOL[m.group(2)], t)
    return _SPACE_RE.sub(" ", t).strip()


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
    related: dict  # canonical term -> canonical terms that end with it or that it ends with
    broader: dict  # canonical term -> canonical terms one step broader or narrower (sd_broader.txt)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load nlp/data/ once."""
    canon: dict[str, str] = {}
    for row in _read_words("sd_terms.txt"):
        for w in row:
            canon.setdefault(w, w)
    for group in _read_words("sd_synonyms.txt"):
        head = group[0]
        for w in group:
            canon[w] = head
    stop = {w for row in _read_words("sd_stopwords.txt") for w in row} - set(canon)
    terms = frozenset(sys.intern(v) for v in canon.values())
    related: dict[str, set] = {t: {t} for t in terms}
    for t in terms:
        for i in range(1, len(t)):
            if t[i:] in related:  # t ends with another term: 储能电池 / 电池
                related[t].add(t[i:])
                related[t[i:]].add(t)
    broader: dict[str, set] = {}
    for row in _read_words("sd_broader.txt"):
        narrow, broad = (canon.get(w, w) for w in row[:2])
        for t in (narrow, broad):
            if t not in related:  # a broader term need not be a product word of its own
                canon[t] = t
                related[t] = {t}
        related[narrow].add(broad)
        related[broad].add(narrow)
        broader.setdefault(narrow, set()).add(broad)
        broader.setdefault(broad, set()).add(narrow)
    terms = frozenset(sys.intern(v) for v in canon.values())
    related_t = {t: tuple(sorted(r)) for t, r in related.items()}
    return Lexicon(canon, terms, frozenset(stop), max(map(len, canon)), related_t,
                   {t: frozenset(b) for t, b in broader.items()})


@lru_cache(maxsize=1)
def tokenizer():
    """Own jieba.Tokenizer instance, created lazily and quietly."""
    return new_tokenizer()


@lru_cache(maxsize=1)
def pos_tokenizer():
    """Part-of-speech tokenizer bound to our own jieba.Tokenizer."""
    import jieba.posseg

    return jieba.posseg.POSTokenizer(tokenizer())


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# A unit is (canonical, surface, weight); a separator is (None, word, 0.0).
Unit = tuple


def _segment_run(run: str, lex: Lexicon) -> list[Unit]:
    """Cut one separator-free run into units and separators.

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
                # ties go to the term that ends here: heads come last (紫铜排 = 紫 + 铜排)
                if best[i - L] + L * L > best[i] or (best[i - L] + L * L == best[i] and back[i][1] is None):
                    best[i], back[i] = best[i - L] + L * L, (i - L, w)
    pieces: list[tuple[int, int, str | None]] = []
    i = n
    while i > 0:
        j, w = back[i]
        pieces.append((j, i, w))
        i = j
    pieces.reverse()
    units: list[Unit] = []
    buf = ""
    for j, i, w in pieces:
        if w is None:
            buf += run[j:i]
            continue
        if buf:
            units.extend(_jieba_units(buf, lex))
            buf = ""
        units.append((lex.canon[w], w, WEIGHT_TERM))
    if buf:
        units.extend(_jieba_units(buf, lex))
    return units


def _jieba_units(text: str, lex: Lexicon) -> list[Unit]:
    return list(_jieba_units_cached(text))


@lru_cache(maxsize=50_000)
def _jieba_units_cached(text: str) -> tuple:
    """jieba (with POS) over a stretch the dictionary did not cover; cue phrases repeat a lot."""
    lex = lexicon()
    out: list[Unit] = []
    for pair in pos_tokenizer().lcut(text, HMM=True):
        tok, flag = pair.word.strip(), pair.flag
        if tok.endswith("服务") and tok[:-2] in _LINK_WORDS:
            tok = tok[:-2]  # 维修服务 is 维修
        if tok in _GENERIC_LONE and tok not in _LINK_WORDS:  # 电镀+设备, 装载机+司机: a head, never alone
            out.append((sys.intern(tok), tok, WEIGHT_NOUN))
        elif tok in _CHAR_HEADS:
            out.append((_CHAR_HEADS[tok], tok, WEIGHT_NOUN))
        elif tok in _LINK_WORDS:  # a link inside a compound; a service head when last (碳酸锂检测)
            out.append((sys.intern(tok), tok, WEIGHT_NOUN if tok in _SERVICE_WORDS else WEIGHT_OTHER))
        elif (not tok or tok in lex.stop or _NUM_RE.fullmatch(tok) or all(c in _CN_NUM for c in tok)
                or not any(ch.isalnum() for ch in tok)):
            out.append((None, tok, 0.0))
        elif flag in _NOUN_FLAGS or tok.isascii():
            for suffix in _FORM_SUFFIXES:
                if len(tok) >= len(suffix) + 2 and tok.endswith(suffix):
                    tok = tok[: -len(suffix)]
                    break
            out.append((sys.intern(tok), tok, WEIGHT_NOUN))
        else:
            out.append((sys.intern(tok), tok, WEIGHT_OTHER))
    return tuple(out)


@dataclass
class Analysis:
    """What the matcher and the extractor need from one text."""

    phrases: list  # list[tuple[str, ...]] of canonical units, head last
    surfaces: list  # same shape, the words as written
    weights: list  # per phrase: how much it names a product (head type, purpose)
    specs: list  # list[tuple[kind, value, display]]
    quantities: list  # list[str] like "500吨"
    region: str | None
    text: str
    rental: bool = False  # the post is about renting (出租, 租赁, 求租), not buying or selling


def find_region(text: str) -> str | None:
    """First Jining county or zone named in the (normalised) text."""
    best = None
    for alias, county in _REGION_ALIASES.items():
        pos = text.find(alias)
        if pos >= 0 and (best is None or pos < best[0] or (pos == best[0] and len(alias) > best[2])):
            best = (pos, county, len(alias))
    return best[1] if best else None


def _collect(units: list, lex: Lexicon, phrases: list, surfaces: list, weights: list) -> None:
    """Group one clause's units into phrases at separators; weigh each by head, purpose, role."""
    cur: list = []
    joined = False  # a conjunction (和, 及) since the last phrase
    prev = len(phrases) - 1 if phrases else None  # the post's phrase before this clause
    # 回收 marks scrap, unless the clause also sells (二手变压器回收与销售)
    selling = any(u[0] is None and u[1] in _SELL_WORDS for u in units)
    purpose_next = recycle_next = False
    last = before_cue = None  # last phrase of this clause; one that stood before a cue verb
    for unit in units:
        if unit[0] is not None:
            if not cur or cur[-1][0] != unit[0]:  # smt + 贴片加工 are one product (pcba), once
                cur.append(unit)
            continue
        if len(cur) > 1 and cur[-1][0] in _FORM_TO_CHAR:
            cur[-1] = (_FORM_TO_CHAR[cur[-1][0]], cur[-1][1], WEIGHT_NOUN)
        while len(cur) > 1 and (cur[-1][0] in WEAK_HEADS
                                or (cur[-1][2] == WEIGHT_OTHER and len(cur[-1][0]) > 1)
                                or (cur[-1][0] in FORM_HEADS and any(u[0] in lex.terms for u in cur[:-1]))):
            cur.pop()  # 液压油缸漏油 -> 液压油缸; 磷酸铁锂正极材料 -> 磷酸铁锂
        # a lone single-character unknown word (量, 型 ...) is noise, not a product
        if len(cur) > 1 and cur[0][0] in _SERVICE_WORDS:
            cur = cur[1:] + cur[:1]  # 清洗油罐 is the cleaning of tanks: the service is the head
        target = last if last is not None else prev
        if len(cur) == 1 and cur[0][0] in _SERVICE_WORDS and target is not None and not joined:
            # 储罐要清洗, 叉车坏了 需要维修: a lone service word belongs to the object before it
            phrases[target] = phrases[target] + (cur[0][0],)
            surfaces[target] = surfaces[target] + (cur[0][1],)
            weights[target] = max(weights[target], WEIGHT_NOUN)
            if before_cue == target:
                before_cue = None
            cur = []
        while cur and cur[0][0] in _LINK_WORDS:
            cur.pop(0)
        if len(cur) == 1 and cur[0][0] in _GENERIC_LONE:
            cur = []
        if cur and not (len(cur) == 1 and len(cur[0][0]) == 1 and cur[0][0] not in lex.terms):
            w = cur[-1][2]
            if len(cur) > 1 and len(cur[-1][0]) == 1:
                w = max(w, WEIGHT_NOUN)  # 岩棉+管, 标签+纸: a one-character head of a compound
            if purpose_next or unit[1] in _PURPOSE_AFTER:
                w = min(w, WEIGHT_PURPOSE)
            if (recycle_next or unit[1] == "回收") and not selling:
                cur.insert(0, ("废", "", 0.0))  # 锂电池回收 is scrap to take, not batteries
            if before_cue is not None and w >= WEIGHT_NOUN:
                weights[before_cue] = min(weights[before_cue], WEIGHT_IDENTITY)
                before_cue = None
            phrases.append(tuple(u[0] for u in cur))
            surfaces.append(tuple(u[1] for u in cur if u[1]))
            weights.append(w)
            last = len(weights) - 1
            purpose_next = recycle_next = False
        if cur:
            joined = False
        if unit[1] in _AND:
            joined = True
        if unit[1] == "回收":
            recycle_next = True
        if (unit[1] in CUES or unit[1] in _OF) and last is not None and before_cue is None:
            before_cue = last
        if unit[1] in _PURPOSE_BEFORE:
            purpose_next = True
        cur = []


def analyse(raw: str) -> Analysis:
    """Normalise a post and cut it into phrases, specs, quantities and region."""
    lex = lexicon()
    text = normalize(raw)
    region = find_region(text)
    work = PHONE_RE.sub(" ", text)  # "_" below marks a removed piece without ending the clause
    for alias in sorted(_REGION_ALIASES, key=len, reverse=True):
        if alias in work:
            work = work.replace(alias, "_")
    quantities = [m.group(0).replace(" ", "") for m in QTY_RE.finditer(work)]
    work = QTY_RE.sub("_", work)
    # ranges (1-20mm, Φ300-Φ600) describe a catalogue, not one spec: never a conflict
    work = RANGE_RE.sub("_", work)
    specs = []
    for kind, rx in SPEC_RES:
        for m in rx.finditer(work):
            value = "".join(g for g in m.groups() if g)
            specs.append((kind, value, m.group(0).strip()))
        work = rx.sub("_", work)
    phrases, surfaces, weights = [], [], []
    for run in _SEP_RE.split(_NUM_RE.sub("_", work)):
        if run:
            _collect(_segment_run(run, lex) + [(None, "", 0.0)], lex, phrases, surfaces, weights)
    # the first product named is the main one (a later one is often an extra or a detail)
    main = next((i for i, w in enumerate(weights) if w >= WEIGHT_NOUN), None)
    if main is not None:
        weights[main] = WEIGHT_TERM
    # later products in a post are usually extras; a slight discount orders ties
    first = next((i for i, w in enumerate(weights) if w >= WEIGHT_NOUN), None)
    for i, w in enumerate(weights):
        if first is not None and i > first:
            weights[i] = w * 0.95
    return Analysis(phrases, surfaces, weights, specs, quantities, region, text, "租" in text)

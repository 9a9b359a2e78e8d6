"""Field clean-up for extracted posts: spec-like words, delivery phrases, original case, bounds.

Kept apart from nlp.matching.posts so the matcher's analysis stays untouched: these rules only change
what the confirm card shows (products, specs, quantity, capacity, region, validity notes).
"""

from __future__ import annotations

import re
import unicodedata

MAX_VALIDITY_DAYS = 365
MAX_QUANTITY = 1e8  # 1 亿 of any unit: anything above is a typo

# 注塑级, 食品级: a grade word; 缸径, 板厚 before a number: a spec name, never a product.
_SPEC_WORD = re.compile(r"(级|径|厚|宽|长|高|厚度|宽度|长度|高度|直径|口径)$")
# 送货到, 可送, 到厂: delivery terms, never a product.
_DELIVERY_WORD = re.compile(r"送货|送到|可送|包送|到厂|运到|配送|发货|包邮|送至|到付|自提")
# "可送货到邹城": a delivery destination is not where the poster's goods are.
DELIVERY_PLACE = re.compile(
    r"(?:可|能|包|免费)?(?:送货|配送|发货|运输|送|运|发)(?:上门)?(?:到|至|往)\s*[\u4e00-\u9fff]{1,8}")
# 厚度6-20mm, 缸径50-200mm: a named dimension with its value(s).
_NAMED_DIM = re.compile(
    r"([\u4e00-\u9fff]{0,2}(?:直径|口径|厚度|宽度|长度|高度|径|厚|宽|长|高))\s*[:：]?\s*"
    r"(\d+(?:\.\d+)?\s*(?:[-~～至到]\s*\d+(?:\.\d+)?)?\s*(?:mm|cm|m|毫米|厘米|米)?)", re.I)
# 月产能2000吨, 年产5万吨: a production capacity, not the quantity on offer.
CAPACITY_BEFORE = re.compile(r"(?:[日月年]?产能|[日月年]产量?|产量)\s*(?:约|达|为|是|:|：)?\s*$")
_CAPACITY_LABEL = re.compile(r"((?:[日月年]?产能|[日月年]产量?|产量))\s*(?:约|达|为|是|:|：)?\s*$")


def nfkc(text: str) -> str:
    """Full-width to half-width, case kept (for showing words as the poster wrote them)."""
    return unicodedata.normalize("NFKC", text or "")


def original_case(raw: str, word: str) -> str:
    """`word` (lower-cased by normalisation) as the poster typed it, when it can be found."""
    if not word or word.isascii() and not any(c.isalpha() for c in word):
        return word
    m = re.search(re.escape(word).replace(r"\ ", r"\s*"), nfkc(raw), re.I)
    return m.group(0) if m else word


def extend_code(raw: str, shown: str) -> str:
    """6061 -> 6061-T6 when the poster wrote a temper or suffix right after the code."""
    m = re.search(re.escape(shown) + r"(-[A-Za-z]\d{1,3}[A-Za-z]?)(?![A-Za-z0-9])", nfkc(raw), re.I)
    return shown + m.group(1) if m else shown


def is_spec_word(name: str, raw: str) -> bool:
    """注塑级 (a grade), or 缸径/厚度 followed by a number (a dimension name)."""
    if not _SPEC_WORD.search(name):
        return False
    if name.endswith("级"):
        return True
    return re.search(re.escape(name) + r"\s*[:：]?\s*\d", nfkc(raw), re.I) is not None


def is_delivery_word(name: str) -> bool:
    """送货到, 可送, 到厂: how goods travel, not what they are."""
    return _DELIVERY_WORD.search(name) is not None


def named_dimensions(raw: str) -> list[str]:
    """Named dimensions written in the post: 厚度6-20mm, 缸径50-200mm."""
    out = []
    for m in _NAMED_DIM.finditer(nfkc(raw)):
        label = m.group(1)
        if label.endswith("长") and "长期" in label:
            continue
        out.append(label + re.sub(r"\s+", "", m.group(2)))
    return out


def capacity_label(before: str) -> str | None:
    """产能 label (月产能 …) right before a quantity, or None."""
    m = _CAPACITY_LABEL.search(before[-6:])
    return m.group(1) if m else None


def is_negative(before: str) -> bool:
    """A minus sign right before a number (not a range like 10-20吨)."""
    b = before.rstrip()
    return bool(b) and b[-1] in "-−－负" and not (len(b) > 1 and b[-2].isdigit())

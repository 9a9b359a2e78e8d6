"""One parser for ids typed in commands or carried in button data: ASCII digits only, bounded."""
from __future__ import annotations

import re

MAX_ID_DIGITS = 15  # far below BIGINT's 19 digits, so a typed id can never overflow at the database
_ASCII_ID = re.compile(r"[0-9]{1,%d}" % MAX_ID_DIGITS)
BAD_ID = f"编号只能由阿拉伯数字 0–9 组成（不超过 {MAX_ID_DIGITS} 位），例如 12。未做任何更改。"


def _clean(raw: object, strip_hash: bool) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    return text.lstrip("#＃") if strip_hash else text


def parse_id(raw: object, *, strip_hash: bool = True) -> int | None:
    """'12' or '#12' -> 12; None for anything else (Unicode digits such as '²' '５' '١٢', signs, too long)."""
    text = _clean(raw, strip_hash)
    return int(text) if _ASCII_ID.fullmatch(text) else None


def looks_like_id(raw: object, *, strip_hash: bool = True) -> bool:
    """True for digit-only text in any script ('12', '²', '５５'): the user meant a number, valid or not."""
    text = _clean(raw, strip_hash)
    return bool(text) and all(ch.isdigit() or ch.isdecimal() or ch.isnumeric() for ch in text)


def parse_index(raw: object, size: int) -> int | None:
    """An index 0 <= i < size from ASCII digits, else None."""
    value = parse_id(raw, strip_hash=False)
    return value if value is not None and value < size else None


def part(parts: list[str], index: int) -> int | None:
    """The id at position `index` of split callback data, or None when missing or malformed."""
    return parse_id(parts[index], strip_hash=False) if len(parts) > index else None

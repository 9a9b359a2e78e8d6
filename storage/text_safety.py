"""Control characters are cleaned at every boundary, so SQLite and PostgreSQL store the same text.

PostgreSQL refuses NUL in text columns while SQLite stores it; both get the same cleaned text.
"""
from __future__ import annotations

import re

# C0 controls except TAB and LF, DEL, and the C1 range; CR becomes LF.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: str | None) -> str:
    """Text without NUL and other control characters (CR LF and CR become LF; TAB and LF stay)."""
    if not value:
        return value or ""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def has_control(value: str | None) -> bool:
    """True when the text holds a character clean_text would drop."""
    return bool(value) and (_CONTROL.search(value) is not None or "\r" in value)

"""What comes in from a chat platform is cleaned once, before any handler or database sees it."""
from __future__ import annotations

from dataclasses import replace

from storage.text_safety import clean_text, has_control

from .types import CALLBACK_DATA_LIMIT, Incoming


def clean_incoming(inc: Incoming) -> Incoming:
    """The update with NUL and other control characters removed from every text field."""
    fields = {name: getattr(inc, name) for name in ("text", "user_name", "chat_title", "username")}
    changed = {k: clean_text(v) for k, v in fields.items() if isinstance(v, str) and has_control(v)}
    if any(a.file_name and has_control(a.file_name) for a in inc.attachments):
        changed["attachments"] = tuple(replace(a, file_name=clean_text(a.file_name)) if a.file_name else a
                                       for a in inc.attachments)
    return replace(inc, **changed) if changed else inc


def valid_callback_data(data: str) -> bool:
    """Button data as the bot makes it: printable ASCII, at most 64 bytes."""
    return len(data.encode("utf-8", "replace")) <= CALLBACK_DATA_LIMIT and data.isascii() and data.isprintable()

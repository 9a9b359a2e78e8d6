"""Per-update observation: which capability answered, how it ended, how long it took.

The dispatcher logs one line per update (no message text: it may carry enterprise contact data) and
passes the same record to observers the runtime registers (bot.observability feeds Prometheus).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from .types import Incoming

log = logging.getLogger("pandeng.updates")
_capability: ContextVar[str] = ContextVar("pandeng_capability", default="none")


@dataclass(frozen=True)
class UpdateRecord:
    """How one update went."""

    platform: str
    kind: str  # button | command | text | attachment | event
    capability: str  # appeals, stats, supply, ... ; "none" when no handler ran (refusals, unknown, groups)
    outcome: str  # ok | error | stale
    seconds: float
    replies: int


Observer = Callable[[UpdateRecord], None]


def mark(func) -> None:
    """Note the capability of the handler about to run (its package under handlers/)."""
    parts = func.__module__.split(".")
    _capability.set(parts[1] if len(parts) > 1 and parts[0] == "handlers" else parts[-1])


def start() -> None:
    """Reset the capability at the start of an update."""
    _capability.set("none")


def kind_of(inc: Incoming) -> str:
    """The update's kind, for logs and metrics."""
    if inc.is_button:
        return "button"
    if inc.event:
        return "event"
    if inc.attachments:
        return "attachment"
    return "command" if (inc.text or "").lstrip().startswith("/") else "text"


def finish(inc: Incoming, outcome: str, seconds: float, replies: int, observers: list[Observer]) -> UpdateRecord:
    """Log the update's line and tell the observers; an observer's failure never reaches the user."""
    record = UpdateRecord(inc.platform, kind_of(inc), _capability.get(), outcome, seconds, replies)
    fields = {"platform": record.platform, "kind": record.kind, "capability": record.capability,
              "outcome": record.outcome, "ms": round(seconds * 1000, 1), "replies": replies, "update_id": inc.update_id}
    log.info("update %s %s cap=%s outcome=%s %.1fms replies=%d", record.platform, record.kind, record.capability,
             record.outcome, seconds * 1000, replies, extra=fields)
    for observer in observers:
        try:
            observer(record)
        except Exception:  # metrics must never break the chat
            log.exception("update observer failed")
    return record

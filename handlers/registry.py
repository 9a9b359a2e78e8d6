"""Where capability modules register their commands, buttons, dialog flows and text handlers."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import Context
    from .types import Reply

HandlerResult = "list[Reply] | Reply | None"
Handler = Callable[["Context"], Awaitable["list[Reply] | Reply | None"]]


@dataclass(frozen=True)
class CommandSpec:
    """A slash command: who may use it, where, and its Chinese description for menus and /help."""

    name: str
    func: Handler
    description: str
    roles: frozenset[str] | None  # None: any enrolled user
    anonymous: bool  # usable by an unknown chat account (only /start)
    where: str  # private | group | any
    menu: bool  # listed in the platform's command menu, where it has one
    confidential: bool = False  # shows ledgers, figures or enterprise files: in a group the answer goes privately
    audit: bool = False  # each use is written to the audit trail (who viewed or exported what)


@dataclass(frozen=True)
class CallbackSpec:
    """A button family, keyed by the prefix before the first ':' of its callback data."""

    prefix: str
    func: Handler
    roles: frozenset[str] | None
    confidential: bool = False  # pressed in a group, the answer goes to the presser's private chat


@dataclass(frozen=True)
class TextSpec:
    """A handler for plain text outside dialogs; returns None to let the next one try."""

    name: str
    func: Handler
    priority: int  # lower runs first
    where: str  # private | group | any


COMMANDS: dict[str, CommandSpec] = {}
CALLBACKS: dict[str, CallbackSpec] = {}
FLOWS: dict[str, Handler] = {}
TEXT_HANDLERS: list[TextSpec] = []
ATTACHMENT_HANDLERS: list[TextSpec] = []


def _roles(roles) -> frozenset[str] | None:
    return frozenset(str(r) for r in roles) if roles else None


def command(name: str, description: str, *, roles=None, anonymous: bool = False, where: str = "any", menu: bool = True,
            confidential: bool = False, audit: bool = False):
    """Register a slash command handler."""

    def deco(func: Handler) -> Handler:
        if name in COMMANDS:
            raise ValueError(f"command /{name} registered twice")
        COMMANDS[name] = CommandSpec(name, func, description, _roles(roles), anonymous, where, menu, confidential, audit)
        return func

    return deco


def callback(prefix: str, *, roles=None, confidential: bool = False):
    """Register a button handler for callback data 'prefix:...'."""

    def deco(func: Handler) -> Handler:
        if prefix in CALLBACKS or ":" in prefix:
            raise ValueError(f"bad or duplicate callback prefix {prefix!r}")
        CALLBACKS[prefix] = CallbackSpec(prefix, func, _roles(roles), confidential)
        return func

    return deco


def flow(name: str):
    """Register the handler of a multi-step dialog; it gets the user's text while the dialog is active."""

    def deco(func: Handler) -> Handler:
        if name in FLOWS:
            raise ValueError(f"flow {name} registered twice")
        FLOWS[name] = func
        return func

    return deco


def text_handler(name: str, *, priority: int = 100, where: str = "private"):
    """Register a plain-text handler (outside dialogs); return None from it to pass."""

    def deco(func: Handler) -> Handler:
        TEXT_HANDLERS.append(TextSpec(name, func, priority, where))
        TEXT_HANDLERS.sort(key=lambda s: s.priority)
        return func

    return deco


def attachment_handler(name: str, *, priority: int = 100, where: str = "private"):
    """Register a handler for photos/files sent outside dialogs; return None to pass."""

    def deco(func: Handler) -> Handler:
        ATTACHMENT_HANDLERS.append(TextSpec(name, func, priority, where))
        ATTACHMENT_HANDLERS.sort(key=lambda s: s.priority)
        return func

    return deco

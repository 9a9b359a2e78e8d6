"""The delivery port every channel implements for the outbox, and the errors senders map into."""
from __future__ import annotations

from typing import Any, Protocol


class SendError(Exception):
    """A platform call failed; subclasses say what to do about it."""


class RetryLater(SendError):
    """Flood control (Telegram 429, WeCom 45009): wait `seconds` and try again."""

    def __init__(self, seconds: float, message: str = ""):
        super().__init__(message or f"retry after {seconds}s")
        self.seconds = float(seconds)


class BlockedByUser(SendError):
    """The user blocked the bot (or left its reach); do not retry."""


class TransientError(SendError):
    """5xx or network trouble: back off and retry."""


class SendTimeout(TransientError):
    """No answer in time: the message may or may not have arrived (a retry may show it twice)."""


class PermanentError(SendError):
    """The request itself is wrong; retrying will not help."""


class Deliverer(Protocol):
    """Sends outbox notifications to accounts (or chats) on one platform, one piece at a time.

    The sender waits out flood control per piece, so a piece already sent is never sent again.
    """

    platform: str  # which platform_accounts rows this deliverer reaches

    def pieces(self, text: str, buttons: list[list[dict]] | None) -> list[Any]:
        """The messages one notification becomes on this platform (split, buttons on the last)."""
        ...

    async def send_piece(self, target: str, piece: Any) -> None:
        """Send one piece to an account's external id (or a chat id); raise a SendError subclass on failure."""
        ...

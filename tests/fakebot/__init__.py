"""A fake Telegram Bot API server for tests (aiogram 3 and python-telegram-bot 22 run against it)."""

from .server import DEFAULT_TOKEN, FakeBotServer
from .state import ApiError, Call, SentMessage

__all__ = ["DEFAULT_TOKEN", "FakeBotServer", "ApiError", "Call", "SentMessage"]

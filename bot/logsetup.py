"""Logging for every logger at every level: one redacting formatter, plain or JSON lines.

Third-party stacks log secrets (httpx logs request URLs holding `bot<token>`, python-telegram-bot logs
setWebhook with its secret_token), and messages may carry phone numbers: every line is redacted after
formatting, traceback included, so no logger can bypass it.
"""
from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime, timezone

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?<!\d)\d{5,16}:[A-Za-z0-9_-]{30,}"), "<bot-token>"),  # Telegram bot token, also inside /bot<token>/
    (re.compile(r"(?i)((?:secret_token|secret|corpsecret|access_token|password|passwd|token)[\"']?\s*[=:]\s*[\"']?)"
                r"[^\s&\"',}]+"), r"\1<redacted>"),
    (re.compile(r"(?i)(x-telegram-bot-api-secret-token[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"), r"\1<redacted>"),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),  # passwords in database or proxy URLs
    (re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),  # mainland mobile numbers
    (re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"), "<phone>"),  # landlines
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "<email>"),
]
_SECRET_ENV = re.compile(r"^PANDENG_.*(TOKEN|SECRET|PASSWORD|KEY).*$")
_literal_secrets: set[str] = set()


def add_secret(value: str | None) -> None:
    """Redact this exact value wherever it appears (the configured token, webhook secret, WeCom secret)."""
    if value and len(value) >= 6:
        _literal_secrets.add(value)


def redact(text: str) -> str:
    """The text with tokens, secrets, URL passwords and contact data masked."""
    for secret in sorted(_literal_secrets, key=len, reverse=True):
        text = text.replace(secret, "<redacted>")
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class RedactingFormatter(logging.Formatter):
    """The standard one-line format, redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the update fields a line carries."""

    FIELDS = ("platform", "kind", "capability", "outcome", "ms", "user", "chat", "update_id", "replies")

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "msg": record.getMessage()}
        out.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(out, ensure_ascii=False, default=str))


def configure(level: str | int = "WARNING", *, json_lines: bool = False, secrets: tuple[str | None, ...] = ()) -> None:
    """Install the redacting handler on the root logger (replacing earlier ones)."""
    for value in secrets:
        add_secret(value)
    for name, value in os.environ.items():
        if _SECRET_ENV.match(name):
            add_secret(value)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else
                         RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else getattr(logging, str(level).upper(), logging.WARNING))

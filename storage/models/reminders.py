"""Tables of the reminders area (owned by that area; see docs/ARCHITECTURE.md)."""
from __future__ import annotations

from .base import Base  # noqa: F401

"""Subcommands of the reports area."""
from __future__ import annotations


def register(sub) -> None:
    """Add this area's subcommands (none yet)."""

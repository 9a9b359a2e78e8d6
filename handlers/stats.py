"""Capability module (see docs/ARCHITECTURE.md for its owner)."""

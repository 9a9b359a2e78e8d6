"""Imports every capability module so its commands, buttons and flows register themselves."""
from . import admin, appeals, audit, common, policy, reminders, stats, supply  # noqa: F401

"""Imports every capability module so its commands, buttons and flows register themselves."""
from . import admin, appeals, audit, calendar, common, export_cmd, policy, power, reminders, stats, supply  # noqa: F401

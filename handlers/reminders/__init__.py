"""Reminders, escalation and the weekly dispatch (一周一调度); /settings for muting the digest.

Due items are computed from the database on every scheduler tick (see `ladder` for the rules and
`jobs`/`digest` for the queuing); bot/scheduler.py runs the loop. Other areas use `overdue_list`.
"""
from . import settings_cmd  # noqa: F401  (registers /settings and the st: buttons)
from .digest import queue_weekly_dispatch
from .jobs import OverdueItem, admin_overdue_list, overdue_list, queue_due_reminders
from .ladder import ADMIN_LIST_AFTER_DAYS, AppealFacts, DueReminder, due_items, in_send_window, ladder_steps

__all__ = [
    "ADMIN_LIST_AFTER_DAYS", "AppealFacts", "DueReminder", "OverdueItem", "admin_overdue_list", "due_items",
    "in_send_window", "ladder_steps", "overdue_list", "queue_due_reminders", "queue_weekly_dispatch",
]

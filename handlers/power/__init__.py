"""日监测 in chat: /power (role-scoped list or cards), the card buttons (说明原因, 提报诉求), the daily push.

The figures come from storage.power (import, detection, queries); bot/scheduler.py calls
`queue_power_push` on every tick, and the outbox keys make the push happen once per item.
"""
from . import actions, report_cmd  # noqa: F401  (register /power, /report and the pw: buttons)
from .push import queue_power_push

__all__ = ["queue_power_push"]

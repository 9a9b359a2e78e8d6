"""Appeals (问题诉求): intake, the review/handling loop, cards and ledger views."""
from . import actions, chat_text, intake, views  # noqa: F401  (registers commands, buttons and flows)

"""Supply and demand (供需对接): posting, matching across enterprises, match cards, deals."""
from . import matches, posting, private  # noqa: F401  (registers commands, buttons and flows)

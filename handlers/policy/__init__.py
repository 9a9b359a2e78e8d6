"""Policy area: the handbook (惠企政策汇编) in chat. Importing registers its commands and buttons."""
from . import chat  # noqa: F401  (registers /policy, /policies, /handbook, buttons po, text and file handlers)
from .store import ImportResult, get_index, import_bytes, question_stats, reset_cache

__all__ = ["ImportResult", "get_index", "import_bytes", "question_stats", "reset_cache"]

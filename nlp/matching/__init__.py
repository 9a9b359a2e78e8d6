"""Supply/demand matching: features, sparse index, scoring rules, lexicon and post detection.

Public API: `Matcher().add(post_id, kind, text)`, `.remove(post_id)`, `.search(text, kind, k=5)`
returning `Hit(post_id, score, reason, strong)`; strong hits first, then weak ones.
"""

from nlp.matching.matcher import KINDS, OTHER, Hit, Matcher

__all__ = ["KINDS", "OTHER", "Hit", "Matcher"]

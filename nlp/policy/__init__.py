"""Policy handbook (惠企政策汇编): parser, structured records and retrieval. Pure, in memory."""
from .index import HIGH_BAR, LOW_BAR, PolicyIndex
from .model import Answer, Audience, Clause, Hit, PolicyDocument, Threshold, Window
from .parser import SUPPORTED, parse_file, parse_text, read_bytes, read_text
from .profile import EnterpriseProfile, Eligibility, extract_audience, extract_window, match

__all__ = [
    "PolicyIndex", "HIGH_BAR", "LOW_BAR", "Answer", "Audience", "Clause", "Hit", "PolicyDocument",
    "Threshold", "Window", "SUPPORTED", "parse_file", "parse_text", "read_bytes", "read_text", "EnterpriseProfile", "Eligibility",
    "extract_audience", "extract_window", "match",
]

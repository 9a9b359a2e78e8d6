"""Parse report arguments: a breakdown dimension, a period and filters (county, unit, category)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .models import CATEGORIES, OrgUnit
from .org_data import COUNTY_ALIASES
from .reports_period import Period, parse_period
from .reports_stats import Scope

DIMENSION_WORDS = {
    "county": "county", "县区": "county", "按县区": "county", "县": "county", "区县": "county",
    "unit": "unit", "单位": "unit", "责任单位": "unit", "按单位": "unit",
    "category": "category", "类别": "category", "分类": "category", "按类别": "category",
}
_RANGE = re.compile(r"\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?\s*(?:~|～|至|到|—|--|\.\.)\s*\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?")


@dataclass
class ReportArgs:
    """What the user asked for; `errors` lists words that were not understood."""

    dimension: str | None = None
    period: Period | None = None
    county: OrgUnit | None = None
    unit: OrgUnit | None = None
    category: str | None = None
    csv: bool = False
    errors: list[str] = field(default_factory=list)

    def scope(self) -> Scope:
        """The appeals scope of these filters."""
        return Scope(self.county.id if self.county else None, self.unit.id if self.unit else None, self.category)


def parse_args(text: str, today: date, units: list[OrgUnit]) -> ReportArgs:
    """Split '/stats county 2026Q1 任城区' style arguments into a ReportArgs."""
    out = ReportArgs()
    text = text.strip()
    if m := _RANGE.search(text):
        out.period = parse_period(m[0], today)
        text = (text[: m.start()] + " " + text[m.end():]).strip()
    by_name = {u.name: u for u in units}
    for word in text.split():
        low = word.lower()
        if low in DIMENSION_WORDS:
            out.dimension = DIMENSION_WORDS[low]
        elif low in ("csv", "xlsx", "excel"):
            out.csv = low == "csv"
        elif (p := parse_period(word, today)) is not None:
            out.period = p
        elif word in CATEGORIES:
            out.category = word
        elif (name := COUNTY_ALIASES.get(word, word)) in by_name and by_name[name].kind == "county":
            out.county = by_name[name]
        elif word in by_name:
            out.unit = by_name[word]
        else:
            hits = [u for u in units if word in u.name and u.kind != "city_office"]
            if len(hits) == 1:
                if hits[0].kind == "county":
                    out.county = hits[0]
                else:
                    out.unit = hits[0]
            else:
                out.errors.append(word)
    return out

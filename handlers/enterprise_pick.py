"""Finding an enterprise by a partial name: one clear match, or the candidates as buttons."""
from __future__ import annotations

from rapidfuzz import fuzz, process

from storage.models import Enterprise

MAX_CANDIDATES = 8


def find_enterprises(query: str, ents: list[Enterprise]) -> list[Enterprise]:
    """[the one] when the name decides it; several candidates (best first) when it does not; [] for none."""
    query = (query or "").strip()
    if not query:
        return []
    exact = [e for e in ents if e.name == query]
    if exact:
        return exact[:1]
    inside = [e for e in ents if query in e.name]
    if len(inside) == 1:
        return inside
    if inside:  # '济宁' is in 40 names: never pick one silently
        return sorted(inside, key=lambda e: (len(e.name), e.id))[:MAX_CANDIDATES]
    names = {e.id: e.name for e in ents}
    hits = process.extract(query, names, scorer=fuzz.WRatio, limit=MAX_CANDIDATES, score_cutoff=60)
    if not hits:
        return []
    by_id = {e.id: e for e in ents}
    if len(hits) == 1 or hits[0][1] - hits[1][1] >= 5:
        return [by_id[hits[0][2]]]
    return [by_id[h[2]] for h in hits if hits[0][1] - h[1] < 10]

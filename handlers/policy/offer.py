"""What a document offers one enterprise, for /policies: the key supporting clause (+ amount), the
conditions met, not yet met and unknown, from the document's audience and that clause's own."""
from __future__ import annotations

from dataclasses import dataclass, field

from nlp.policy import Audience, match
from nlp.policy.grant import amount_of, grant_strength
from nlp.policy.profile import APPLIES_RE
from storage.models import Enterprise
from storage.models.policy import PolicyClause, PolicyDoc

from .store import profile_of


@dataclass
class Offer:
    """One document for one enterprise."""

    qualifies: bool  # False only when a hard condition (another county) fails at document level
    clause: PolicyClause | None = None
    amount: str = ""
    met: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _merge(*lists: list[str]) -> list[str]:
    return list(dict.fromkeys(x for lst in lists for x in lst))


def offer(doc: PolicyDoc, ent: Enterprise) -> Offer:
    """The key clause for this enterprise and every condition, met or not."""
    prof = profile_of(ent)
    el = match(Audience.from_dict(doc.audience), prof)
    best, best_key, best_el = None, None, None
    for i, c in enumerate(doc.clauses):
        strength = grant_strength(c.text)
        if strength <= 0 or APPLIES_RE.search(c.text):
            continue
        cel = match(Audience.from_dict(c.audience), prof)
        # a clause the enterprise fully meets first, then one with an amount, then money over favours,
        # then the clause naming the enterprise's own tags, then document order
        own = bool(set(Audience.from_dict(c.audience).tags) & prof.tags)
        key = (cel.qualifies and not cel.unmet, bool(amount_of(c.text)), strength, own, -i)
        if best_key is None or key > best_key:
            best, best_key, best_el = c, key, cel
    out = Offer(el.qualifies, met=list(el.met), unmet=list(el.unmet), unknown=list(el.unknown))
    if best is not None:
        out.clause, out.amount = best, amount_of(best.text)
        own = Audience.from_dict(best.audience)
        # a clause naming its own enterprise types or industries is more precise than the document
        # (a 小巨人 clause inside a 专精特新 document): its conditions replace the document's
        drop = tuple(p for p, has in (("企业类型：", own.tags), ("产业：", own.clusters)) if has)
        keep = lambda lst: [x for x in lst if not x.startswith(drop)] if drop else lst  # noqa: E731
        out.met = _merge(keep(el.met), best_el.met)
        out.unmet = _merge(keep(el.unmet), best_el.unmet)
        out.unknown = _merge(keep(el.unknown), best_el.unknown)
    out.met = [_short_met(x, prof) for x in out.met]
    return out


def _short_met(label: str, prof) -> str:
    """A met any-of condition names only what the enterprise has (产业：新材料, not all seven)."""
    if label.startswith("产业：") and prof.cluster:
        return "产业：" + prof.cluster
    if label.startswith("企业类型："):
        have = [t for t in label[len("企业类型："):].split("或") if t in prof.tags]
        if have:
            return "企业类型：" + "、".join(have)
    return label

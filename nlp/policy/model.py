"""Plain data records of the policy handbook: documents, clauses, audience, windows, hits."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Threshold:
    """A size condition such as 营业收入 2000万元以上 (amount kept in 万元)."""

    metric: str
    min_wan: float
    text: str

    def to_dict(self) -> dict:
        """Plain JSON-able form."""
        return {"metric": self.metric, "min_wan": self.min_wan, "text": self.text}


@dataclass(frozen=True)
class Audience:
    """Who a document (or clause) is for, as far as its text says so."""

    clusters: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    thresholds: tuple[Threshold, ...] = ()

    def is_empty(self) -> bool:
        """True when the text names no audience at all (open to every enterprise)."""
        return not (self.clusters or self.tags or self.counties or self.thresholds)

    def to_dict(self) -> dict:
        """Plain JSON-able form."""
        return {
            "clusters": list(self.clusters),
            "tags": list(self.tags),
            "counties": list(self.counties),
            "thresholds": [t.to_dict() for t in self.thresholds],
        }

    @classmethod
    def from_dict(cls, d: dict | None) -> "Audience":
        """Inverse of to_dict (tolerates None and missing keys)."""
        d = d or {}
        return cls(
            clusters=tuple(d.get("clusters", ())),
            tags=tuple(d.get("tags", ())),
            counties=tuple(d.get("counties", ())),
            thresholds=tuple(Threshold(**t) for t in d.get("thresholds", ())),
        )


@dataclass(frozen=True)
class Window:
    """An application window (申报时间 …至…); recurring windows repeat every year."""

    text: str
    start: dt.date | None = None
    end: dt.date | None = None
    recurring: bool = False
    always: bool = False  # 常年受理

    def span_for(self, today: dt.date) -> tuple[dt.date, dt.date] | None:
        """The concrete (start, end) relevant on `today` (this year's or next year's if recurring)."""
        if self.always or self.start is None or self.end is None:
            return None
        if not self.recurring:
            return self.start, self.end
        s, e = self.start.replace(year=today.year), self.end.replace(year=today.year)
        if e < s:
            e = e.replace(year=today.year + 1)
        if e < today:
            s, e = s.replace(year=s.year + 1), e.replace(year=e.year + 1)
        return s, e

    def is_open(self, today: dt.date) -> bool:
        """Whether applications are accepted on `today`."""
        if self.always:
            return True
        span = self.span_for(today)
        return bool(span and span[0] <= today <= span[1])

    def is_over(self, today: dt.date) -> bool:
        """Whether a one-off window has already closed."""
        return bool(not self.recurring and not self.always and self.end and self.end < today)

    def to_dict(self) -> dict:
        """Plain JSON-able form (dates as ISO strings)."""
        return {
            "text": self.text,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "recurring": self.recurring,
            "always": self.always,
        }

    @classmethod
    def from_dict(cls, d: dict | None) -> "Window | None":
        """Inverse of to_dict."""
        if not d:
            return None
        conv = lambda s: dt.date.fromisoformat(s) if s else None  # noqa: E731
        return cls(text=d.get("text", ""), start=conv(d.get("start")), end=conv(d.get("end")),
                   recurring=bool(d.get("recurring")), always=bool(d.get("always")))


@dataclass(frozen=True)
class Clause:
    """One answerable unit: an article (第三条) or a hierarchy leaf (一、（一）2.)."""

    doc: str  # document key (file name without extension)
    label: str  # as printed, parents in front: "第三条", "二、（一）"
    text: str  # the clause body without its own number
    title: str = ""  # short heading phrase of the clause itself, if any
    context: str = ""  # parent headings / chapter, for retrieval context
    audience: Audience = field(default_factory=Audience)


@dataclass
class PolicyDocument:
    """A parsed policy document with its structured record."""

    name: str  # key: file name without extension
    title: str
    clauses: list[Clause]
    issuer: str = ""  # issuing body, e.g. 济宁市人民政府办公室
    issued: dt.date | None = None
    issuer_line: str = ""  # the issuing line as printed
    audience: Audience = field(default_factory=Audience)
    window: Window | None = None
    style: str = "hierarchy"  # "articles" or "hierarchy"

    def record(self) -> dict:
        """The structured record of the document (JSON-able)."""
        return {
            "name": self.name,
            "title": self.title,
            "issuer": self.issuer,
            "issued": self.issued.isoformat() if self.issued else None,
            "style": self.style,
            "audience": self.audience.to_dict(),
            "window": self.window.to_dict() if self.window else None,
            "clauses": len(self.clauses),
        }


@dataclass(frozen=True)
class Hit:
    """A search result: one clause with its ranking score and confidence in [0, 1]."""

    doc: str
    clause: str
    text: str
    score: float
    confidence: float = 0.0
    title: str = ""  # document title

    @property
    def cite(self) -> str:
        """Citation as shown to users: 《title》label."""
        return f"《{self.title or self.doc}》{self.clause}"


@dataclass(frozen=True)
class Answer:
    """A direct answer: trimmed clause text with citation; sources[0] is the answering clause."""

    text: str
    sources: list[Hit]
    confident: bool = True

    @property
    def hit(self) -> Hit:
        """The answering clause."""
        return self.sources[0]

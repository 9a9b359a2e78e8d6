"""Policy storage: import documents (versions kept), the per-process index rebuilt from DB clauses,
eligibility of enterprises, new-document notices through the outbox, and question records."""
from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nlp.policy import (
    Audience, Clause, EnterpriseProfile, PolicyDocument, PolicyIndex, Window, match, parse_text, read_bytes,
)
from storage.models import CadreEnterprise, Enterprise, Role, User
from storage.models.policy import PolicyClause, PolicyDoc, PolicyQuestion
from storage.outbox import queue_notification
from storage.text_safety import clean_text

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = 500_000  # an 80-measure handbook is ~60,000 characters
MAX_CLAUSE_CHARS = 20_000
CLAUSE_BATCH = 200


@dataclass
class ImportResult:
    """What one import did."""

    doc: PolicyDoc
    replaced: PolicyDoc | None
    notified: int  # cadres told through the outbox
    unchanged: bool = False  # same title and same content as the current version: nothing stored
    already_told: int = 0  # qualifying cadres not told again (they already had this document's notice)


def _same_content(a: str, b: str) -> bool:
    """Texts equal line by line, ignoring blank lines and spaces around lines (a re-saved file)."""
    norm = lambda t: [ln.strip() for ln in t.replace("\u3000", " ").splitlines() if ln.strip()]  # noqa: E731
    return norm(a) == norm(b)


def notice_key(doc: PolicyDoc, user_id: int) -> str:
    """Outbox dedupe key of a new-document notice: the same title, audience and window tell a cadre
    only once, whatever the version; a changed audience or window is news again."""
    what = json.dumps([doc.title, doc.audience or {}, doc.window or {}], ensure_ascii=False, sort_keys=True)
    return f"po:doc:{hashlib.sha1(what.encode('utf-8')).hexdigest()[:16]}:{user_id}"


def parse_upload(data: bytes, file_name: str) -> tuple[str, PolicyDocument]:
    """Text and parsed document of an upload, or ValueError (Chinese) saying what is wrong with it."""
    text = clean_text(read_bytes(data, file_name))  # NUL and control characters never reach the database
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"文件文字超过 {MAX_TEXT_CHARS // 10000} 万字，请拆分后再导入。")
    try:
        parsed = parse_text(text, file_name.rsplit(".", 1)[0])
    except ValueError as exc:
        raise ValueError("文件没有文字内容。") from exc
    if not parsed.clauses:
        raise ValueError("没有识别到条款：请确认文件第一行是标题，正文按“第一条”或“一、（一）1.”编号。")
    longest = max(parsed.clauses, key=lambda c: len(c.text))
    if len(longest.text) > MAX_CLAUSE_CHARS:
        raise ValueError(f"条款“{longest.label[:20]}”超过 {MAX_CLAUSE_CHARS} 字，疑似编号识别有误，请检查文件格式。")
    return text, parsed


async def import_bytes(session: AsyncSession, data: bytes, file_name: str, *, user_id: int | None,
                       now: datetime, notify: bool = True) -> ImportResult:
    """Parse and store a document; a current document with the same title becomes an old version."""
    if len(data) > MAX_FILE_BYTES:
        raise ValueError("文件超过 2MB，请拆分后再导入。")
    # Parsing a handbook takes seconds of CPU: a worker thread keeps the event loop serving everyone else.
    text, parsed = await asyncio.to_thread(parse_upload, data, file_name)
    file_name = clean_text(file_name)
    old = await session.scalar(select(PolicyDoc).where(PolicyDoc.title == parsed.title[:300],
                                                       PolicyDoc.current.is_(True)))
    if old is not None and _same_content(old.source_text, text):
        return ImportResult(old, None, 0, unchanged=True)
    doc = PolicyDoc(
        title=parsed.title[:300], file_name=file_name[:255], issuer=parsed.issuer[:200] or None, issued=parsed.issued,
        issuer_line=parsed.issuer_line[:300] or None, style=parsed.style, audience=parsed.audience.to_dict(),
        window=parsed.window.to_dict() if parsed.window else None, source_text=text,
        version=(old.version + 1) if old else 1, current=True, imported_by_id=user_id, imported_at=now,
    )
    doc.clauses = []
    session.add(doc)
    await session.flush()
    # Building and flushing thousands of rows at once keeps the event loop busy for seconds: batches let others in.
    for start in range(0, len(parsed.clauses), CLAUSE_BATCH):
        doc.clauses.extend(PolicyClause(seq=i, label=c.label[:80], title=c.title[:200] or None, context=c.context or None,
                                        text=c.text, audience=c.audience.to_dict())
                           for i, c in enumerate(parsed.clauses[start:start + CLAUSE_BATCH], start))
        await session.flush()
        await asyncio.sleep(0)
    if old is not None:
        old.current = False
        old.replaced_by_id = doc.id
        await session.flush()
    notified, told = await notify_qualifying(session, doc, now) if notify else (0, 0)
    return ImportResult(doc, old, notified, already_told=told)


# ---------------------------------------------------------------- the per-process index
class _Cache:
    def __init__(self) -> None:
        self.signature: tuple | None = None
        self.index: PolicyIndex | None = None
        self.clause_ids: dict[tuple[str, str], int] = {}


_CACHE = _Cache()


def _to_nlp(doc: PolicyDoc) -> PolicyDocument:
    key = str(doc.id)
    clauses = [Clause(doc=key, label=c.label, text=c.text, title=c.title or "", context=c.context or "",
                      audience=Audience.from_dict(c.audience)) for c in doc.clauses]
    return PolicyDocument(name=key, title=doc.title, clauses=clauses, issuer=doc.issuer or "", issued=doc.issued,
                          issuer_line=doc.issuer_line or "", audience=Audience.from_dict(doc.audience),
                          window=Window.from_dict(doc.window), style=doc.style)


async def get_index(session: AsyncSession) -> tuple[PolicyIndex, dict[tuple[str, str], int]]:
    """The index of current documents; rebuilt when the DB changed (any process may have imported)."""
    row = (await session.execute(
        select(func.count(PolicyDoc.id), func.max(PolicyDoc.id), func.max(PolicyDoc.imported_at))
        .where(PolicyDoc.current.is_(True)))).one()
    # the database URL is part of the signature: one process may talk to several (tests do)
    signature = (str(session.bind.url), int(row[0] or 0), int(row[1] or 0), str(row[2]))
    if _CACHE.signature != signature or _CACHE.index is None:
        docs = list((await session.scalars(select(PolicyDoc).where(PolicyDoc.current.is_(True))
                                           .options(selectinload(PolicyDoc.clauses)).order_by(PolicyDoc.id))).all())
        # no await below: the swap is atomic for other coroutines of this process
        index = PolicyIndex(_to_nlp(d) for d in docs)
        _CACHE.clause_ids = {(str(d.id), c.label): c.id for d in docs for c in reversed(d.clauses)}
        _CACHE.index, _CACHE.signature = index, signature
    return _CACHE.index, _CACHE.clause_ids


def reset_cache() -> None:
    """Forget the index (tests switch databases)."""
    _CACHE.signature, _CACHE.index, _CACHE.clause_ids = None, None, {}


async def current_docs(session: AsyncSession) -> list[PolicyDoc]:
    """Current document versions, newest first."""
    return list((await session.scalars(select(PolicyDoc).where(PolicyDoc.current.is_(True))
                                       .order_by(PolicyDoc.imported_at.desc(), PolicyDoc.id.desc()))).all())


# ---------------------------------------------------------------- who may qualify
def profile_of(ent: Enterprise) -> EnterpriseProfile:
    """The matching profile of an enterprise from its file."""
    return EnterpriseProfile(name=ent.name, tags=set(ent.tags or []), cluster=ent.cluster,
                             county=ent.county.name if ent.county else None, revenue_wan=ent.revenue_wan)


def eligibility(doc: PolicyDoc, ent: Enterprise):
    """nlp.policy.Eligibility of one enterprise for one document."""
    return match(Audience.from_dict(doc.audience), profile_of(ent))


async def notify_qualifying(session: AsyncSession, doc: PolicyDoc, now: datetime) -> tuple[int, int]:
    """Tell the cadres of enterprises that may qualify for a newly imported document (one notice each);
    returns (cadres told now, cadres skipped because they already had the same notice)."""
    window = Window.from_dict(doc.window)
    if window is not None and window.is_over(now.date()):
        return 0, 0  # a one-off window already closed: nothing to apply for, no notice
    rows = (await session.execute(
        select(User, Enterprise).join(CadreEnterprise, CadreEnterprise.user_id == User.id)
        .join(Enterprise, Enterprise.id == CadreEnterprise.enterprise_id)
        .where(User.role == Role.CADRE, User.active.is_(True)).order_by(User.id, Enterprise.id))).unique().all()
    per_cadre: dict[int, list[tuple[Enterprise, object]]] = {}
    for user, ent in rows:
        el = eligibility(doc, ent)
        if el.qualifies:
            per_cadre.setdefault(user.id, []).append((ent, el))
    what = "更新" if doc.version > 1 else "新增"
    told = skipped = 0
    for user_id, ents in per_cadre.items():
        lines = [f"📢 惠企政策汇编{what}：《{doc.title}》"]
        for ent, el in ents[:5]:
            extra = f"（尚需：{'；'.join(el.unmet)}）" if el.unmet else ""
            lines.append(f"· {ent.name} 可能符合{extra}")
        if len(ents) > 5:
            lines.append(f"· 另有 {len(ents) - 5} 家企业")
        if window:
            lines.append(f"申报时间：{window_text(window, now.date())}")
        lines.append("发送 /policies 查看贵企业可能符合的全部政策。")
        if await queue_notification(session, user_id, "\n".join(lines), None, key=notice_key(doc, user_id),
                                    kind="notify", now=now):
            told += 1
        else:
            skipped += 1
    return told, skipped


def window_text(w: Window, today) -> str:
    """Human wording of an application window relative to today."""
    if w.always:
        return "常年受理"
    span = w.span_for(today)
    if span is None:
        return w.text
    s, e = span
    when = (f"每年{s.month}月{s.day}日至{e.month}月{e.day}日" if w.recurring
            else f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日")
    if s <= today <= e:
        state = f"正在受理，{e.month}月{e.day}日截止"
    elif today < s:
        state = "尚未开始"
    else:
        state = "已截止"
    return f"{when}（{state}）"


# ---------------------------------------------------------------- statistics
async def record_question(session: AsyncSession, user_id: int | None, question: str, outcome: str,
                          clause_id: int | None, confidence: float | None, now: datetime) -> PolicyQuestion:
    """Keep a policy question and whether the handbook answered it."""
    q = PolicyQuestion(user_id=user_id, question=question[:2000], outcome=outcome, answered=outcome == "answer",
                       clause_id=clause_id, confidence=confidence, asked_at=now)
    session.add(q)
    await session.flush()
    return q


async def question_stats(session: AsyncSession, since: datetime | None = None) -> dict:
    """Counts of policy questions: asked, answered, related only, not covered, turned into appeals."""
    stmt = select(PolicyQuestion.outcome, func.count(PolicyQuestion.id), func.count(PolicyQuestion.appeal_id))
    if since is not None:
        stmt = stmt.where(PolicyQuestion.asked_at >= since)
    out = {"asked": 0, "answer": 0, "related": 0, "none": 0, "appeals": 0}
    for outcome, n, appeals in (await session.execute(stmt.group_by(PolicyQuestion.outcome))).all():
        out[outcome] = out.get(outcome, 0) + n
        out["asked"] += n
        out["appeals"] += appeals
    return out

"""The per-process matcher, rebuilt from open posts in the database and kept in step with it.

The database is the truth. Each process keeps one nlp.matching.Matcher per database; the first
use loads every open post, later uses apply the posts changed since (by updated_at), so a second
worker's posts arrive too. Open posts past their expiry are marked expired here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from nlp.matching import Matcher
from storage.models.supply import MatchStatus, PostStatus, SupplyMatch, SupplyPost

from ..context import Context


@dataclass
class _State:
    matcher: Matcher = field(default_factory=Matcher)
    mark: datetime | None = None  # newest updated_at applied


_STATES: dict[str, _State] = {}


def _db_key(ctx: Context) -> str:
    bind = ctx.session.bind
    return bind.url.render_as_string(hide_password=True) if bind is not None else "default"


def is_live(post: SupplyPost | None, now: datetime) -> bool:
    """An open post that has not expired yet."""
    return (post is not None and post.status == PostStatus.OPEN
            and (post.expires_at is None or post.expires_at > now))


async def expire_due(ctx: Context) -> int:
    """Mark open posts past their expiry as expired; returns how many."""
    rows = (await ctx.session.scalars(select(SupplyPost).where(
        SupplyPost.status == PostStatus.OPEN, SupplyPost.expires_at <= ctx.now))).all()
    for post in rows:
        post.status = PostStatus.EXPIRED
        post.closed_at = post.updated_at = ctx.now
        await void_pending_matches(ctx, post)
    if rows:
        await ctx.session.flush()
    return len(rows)


async def void_pending_matches(ctx: Context, post: SupplyPost) -> int:
    """Matches of a closed post that nobody has agreed to yet become 已失效; returns how many."""
    rows = (await ctx.session.scalars(select(SupplyMatch).where(
        (SupplyMatch.supply_post_id == post.id) | (SupplyMatch.demand_post_id == post.id),
        SupplyMatch.status == MatchStatus.PROPOSED))).all()
    for match in rows:
        match.status = MatchStatus.VOID
        match.updated_at = ctx.now
    return len(rows)



async def matcher_for(ctx: Context) -> Matcher:
    """This process's matcher for ctx's database, caught up with the database."""
    await expire_due(ctx)
    key = _db_key(ctx)
    state = _STATES.get(key)
    if state is None:
        state = _State()
        stmt = select(SupplyPost).where(SupplyPost.status == PostStatus.OPEN)
    else:
        stmt = select(SupplyPost).where(SupplyPost.updated_at >= state.mark) if state.mark else \
            select(SupplyPost).where(SupplyPost.status == PostStatus.OPEN)
    for post in (await ctx.session.scalars(stmt.order_by(SupplyPost.id))).all():
        sync_post(state.matcher, post, ctx.now)
        if state.mark is None or post.updated_at > state.mark:
            state.mark = post.updated_at
    _STATES[key] = state
    return state.matcher


def sync_post(matcher: Matcher, post: SupplyPost, now: datetime) -> None:
    """Put a post into the matcher if it is live, take it out otherwise."""
    if is_live(post, now):
        matcher.add(post.id, post.kind, post.text)
    else:
        matcher.remove(post.id)


def forget_all() -> None:
    """Drop every in-memory matcher (tests; the next use rebuilds from the database)."""
    _STATES.clear()

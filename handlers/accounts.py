"""Users behind platform accounts: resolving an update's sender, binding an account by invite."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PlatformAccount, User, utcnow

from .types import Incoming

CONSOLE = "console"  # the console's user id is users.id itself
PLATFORM_NAMES = {"telegram": "Telegram", "wecom": "企业微信", "console": "控制台"}
# Notifications go to the account a user bound or used last; refreshing that mark once in a while
# keeps the write off most updates.
ACTIVE_MARK_EVERY = timedelta(hours=6)


async def resolve_user(session: AsyncSession, inc: Incoming) -> User | None:
    """The active user behind (inc.platform, inc.user_id), or None for an unknown account."""
    if inc.platform == CONSOLE:
        user = await session.get(User, int(inc.user_id))
    else:
        row = (await session.execute(
            select(User, PlatformAccount).join(PlatformAccount, PlatformAccount.user_id == User.id)
            .where(PlatformAccount.platform == inc.platform, PlatformAccount.external_id == str(inc.user_id)))).first()
        user = row[0] if row else None
        if row is not None and utcnow() - row[1].bound_at > ACTIVE_MARK_EVERY:
            row[1].bound_at = utcnow()  # the platform they use now is where their notifications go
    if user is not None and not user.active:
        return None
    return user


async def account_of(session: AsyncSession, user_id: int, platform: str) -> PlatformAccount | None:
    """The user's latest bound account on one platform."""
    return await session.scalar(select(PlatformAccount).where(
        PlatformAccount.user_id == user_id, PlatformAccount.platform == platform).order_by(PlatformAccount.id.desc()))


async def has_accounts(session: AsyncSession, user_id: int) -> bool:
    """True when the user is bound on any platform."""
    return await session.scalar(select(PlatformAccount.id).where(PlatformAccount.user_id == user_id).limit(1)) is not None


def unbound_users():
    """A condition: users with no platform account yet."""
    return ~select(PlatformAccount.id).where(PlatformAccount.user_id == User.id).exists()


async def contact_handles(session: AsyncSession, user_id: int) -> list[str]:
    """Public handles of a user ('<platform name> @handle'), for contact lines."""
    rows = await session.scalars(select(PlatformAccount).where(
        PlatformAccount.user_id == user_id, PlatformAccount.username.is_not(None)).order_by(PlatformAccount.id))
    return [f"{PLATFORM_NAMES.get(a.platform, a.platform)} @{a.username}" for a in rows]

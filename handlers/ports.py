"""What the core asks of the running channels: file downloads, invite links, identity lookup.

Adapters (bot/) provide these; handlers only see the protocols, so no handler knows a platform.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User

from .types import Incoming

FileFetcher = Callable[[str], Awaitable[bytes]]  # a platform file id -> its bytes
InviteLink = Callable[[str], "str | None"]  # an invite code -> a line telling how to use it there


class IdentityResolver(Protocol):
    """Finds the enrolled user behind an update's (platform, user id)."""

    async def __call__(self, session: AsyncSession, inc: Incoming) -> User | None: ...


@dataclass(frozen=True)
class Ports:
    """The channel-provided services one Dispatcher uses (per instance, never module-global)."""

    files: Mapping[str, FileFetcher] = field(default_factory=dict)  # by platform
    invite_links: Sequence[InviteLink] = ()
    resolver: IdentityResolver | None = None  # None: handlers.accounts.resolve_user

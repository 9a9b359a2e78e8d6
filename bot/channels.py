"""Which channels a deployment has configured, and the ports that follow from the settings alone."""
from __future__ import annotations

from handlers.ports import InviteLink

from .telegram_common import invite_link


def configured_invite_links(settings) -> tuple[InviteLink, ...]:
    """Invite lines for every configured channel, read from the settings when an invite is made."""
    return (invite_link(lambda: settings.bot_username),)

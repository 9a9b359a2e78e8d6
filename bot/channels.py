"""Which channels a deployment has configured, and the ports that follow from the settings alone."""
from __future__ import annotations

from handlers.ports import InviteLink

from .telegram_common import invite_link


def wecom_invite_line(settings) -> InviteLink:
    """WeCom has no deep link into a self-built app: the member sends /start <code> in the app."""

    def line(code: str) -> str | None:
        if not settings.wecom_corp_id and settings.channel != "wecom":
            return None
        return f"企业微信：在工作台打开“攀登助手”应用，发送 /start {code}"

    return line


def configured_invite_links(settings) -> tuple[InviteLink, ...]:
    """Invite lines for every configured channel, read from the settings when an invite is made."""
    return (invite_link(lambda: settings.bot_username), wecom_invite_line(settings))

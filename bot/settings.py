"""Runtime settings, read from PANDENG_* environment variables and an optional .env file."""
from __future__ import annotations

from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./pandeng.db"


class Settings(BaseSettings):
    """Every knob of the bot; names map to PANDENG_<NAME> environment variables."""

    model_config = SettingsConfigDict(env_prefix="PANDENG_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    bot_token: SecretStr | None = None
    # Server root of the Bot API; a self-hosted server or a mirror is common from China.
    telegram_api_base: str = "https://api.telegram.org"
    proxy: str | None = None
    framework: Literal["aiogram", "ptb"] = "aiogram"
    timezone: str = "Asia/Shanghai"
    bot_username: str | None = None

    # Which channel `pandeng run` starts: Telegram, or a 企业微信 / 政务微信 self-built app.
    channel: Literal["telegram", "wecom"] = "telegram"
    wecom_corp_id: str | None = None  # 企业ID (CorpID)
    wecom_agent_id: int | None = None  # the app's AgentId
    wecom_secret: SecretStr | None = None  # the app's Secret
    wecom_token: SecretStr | None = None  # 接收消息 Token
    wecom_aes_key: SecretStr | None = None  # 接收消息 EncodingAESKey (43 characters)
    # Server root of the WeCom API; a private 政务微信 deployment has its own.
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wecom_rate_wait_s: float = 1.0  # wait after errcode 45009 before the same message is tried again

    # Outbox sender pacing (seconds): idle poll and the first retry delay (doubling after).
    outbox_idle_s: float = 1.0
    outbox_backoff_base_s: float = 2.0

    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    # A notification whose send keeps failing (5xx, network, timeout) is retried this long, then `failed`.
    outbox_give_up_hours: float = 72.0

    # Logs: level (DEBUG INFO WARNING) and JSON lines instead of plain lines; secrets are always redacted.
    log_level: str = "WARNING"
    log_json: bool = False

    # Appeal deadlines, in working days of the official calendar.
    deadline_days_a: int = 5
    deadline_days_b: int = 15
    deadline_days_consult: int = 30
    # Ask the unit for a stage reply after this many working days without an update.
    stage_reply_after_days: int = 5
    # Reminders and the weekly dispatch go out at this local hour on working days.
    reminder_hour: int = 9

    # `pandeng demo` / `console --demo` add six months of fictional appeals, posts and deals (off: the
    # directory alone, appeal numbers start at #1 — what the console walk-through tests expect).
    demo_history: bool = True

    # Power-use monitoring (日监测): a working day this far below the enterprise's baseline is a sharp drop,
    # `power_decline_days` working days in a row this far below a decline, this fraction of it a stop.
    power_drop: float = 0.30
    power_decline: float = 0.15
    power_decline_days: int = 3
    power_stop: float = 0.10
    # Working days of history needed before an enterprise is judged, and days in its baseline.
    power_min_history: int = 10
    power_baseline_days: int = 20
    # Working days after a week-long holiday (春节, 国庆) that are not judged (plants ramp up again).
    power_restart_days: int = 5
    # ... and working days before a week-long holiday (春节, 国庆: workers leave early).
    power_wind_down_days: int = 2

    @property
    def tz(self) -> ZoneInfo:
        """The configured time zone as a tzinfo."""
        return ZoneInfo(self.timezone)

    def masked(self) -> dict[str, str]:
        """Effective settings with secrets and passwords masked, for `pandeng config`."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown = "******" if value.get_secret_value() else "(未设置)"
            elif value is None:
                shown = "(未设置)"
            elif name == "database_url":
                shown = make_url(value).render_as_string(hide_password=True)
            elif name == "proxy":
                shown = _mask_proxy(value)
            else:
                shown = str(value)
            out[f"PANDENG_{name.upper()}"] = shown
        return out


def _mask_proxy(url: str) -> str:
    """Hide a password in a proxy URL such as socks5://user:pass@host:1080."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:******@{host}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached)."""
    return Settings()

"""Secrets and contact data never reach a log line, at any level, in any logger, plain or JSON."""
from __future__ import annotations

import json
import logging

import httpx
import pytest

from bot import logsetup

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
SECRET = "webhook-secret-Zq81"


@pytest.fixture
def logs(capsys):
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    logsetup._literal_secrets.clear()

    def read() -> str:
        return capsys.readouterr().err

    yield read
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def _httpx_call() -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"ok": True}))) as client:
        client.post(f"https://api.telegram.org/bot{TOKEN}/sendMessage", json={"chat_id": 1, "text": "x"})


@pytest.mark.parametrize("json_lines", [False, True])
def test_tokens_and_secrets_redacted_everywhere(logs, json_lines):
    logsetup.configure(logging.DEBUG, json_lines=json_lines, secrets=(TOKEN, SECRET))
    _httpx_call()  # httpx logs the request URL, token included, at INFO
    logging.getLogger("telegram.ext.Updater").debug("Calling setWebhook with {'url': 'https://x/tg', 'secret_token': '%s'}", SECRET)
    logging.getLogger("aiogram").info("headers X-Telegram-Bot-Api-Secret-Token: %s", SECRET)
    logging.getLogger("wecom").warning("GET https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=Sx9_kkd0q&x=1")
    logging.getLogger("db").error("connect postgresql+asyncpg://pandeng:pa55word@db/pandeng failed")
    try:
        raise RuntimeError(f"boom with https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        logging.getLogger("bot.runner").exception("update failed for 联系电话 13912345678, 0537-2345678, boss@firm.cn")
    out = logs()
    assert "HTTP Request" in out and "sendMessage" in out and "bot<redacted>/sendMessage" in out
    for leak in (TOKEN, SECRET, "AAHdqTcv", "Sx9_kkd0q", "pa55word", "13912345678", "2345678", "boss@firm.cn"):
        assert leak not in out, leak
    assert "139****5678" in out
    if json_lines:
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        assert lines and all({"ts", "level", "logger", "msg"} <= set(x) for x in lines)
        assert any("exc" in x and "RuntimeError" in x["exc"] for x in lines)


def test_env_secrets_are_redacted(logs, monkeypatch):
    monkeypatch.setenv("PANDENG_WECOM_SECRET", "wecom-very-secret-1")
    logsetup.configure(logging.INFO)
    logging.getLogger("x").info("value is wecom-very-secret-1")
    assert "wecom-very-secret-1" not in logs()


def test_unknown_tokens_are_caught_by_shape(logs):
    logsetup.configure(logging.INFO)  # no secrets registered: the token's shape is enough
    _httpx_call()
    out = logs()
    assert "bot<bot-token>/sendMessage" in out and TOKEN not in out

"""Unit-level checks of the Telegram area: update translation, reply planning, proxy and API base."""
from __future__ import annotations

import asyncio

import pytest

from bot.runner import make_adapter
from bot.settings import Settings
from bot.telegram_common import (Action, callback_to_incoming, keyboard_rows, message_to_incoming, plan)
from bot.webhook import webhook_path
from handlers.types import Button, Incoming, OutFile, Reply
from tests.fakebot import FakeBotServer
from tests.fakebot.harness import fake  # noqa: F401

BOT_ID = 7000001
MESSAGE = {"message_id": 5, "date": 1, "chat": {"id": -100123, "type": "supergroup", "title": "助企小组"},
           "from": {"id": 42, "is_bot": False, "first_name": "伟", "last_name": "张", "username": "zw"},
           "caption": "现场照片", "photo": [{"file_id": "small", "file_unique_id": "s", "width": 1, "height": 1},
                                         {"file_id": "big", "file_unique_id": "b", "width": 9, "height": 9,
                                          "file_size": 99}]}
CALLBACK = {"id": "77", "from": {"id": 42, "is_bot": False, "first_name": "伟"}, "chat_instance": "1",
            "data": "ap:sign:12", "message": {"message_id": 9, "date": 1, "chat": {"id": 42, "type": "private",
                                                                                 "first_name": "伟"}}}
ADDED = {"message_id": 6, "date": 1, "chat": {"id": -5, "type": "group", "title": "群"},
         "from": {"id": 42, "is_bot": False, "first_name": "伟"},
         "new_chat_members": [{"id": BOT_ID, "is_bot": True, "first_name": "攀登助手"}]}


def parsed(framework: str, kind: str, data: dict):
    """The same Bot API JSON parsed by aiogram or by PTB."""
    if framework == "aiogram":
        from aiogram.types import CallbackQuery, Message

        return (Message if kind == "message" else CallbackQuery).model_validate(data)
    from telegram import CallbackQuery, Message

    return (Message if kind == "message" else CallbackQuery).de_json(data, None)


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
def test_updates_become_the_same_incoming_on_both_frameworks(framework):
    inc = message_to_incoming(11, parsed(framework, "message", MESSAGE), BOT_ID)
    assert (inc.platform, inc.user_id, inc.chat_id, inc.chat_type, inc.text) == ("telegram", 42, -100123, "supergroup", "现场照片")
    assert inc.user_name == "伟 张" and inc.username == "zw" and inc.chat_title == "助企小组" and inc.update_id == 11
    assert [(a.kind, a.file_id, a.size) for a in inc.attachments] == [("photo", "big", 99)]
    press = callback_to_incoming(12, parsed(framework, "callback", CALLBACK))
    assert (press.callback_data, press.callback_id, press.message_id, press.chat_id) == ("ap:sign:12", "77", 9, 42)
    added = message_to_incoming(13, parsed(framework, "message", ADDED), BOT_ID)
    assert added.event == "bot_added" and added.chat_type == "group"
    forged = callback_to_incoming(14, parsed(framework, "callback", dict(CALLBACK, data="x" * 65)))
    assert forged.callback_data == "invalid"  # over 64 bytes can only be forged


def test_plan_answers_presses_edits_splits_and_attaches():
    press = Incoming(platform="telegram", user_id=1, chat_id=1, callback_data="ap:x:1", callback_id="c1", message_id=3)
    acts = plan(press, [Reply("无权操作", toast=True), Reply("已更新", edit=True, buttons=[[Button("查看", data="ap:v:1")]])])
    assert [a.kind for a in acts] == ["answer", "edit"] and acts[0].text == "无权操作"
    assert acts[1].message_id == 3 and acts[1].keyboard == [[{"text": "查看", "data": "ap:v:1"}]]
    assert [a.kind for a in acts[1].fallback] == ["text"]  # if the message can no longer be edited
    text = Incoming(platform="telegram", user_id=1, chat_id=1, text="x")
    long = "一二三四五六七八九十\n" * 900
    acts = plan(text, [Reply(long, buttons=[[Button("好", data="a:b")]]), Reply("通知", chat_id=99),
                       Reply("台账", document=OutFile("台账.xlsx", b"PK"))])
    texts = [a for a in acts if a.kind == "text" and a.chat_id == 1]
    assert len(texts) == 3 and all(len(a.text) <= 4096 for a in texts)
    assert texts[-1].keyboard and not texts[0].keyboard
    assert any(a.chat_id == 99 for a in acts) and acts[-1].kind == "document" and acts[-1].text == "台账"
    # a press without a toast is still answered (no endless spinner)
    assert [a.kind for a in plan(press, [])] == ["answer"]
    with pytest.raises(AssertionError):
        keyboard_rows([[{"text": "x", "data": "汉" * 22}]])
    assert isinstance(acts[0], Action)


def test_webhook_path_and_settings_reach_both_frameworks():
    assert webhook_path("https://bot.example.cn/tg/hook?x=1") == "/tg/hook"
    s = Settings(_env_file=None, bot_token="1:x", telegram_api_base="https://tg.example.cn/",
                 proxy="socks5://u:p@127.0.0.1:1080")

    async def noop(_inc) -> None:
        return None

    a = make_adapter("aiogram", s, noop)
    assert a.bot.session.proxy == s.proxy and a.bot.session.api.base.startswith("https://tg.example.cn/bot")
    p = make_adapter("ptb", s, noop)
    assert p.app.bot.base_url == "https://tg.example.cn/bot1:x"
    assert all(r._client_kwargs.get("proxy") == s.proxy for r in p.app.bot._request)  # polling and calls


class TinyProxy:
    """An HTTP proxy (CONNECT tunnels and absolute-form forwarding) that counts its clients."""

    def __init__(self) -> None:
        self.connections = 0
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _client(self, reader, writer) -> None:
        self.connections += 1
        head = await reader.readuntil(b"\r\n\r\n")
        method, target, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
        if method == b"CONNECT":
            host, port = target.decode().rsplit(":", 1)
            up_r, up_w = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
        else:  # http://host:port/path: the origin server accepts the absolute form as is
            hostport = target.decode().split("/")[2]
            host, port = hostport.rsplit(":", 1)
            up_r, up_w = await asyncio.open_connection(host, int(port))
            up_w.write(head)

        async def pipe(r, w):
            try:
                while data := await r.read(65536):
                    w.write(data)
                    await w.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                w.close()

        await asyncio.gather(pipe(reader, up_w), pipe(up_r, writer))

    async def stop(self) -> None:
        self.server.close()


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_proxy_setting_carries_the_traffic(framework, fake):
    proxy = TinyProxy()
    port = await proxy.start()
    s = Settings(_env_file=None, bot_token=fake.token, telegram_api_base=fake.base_url,
                 proxy=f"http://127.0.0.1:{port}")
    fake.add_user(5)

    async def noop(_inc) -> None:
        return None

    adapter = make_adapter(framework, s, noop)
    try:
        assert await adapter.start() == "pandeng_test_bot"
        await adapter.transport.send_text(5, "经代理发送", None)
    finally:
        await adapter.close()
        await proxy.stop()
    assert proxy.connections >= 1 and fake.texts(5) == ["经代理发送"]


def test_other_fake_server_ids_start_where_asked():
    server = FakeBotServer(first_update_id=500)
    assert server.text_update(1, "hi")["update_id"] == 500


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_files_go_out_as_uploads_on_both_frameworks(framework, fake):
    from bot.telegram_common import execute

    fake.add_user(6)
    s = Settings(_env_file=None, bot_token=fake.token, telegram_api_base=fake.base_url, proxy=None)

    async def noop(_inc) -> None:
        return None

    adapter = make_adapter(framework, s, noop)
    await adapter.start()
    try:
        inc = Incoming(platform="telegram", user_id=6, chat_id=6, text="/export")
        done = await execute(adapter.transport, plan(inc, [
            Reply("诉求台账", document=OutFile("诉求台账.xlsx", b"PK\x03\x04" + b"x" * 3000)),
            Reply("", photo=OutFile("chart.png", b"\x89PNG" + b"y" * 500))]))
    finally:
        await adapter.close()
    doc, photo = fake.sent(6)
    assert done == 2 and doc.caption == "诉求台账" and doc.document.file_name == "诉求台账.xlsx"
    assert doc.document.data.startswith(b"PK\x03\x04") and len(doc.document.data) == 3004
    assert photo.photo.data == b"\x89PNG" + b"y" * 500

"""Checks of the fake Bot API server itself: raw HTTP, and real aiogram / PTB echo bots."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from aiohttp import web

from tests.fakebot import DEFAULT_TOKEN, FakeBotServer

USER = 501


@pytest.fixture
async def fake():
    """A started fake server with one known user."""
    server = await FakeBotServer().start()
    server.add_user(USER, "王干部")
    yield server
    await server.stop()


async def api(session: aiohttp.ClientSession, fake: FakeBotServer, method: str,
              form: dict | aiohttp.FormData | None = None, as_json: dict | None = None):
    """Call the fake with a form or JSON body; returns (status, decoded body)."""
    url = f"{fake.base_url}/bot{fake.token}/{method}"
    kwargs = {"json": as_json} if as_json is not None else {"data": form or {}}
    async with session.post(url, **kwargs) as resp:
        return resp.status, await resp.json()


async def test_raw_basics(fake):
    async with aiohttp.ClientSession() as s:
        status, body = await api(s, fake, "getMe")
        assert status == 200 and body["result"]["id"] == 7000001 and body["result"]["is_bot"]
        status, body = await api(s, fake, "noSuchMethod")
        assert status == 404 and body == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with s.post(f"{fake.base_url}/bot1:wrong/getMe") as resp:
            assert resp.status == 401
        status, body = await api(s, fake, "sendMessage", {"chat_id": "999", "text": "hi"})
        assert status == 400 and "chat not found" in body["description"]
        markup = {"inline_keyboard": [[{"text": "是", "callback_data": "a:1"}]]}
        status, body = await api(s, fake, "sendMessage",
                                 as_json={"chat_id": USER, "text": "123", "reply_markup": markup})
        assert status == 200 and body["result"]["text"] == "123"
        status, body = await api(s, fake, "sendMessage", {"chat_id": str(USER), "text": "456",
                                                          "reply_markup": json.dumps(markup)})
        assert body["result"]["text"] == "456" and body["result"]["reply_markup"] == markup
        too_long = {"inline_keyboard": [[{"text": "x", "callback_data": "汉" * 22}]]}
        status, body = await api(s, fake, "sendMessage", as_json={
            "chat_id": USER, "text": "x", "reply_markup": too_long})
        assert status == 400 and "BUTTON_DATA_INVALID" in body["description"]
        status, body = await api(s, fake, "sendMessage", as_json={"chat_id": USER, "text": "x" * 4097})
        assert status == 400 and "too long" in body["description"]
        mid = fake.last(USER).message_id
        status, body = await api(s, fake, "editMessageText", as_json={
            "chat_id": USER, "message_id": mid, "text": "改了"})
        assert status == 200 and fake.last(USER).text == "改了" and fake.last(USER).edits
        status, body = await api(s, fake, "editMessageText", as_json={
            "chat_id": USER, "message_id": mid, "text": "改了"})
        assert status == 400 and "not modified" in body["description"]
        status, body = await api(s, fake, "editMessageReplyMarkup", as_json={
            "chat_id": USER, "message_id": mid, "reply_markup": {"inline_keyboard": []}})
        assert status == 200
        assert fake.texts(USER) == ["123", "改了"]
        assert [c.method for c in fake.calls()][:2] == ["getMe", "noSuchMethod"]
        assert all(c.ts <= time.time() for c in fake.calls())


async def test_get_updates_offsets_and_long_polling(fake):
    async with aiohttp.ClientSession() as s:
        first = await fake.send_text(USER, "/start abc")
        await fake.send_text(USER, "你好")
        _, body = await api(s, fake, "getUpdates", {"timeout": "0"})
        ups = body["result"]
        assert [u["message"]["text"] for u in ups] == ["/start abc", "你好"]
        assert ups[0]["message"]["entities"][0] == {"type": "bot_command", "offset": 0, "length": 6}
        # not confirmed yet: delivered again
        _, body = await api(s, fake, "getUpdates", {"offset": str(first["update_id"])})
        assert len(body["result"]) == 2
        _, body = await api(s, fake, "getUpdates", {"offset": str(ups[-1]["update_id"] + 1)})
        assert body["result"] == [] and fake.pending_updates() == 0
        # long poll returns early when an update arrives
        loop = asyncio.get_running_loop()
        started = loop.time()
        poll = asyncio.create_task(api(s, fake, "getUpdates", {"timeout": "5"}))
        await asyncio.sleep(0.2)
        await fake.send_text(USER, "来了")
        _, body = await poll
        assert body["result"][0]["message"]["text"] == "来了"
        assert loop.time() - started < 2
        # an empty long poll waits for its timeout
        started = loop.time()
        _, body = await api(s, fake, "getUpdates", {
            "timeout": "1", "offset": str(body["result"][0]["update_id"] + 1)})
        assert body["result"] == [] and 0.9 <= loop.time() - started < 2
        # allowed_updates filters (and drops) other kinds
        msg = fake.sent(USER)
        await api(s, fake, "sendMessage", as_json={"chat_id": USER, "text": "按钮", "reply_markup": {
            "inline_keyboard": [[{"text": "确认", "callback_data": "ok"}]]}})
        cq = await fake.press_button(USER, "确认")
        await fake.send_text(USER, "text")
        _, body = await api(s, fake, "getUpdates",
                            as_json={"allowed_updates": ["callback_query"], "timeout": 0})
        assert [u["callback_query"]["data"] for u in body["result"]] == ["ok"]
        assert msg == []
        status, body = await api(s, fake, "answerCallbackQuery", {"callback_query_id": cq,
                                                                  "text": "好的"})
        assert status == 200 and fake.callback_answer(cq)["text"] == "好的"
        status, _ = await api(s, fake, "answerCallbackQuery", {"callback_query_id": cq})
        assert status == 400


async def test_files_commands_webhook_and_faults(fake):
    async with aiohttp.ClientSession() as s:
        form = aiohttp.FormData()
        form.add_field("chat_id", str(USER))
        form.add_field("caption", "图")
        form.add_field("photo", b"\x89PNGdata", filename="a.png", content_type="image/png")
        status, body = await api(s, fake, "sendPhoto", form)
        assert status == 200
        fid = body["result"]["photo"][-1]["file_id"]
        form = aiohttp.FormData()
        form.add_field("chat_id", str(USER))
        form.add_field("document", "attach://xyz")
        form.add_field("xyz", b"%PDF-1", filename="台账.pdf")
        status, body = await api(s, fake, "sendDocument", form)
        assert body["result"]["document"]["file_name"] == "台账.pdf"
        _, body = await api(s, fake, "getFile", {"file_id": fid})
        async with s.get(f"{fake.base_url}/file/bot{fake.token}/{body['result']['file_path']}") as r:
            assert await r.read() == b"\x89PNGdata"
        cmds = [{"command": "start", "description": "开始"}]
        await api(s, fake, "setMyCommands", as_json={"commands": cmds})
        _, body = await api(s, fake, "getMyCommands")
        assert body["result"] == cmds
        # faults: 429 with retry_after, 500, 403 for one chat only
        fake.fail("sendMessage", "429", times=1, retry_after=3)
        fake.fail("sendMessage", "500", times=1)
        status, body = await api(s, fake, "sendMessage", {"chat_id": str(USER), "text": "a"})
        assert status == 429 and body["parameters"] == {"retry_after": 3}
        status, _ = await api(s, fake, "sendMessage", {"chat_id": str(USER), "text": "a"})
        assert status == 500
        fake.fail("sendMessage", "403", times=1, chat_id=USER)
        status, body = await api(s, fake, "sendMessage", {"chat_id": str(USER), "text": "a"})
        assert status == 403 and body["description"] == "Forbidden: bot was blocked by the user"
        status, _ = await api(s, fake, "sendMessage", {"chat_id": str(USER), "text": "a"})
        assert status == 200
        assert [c.status for c in fake.calls("sendMessage")] == [429, 500, 403, 200]
        # webhook: getUpdates conflicts, updates are pushed with the secret header
        got: list[tuple[str | None, dict]] = []

        async def receive(request):
            got.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                        await request.json()))
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/hook", receive)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"
        try:
            await api(s, fake, "setWebhook", {"url": url, "secret_token": "s3cret"})
            _, body = await api(s, fake, "getWebhookInfo")
            assert body["result"]["url"] == url
            status, _ = await api(s, fake, "getUpdates")
            assert status == 409
            await fake.send_text(USER, "推送")
            await fake.wait_for(lambda: got, 3, "webhook push")
            assert got[0][0] == "s3cret" and got[0][1]["message"]["text"] == "推送"
            status, _ = await fake.post_webhook(fake.text_update(USER, "无密"), secret=None)
            assert status == 200 and got[-1][0] is None
            await api(s, fake, "deleteWebhook")
            assert fake.webhook["url"] == ""
        finally:
            await runner.cleanup()
        with pytest.raises(TimeoutError):
            await fake.wait_messages(777, 1, timeout=0.2)


async def test_aiogram_echo(fake):
    from aiogram import Bot, Dispatcher, F
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    bot = Bot(DEFAULT_TOKEN, session=session)
    dp = Dispatcher()

    @dp.message(F.photo)
    async def photo(message: Message, bot: Bot) -> None:
        data = await bot.download(message.photo[-1].file_id)
        await message.answer(f"照片{len(data.read())}字节")

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"回声：{message.text}")

    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        await fake.send_text(USER, "你好")
        await fake.send_photo(USER, b"x" * 1234)
        msgs = await fake.wait_messages(USER, 2)
        assert sorted(m.text for m in msgs) == ["回声：你好", "照片1234字节"]
        assert fake.calls("getMe")
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(task, 5)


async def test_ptb_echo(fake):
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    app = (ApplicationBuilder().token(DEFAULT_TOKEN).base_url(fake.ptb_base_url)
           .base_file_url(fake.ptb_base_file_url).build())

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"回声：{update.effective_message.text}")

    async def doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        f = await update.effective_message.document.get_file()
        data = await f.download_as_bytearray()
        await update.effective_message.reply_text(f"文件{len(data)}字节")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(MessageHandler(filters.Document.ALL, doc))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await fake.send_text(USER, "你好")
            await fake.send_document(USER, b"y" * 321, "申报.xlsx")
            msgs = await fake.wait_messages(USER, 2)
            assert sorted(m.text for m in msgs) == ["回声：你好", "文件321字节"]
        finally:
            await app.updater.stop()
            await app.stop()

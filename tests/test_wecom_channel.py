"""The WeCom runtime in-process against the fake server: a photo reaches the appeal through media/get,
choices that do not fit a card come numbered, and 5xx / 45009 failures are retried through the outbox
so every message arrives exactly once."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.wecom.runner import WeComRunner
from storage.models import Appeal, AppealAttachment, Outbox, OutboxStatus
from storage.outbox import queue_notification
from tests.chat import RunningClock
from tests.fakebot.harness import tg_db, tg_db_url, tg_demo  # noqa: F401
from tests.fakewecom import FakeWeCom
from tests.test_wecom_e2e import CADRE, REVIEWER, bind_wecom, choose, offered, wecom  # noqa: F401

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20
DESCRIPTION = "企业新建厂房急需办理施工许可，环评批复已完成但审批进度缓慢，希望协调加快办理。"


async def start(wecom: FakeWeCom, db) -> WeComRunner:
    env = wecom.env()
    settings = Settings(_env_file=None, channel="wecom", wecom_corp_id=env["PANDENG_WECOM_CORP_ID"],
                        wecom_agent_id=int(env["PANDENG_WECOM_AGENT_ID"]), wecom_secret=env["PANDENG_WECOM_SECRET"],
                        wecom_token=env["PANDENG_WECOM_TOKEN"], wecom_aes_key=env["PANDENG_WECOM_AES_KEY"],
                        wecom_api_base=wecom.base_url, webhook_host="127.0.0.1", webhook_port=0, wecom_rate_wait_s=0.05)
    runner = WeComRunner(settings, db=db, clock=RunningClock(),
                         outbox_options={"idle_s": 0.05, "backoff_base_s": 0.05, "lease_s": 5.0})
    port = await runner.start()
    wecom.bot_url = f"http://127.0.0.1:{port}/wecom/callback"
    return runner


async def settled(db, timeout: float = 10.0) -> dict[str, Outbox]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with db.session() as s:
            rows = {r.text: r for r in await s.scalars(select(Outbox))}
        if all(r.status != OutboxStatus.PENDING for r in rows.values()):
            return rows
        assert loop.time() < deadline, {t: (r.status, r.last_error) for t, r in rows.items()}
        await asyncio.sleep(0.05)


async def test_photo_reaches_the_appeal_and_choices_come_numbered(wecom, tg_demo):
    db, _ = tg_demo
    await bind_wecom(db, "张伟", CADRE)
    runner = await start(wecom, db)
    try:
        await wecom.text(CADRE, "/appeal")
        picker = await offered(wecom, CADRE, "自动识别")
        n = await choose(wecom, CADRE, picker, "自动识别")
        n = await choose(wecom, CADRE, await offered(wecom, CADRE, "A类", after=n), "A类")
        await wecom.wait_for(CADRE, "描述问题", after=n)
        await wecom.text(CADRE, DESCRIPTION)
        await wecom.wait_for(CADRE, "现场照片")
        media_id = wecom.add_media(PHOTO, "现场.jpg")
        await wecom.image(CADRE, media_id)
        done = await offered(wecom, CADRE, "完成")
        n = await choose(wecom, CADRE, done, "完成")
        await choose(wecom, CADRE, await offered(wecom, CADRE, "确认提交", after=n), "确认提交")
        await wecom.wait_for(CADRE, "已提交诉求")
        async with db.session() as s:
            appeal = (await s.scalars(select(Appeal))).unique().one()
            [att] = (await s.scalars(select(AppealAttachment).where(AppealAttachment.appeal_id == appeal.id))).all()
        assert appeal.urgency == "A" and att.kind == "photo" and att.file_id == media_id
        # the FileFetcher port the runner gave the Dispatcher downloads it through media/get
        assert await runner.dispatcher.ports.files["wecom"](att.file_id) == PHOTO
        # some choice lists were longer than a card holds: they came as numbered lines
        assert any(m.msgtype == "text" and "回复数字即可选择" in m.text for m in wecom.messages(CADRE))
    finally:
        await runner.stop()


async def test_5xx_and_45009_go_through_the_outbox_exactly_once(wecom, tg_demo):
    db, refs = tg_demo
    await bind_wecom(db, "张伟", CADRE)
    reviewer_id = await bind_wecom(db, "李卫东", REVIEWER)
    runner = await start(wecom, db)
    try:
        wecom.fault("message/send", status=502, times=2)
        async with db.session() as s:
            await queue_notification(s, reviewer_id, "请审核诉求 #99", now=runner.clock())
        runner.sender.wake.set()
        rows = await settled(db)
        assert rows["请审核诉求 #99"].status == OutboxStatus.SENT and rows["请审核诉求 #99"].attempts == 3
        # a direct reply that keeps hitting 45009 is handed to the outbox, then delivered once
        wecom.fault("message/send", errcode=45009, times=8)
        await wecom.text(CADRE, "/help")
        await wecom.wait_for(CADRE, "可用的命令", timeout=20)
        await asyncio.sleep(0.3)
        assert sum("可用的命令" in m.text for m in wecom.messages(CADRE)) == 1
        assert [m.text for m in wecom.messages(REVIEWER)].count("请审核诉求 #99") == 1
        assert runner.replies.stats["queued"] == 1
    finally:
        await runner.stop()


async def test_token_cached_and_refreshed_once_for_concurrent_callers(wecom):
    from bot.wecom.api import WeComApi
    from tests.fakewecom.server import AGENT_ID, CORP_ID, SECRET

    api = WeComApi(wecom.base_url, CORP_ID, SECRET, AGENT_ID)
    try:
        await api.send("u1", "text", {"content": "一"})
        await api.send("u1", "text", {"content": "二"})
        assert wecom.token_fetches == 1  # cached
        wecom.expire_tokens()
        await asyncio.gather(*(api.send("u1", "text", {"content": f"并发{i}"}) for i in range(5)))
        assert wecom.token_fetches == 2 and len(wecom.messages("u1")) == 7
        assert "fake-app-secret" not in repr(api)
    finally:
        await api.close()


async def test_ledger_and_charts_go_through_media_upload(wecom, tg_demo):
    db, _ = tg_demo
    await bind_wecom(db, "王建国", "WangJianGuo")
    runner = await start(wecom, db)
    try:
        await wecom.text("WangJianGuo", "/export")
        await wecom.wait_for("WangJianGuo", "已导出台账")
        await wecom.wait_for("WangJianGuo", "[file]")
        await wecom.text("WangJianGuo", "/chart")
        deadline = asyncio.get_running_loop().time() + 30
        while sum(m.msgtype == "image" for m in wecom.messages("WangJianGuo")) < 3:
            assert asyncio.get_running_loop().time() < deadline, [m.text for m in wecom.messages("WangJianGuo")]
            await asyncio.sleep(0.1)
        files = [m for m in wecom.messages("WangJianGuo") if m.msgtype in ("file", "image")]
        names = [wecom.media[m.body["media_id"]][0] for m in files]
        assert names[0].endswith(".xlsx") and wecom.media[files[0].body["media_id"]][1][:2] == b"PK"
        assert all(n.endswith(".png") for n in names[1:]) and wecom.media[files[1].body["media_id"]][1][:4] == b"\x89PNG"
    finally:
        await runner.stop()


def test_run_wecom_without_settings_says_what_is_missing(monkeypatch, capsys):
    from bot import cli
    from bot.settings import get_settings

    for key in ("PANDENG_WECOM_CORP_ID", "PANDENG_WECOM_SECRET", "PANDENG_WECOM_TOKEN", "PANDENG_WECOM_AES_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PANDENG_WECOM_AGENT_ID", "1000002")
    get_settings.cache_clear()
    try:
        assert cli.main(["run", "--channel", "wecom"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert "PANDENG_WECOM_CORP_ID" in err and "PANDENG_WECOM_AES_KEY" in err and "AGENT_ID" not in err


def test_handlers_import_no_platform():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "handlers"
    for path in root.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith(("import ", "from ")):
                assert not any(w in line for w in ("wecom", "aiogram", "telegram", "bot.", " bot ")), (path, line)


async def test_outbox_photo_becomes_an_uploaded_image(wecom, tg_demo):
    db, _ = tg_demo
    reviewer_id = await bind_wecom(db, "李卫东", REVIEWER)
    runner = await start(wecom, db)
    png = b"\x89PNG\r\n\x1a\n" + bytes(300)
    try:
        async with db.session() as s:
            await queue_notification(s, reviewer_id, "用电异常：某企业", photo=png, now=runner.clock())
        runner.sender.wake.set()
        await settled(db)
        kinds = [m.msgtype for m in wecom.messages(REVIEWER)]
        assert kinds[0] == "image" and wecom.media[wecom.messages(REVIEWER)[0].body["media_id"]][1] == png
        assert "用电异常" in wecom.messages(REVIEWER)[1].text
    finally:
        await runner.stop()

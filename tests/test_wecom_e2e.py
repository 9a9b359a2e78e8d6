"""`pandeng run --channel wecom` as a real process against the fake WeCom server, with callbacks
encrypted and signed by the real protocol: URL check, enrolment, an appeal to 销号 by card presses,
forged and replayed callbacks, an expired token, and 45009 bursts."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from storage.models import Appeal, AppealStatus, Enterprise, PlatformAccount, ProcessedUpdate, User
from tests.fakebot.harness import free_port, tg_db, tg_db_url, tg_demo  # noqa: F401
from tests.fakewecom import FakeWeCom, Sent

ROOT = Path(__file__).resolve().parents[1]
CADRE, REVIEWER, HANDLER, ADMIN = "ZhangWei", "LiWeiDong", "ZhaoMin", "WangJianGuo"
LOAN = "企业流动资金紧张，申请贷款被银行拒绝，希望协调银行续贷500万元"


@pytest.fixture
async def wecom():
    server = await FakeWeCom().start()
    yield server
    await server.stop()


async def bind_wecom(db, name: str, userid: str) -> int:
    """Give a demo user a WeCom account directly in the database."""
    async with db.session() as s:
        user = (await s.scalars(select(User).where(User.name == name))).unique().one()
        s.add(PlatformAccount(platform="wecom", external_id=userid, user_id=user.id))
        return user.id


async def start_process(wecom: FakeWeCom, db_url: str, port: int):
    """`pandeng run --channel wecom` in a subprocess, ready when /healthz answers."""
    env = dict(os.environ)
    env.update(wecom.env(PANDENG_DATABASE_URL=db_url, PANDENG_WEBHOOK_HOST="127.0.0.1",
                         PANDENG_WEBHOOK_PORT=str(port), PANDENG_WECOM_RATE_WAIT_S="0.2",
                         PANDENG_OUTBOX_IDLE_S="0.1", PANDENG_OUTBOX_BACKOFF_BASE_S="0.1"), PYTHONPATH=str(ROOT))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--channel", "wecom", "--no-scheduler", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    wecom.bot_url = f"http://127.0.0.1:{port}/wecom/callback"
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    if resp.status == 200:
                        return proc
            except aiohttp.ClientError:
                pass
            if proc.returncode is not None or time.monotonic() > deadline:
                out, err = await proc.communicate()
                raise AssertionError(f"bot did not start: {err.decode()[-2000:]}")
            await asyncio.sleep(0.2)


async def stop_process(proc) -> str:
    proc.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-3000:]
    return out.decode() + err.decode()


async def choose(wecom: FakeWeCom, userid: str, message: Sent, label: str) -> int:
    """Press `label` on a card, or reply with its number where the choices came numbered."""
    before = len(wecom.messages(userid))
    button = next((text for text in message.buttons if text.startswith(label)), None)
    if button is not None:
        status, _ = await wecom.press(userid, message, button)
    else:
        number = re.search(rf"(\d+)\. {re.escape(label)}", message.text)
        assert number, f"{label!r} not offered in {message.text!r}"
        status, _ = await wecom.text(userid, number.group(1))
    assert status == 200
    return before


async def offered(wecom: FakeWeCom, userid: str, label: str, after: int = 0) -> Sent:
    """The latest message to `userid` that offers `label` as a button or a numbered choice."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for m in reversed(wecom.messages(userid)[after:]):
            if any(t.startswith(label) for t in m.buttons) or re.search(rf"\d+\. {re.escape(label)}", m.text):
                return m
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{label!r} never offered to {userid}: {[m.text for m in wecom.messages(userid)]!r}")


async def appeal_state(db) -> tuple[int, str | None]:
    async with db.session() as s:
        count = await s.scalar(select(func.count(Appeal.id)))
        status = await s.scalar(select(Appeal.status).order_by(Appeal.id.desc()).limit(1))
        return count, status


@pytest.mark.parametrize("tg_db_url", ["sqlite", pytest.param("pg", marks=pytest.mark.pg)], indirect=True)
async def test_wecom_channel_end_to_end(wecom, tg_demo, tg_db_url):
    db, refs = tg_demo
    for name, userid in (("张伟", CADRE), ("李卫东", REVIEWER), ("赵敏", HANDLER), ("王建国", ADMIN)):
        await bind_wecom(db, name, userid)
    proc = await start_process(wecom, tg_db_url, free_port())
    try:
        async with aiohttp.ClientSession() as http:
            # URL verification: the decrypted echostr comes back in plain text; a wrong signature is refused
            echo = wecom.crypto.encrypt(b"1616140317555161061")
            ts, nonce = str(int(time.time())), "9917"
            good = {"msg_signature": wecom.crypto.signature(ts, nonce, echo), "timestamp": ts, "nonce": nonce,
                    "echostr": echo}
            async with http.get(wecom.bot_url, params=good) as resp:
                assert resp.status == 200 and await resp.text() == "1616140317555161061"
            async with http.get(wecom.bot_url, params={**good, "msg_signature": "0" * 40}) as resp:
                assert resp.status == 403

        # an unknown member gets the enrolment reply, and can bind with an invite code
        assert (await wecom.text("NewComer", "你好"))[0] == 200
        await wecom.wait_for("NewComer", "尚未登记")
        async with db.session() as s:
            ent_name = (await s.get(Enterprise, refs.enterprise_ids[1])).name
        await wecom.text(ADMIN, f"/invite 新人甲 驻企干部 {ent_name}")
        invite = await wecom.wait_for(ADMIN, "邀请码")
        code = re.search(r"/start ([\w-]+)", invite.text).group(1)
        await wecom.text("NewComer", f"/start {code}")
        await wecom.wait_for("NewComer", "绑定成功")

        # forged, wrong-corp, malformed and replayed callbacks are refused and change nothing
        async with db.session() as s:
            seen_before = await s.scalar(select(func.count()).select_from(ProcessedUpdate))
        inner = wecom.message_xml(CADRE, "text", {"Content": f"/appeal {LOAN}", "MsgId": "123456789"})
        query, body = wecom.sign_and_wrap(inner)
        assert (await wecom.post({**query, "msg_signature": "f" * 40}, body))[0] == 403
        assert (await wecom.post(*wecom.sign_and_wrap(inner, corp_id="wwSomeOtherCorp000")))[0] == 403
        assert (await wecom.post(query, b"<xml><Encrypt>not base64!</Encrypt>"))[0] in (400, 403)
        assert (await wecom.post(query, b"\x00garbage"))[0] == 400
        stale = wecom.sign_and_wrap(inner, timestamp=int(time.time()) - 3600)
        assert (await wecom.post(*stale))[0] == 409
        await asyncio.sleep(0.5)
        assert await appeal_state(db) == (0, None)
        async with db.session() as s:
            assert await s.scalar(select(func.count()).select_from(ProcessedUpdate)) == seen_before

        # an expired token is refreshed, and a burst of 45009 loses nothing: the cadre files an appeal
        fetches = wecom.token_fetches
        wecom.expire_tokens()
        wecom.fault("message/send", errcode=45009, times=4)
        assert (await wecom.post(query, body))[0] == 200
        assert (await wecom.post(query, body))[0] == 409  # the same signed request again: a replay
        assert (await wecom.text(CADRE, f"/appeal {LOAN}", msg_id=123456789))[0] == 200  # WeCom's retry: deduped
        filed = await wecom.wait_for(CADRE, "已提交诉求")
        appeal_id = int(re.search(r"#(\d+)", filed.text).group(1))
        note = await offered(wecom, REVIEWER, "查看诉求")
        assert f"#{appeal_id}" in note.text
        await asyncio.sleep(0.8)
        assert wecom.token_fetches == fetches + 1 and len(wecom.rejected) >= 4
        assert sum("已提交诉求" in m.text for m in wecom.messages(CADRE)) == 1
        assert await appeal_state(db) == (1, AppealStatus.SUBMITTED)

        # reviewer → handler → cadre, by pressing template-card buttons
        n = await choose(wecom, REVIEWER, note, "查看诉求")
        card = await offered(wecom, REVIEWER, "交金融组", after=n)
        await choose(wecom, REVIEWER, card, "交金融组")
        note = await offered(wecom, HANDLER, "查看诉求")
        n = await choose(wecom, HANDLER, note, "查看诉求")
        n = await choose(wecom, HANDLER, await offered(wecom, HANDLER, "签收", after=n), "签收")
        card = await offered(wecom, HANDLER, "办结", after=n)
        n = await choose(wecom, HANDLER, card, "办结")
        await wecom.wait_for(HANDLER, "办理结果", after=n)
        before = len(wecom.messages(CADRE))
        await wecom.text(HANDLER, "工商银行已续贷500万元")
        note = await offered(wecom, CADRE, "查看诉求", after=before)
        assert "办结" in note.text
        n = await choose(wecom, CADRE, note, "查看诉求")
        await choose(wecom, CADRE, await offered(wecom, CADRE, "满意", after=n), "满意")
        await wecom.wait_for(CADRE, "销号")
        assert await appeal_state(db) == (1, AppealStatus.CLOSED)
        assert any(m.updated for m in wecom.sent)  # "edit the pressed message" went through update_template_card
    finally:
        log = await stop_process(proc)
    assert "fake-app-secret" not in log and "tok" not in re.sub(r"token|Token", "", log)

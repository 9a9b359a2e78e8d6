"""Fuzz: random text, button data and attachments as every role, in every dialog state, never break the bot.

Hypothesis draws the inputs (bounded, derandomized for CI; PANDENG_FUZZ_EXAMPLES raises the count), then
they are replayed through the real Dispatcher on SQLite and PostgreSQL.
"""
from __future__ import annotations

import logging
import os

from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete, select

from handlers.dispatcher import ERROR_REPLY
from handlers.ports import Ports
from handlers.types import CALLBACK_DATA_LIMIT, MESSAGE_LIMIT, Incoming
from storage.demo import DEMO_GROUP_CHAT_ID
from storage.models import DialogState
from tests.chat import ChatDriver, buttons_of

from .security_fuzz_kit import UNENROLLED_GROUP, Case, cases
from .test_appeals_kit import file_quick

EXAMPLES = int(os.environ.get("PANDENG_FUZZ_EXAMPLES", "250"))
TOAST_LIMIT = 200  # answerCallbackQuery text
NAMES = ["张伟", "杨帆", "朱琳", "赵敏", "卫东升", "李卫东", "孙丽", "王建国"]


async def _capture_dialogs(chat: ChatDriver, u: dict, aid: int) -> list[tuple[str, str, dict]]:
    """Walk real dialogs and keep every (flow, step, data) they stored."""
    seen: list[tuple[str, str, dict]] = []

    async def grab(uid: int) -> None:
        async with chat.db.session() as s:
            d = await s.get(DialogState, uid)
            if d is not None and (d.flow, d.step, d.data) not in seen:
                seen.append((d.flow, d.step, dict(d.data)))

    steps = [(u["杨帆"], "/appeal")]
    for uid, text in steps:
        replies = await chat.send(uid, text)
        await grab(uid)
        for _ in range(4):  # press the first button of each intake step: ent, cat, urg
            data = next(iter(buttons_of(replies).values()), None)
            if not data:
                break
            replies = await chat.press(uid, data)
            await grab(uid)
    await chat.send(u["杨帆"], "企业用电增容申请迟迟未批，影响新产线投产，希望协调供电公司")
    await grab(u["杨帆"])
    await chat.send(u["杨帆"], "/cancel")
    await chat.send(u["张伟"], "/appeal")
    await grab(u["张伟"])
    await chat.send(u["张伟"], "/cancel")
    for uid, data in ((u["李卫东"], f"ap:ret:{aid}"), (u["王建国"], f"ap:dup:{aid}"), (u["王建国"], f"ap:dl:{aid}")):
        await chat.press(uid, data)
        await grab(uid)
        await chat.send(uid, "/cancel")
    await chat.send(u["朱琳"], "/supply")
    await grab(u["朱琳"])
    await chat.send(u["朱琳"], "/cancel")
    seen += [("sd_edit", "text", {"post_id": 1}), ("sd_amount", "amount", {"match_id": 1}), ("gone_flow", "x", {})]
    return seen


def _draw(names: list[str], real: list[int], n_dialogs: int) -> list[Case]:
    """Inputs of each kind in fixed shares (text 40%, buttons 45%, attachments 15%), derandomized."""
    drawn: list[Case] = []
    for kind, share in (("text", 0.40), ("callback", 0.45), ("attachment", 0.15)):

        @settings(max_examples=max(5, int(EXAMPLES * share)), derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(cases(kind, names, real, n_dialogs))
        def collect(case: Case) -> None:
            drawn.append(case)

        collect()
    return drawn


def _problems(case: Case, replies) -> list[str]:
    out = []
    for r in replies:
        if ERROR_REPLY in r.text:
            out.append("apology")
        if r.toast and case.callback is not None and len(r.text) > TOAST_LIMIT:
            out.append(f"toast of {len(r.text)} characters")
        if r.document is None and r.photo is None and len(r.text) > MESSAGE_LIMIT:
            out.append(f"message of {len(r.text)} characters")
        for row in r.buttons:
            for b in row:
                if b.data is not None and (not b.data.isascii() or len(b.data.encode()) > CALLBACK_DATA_LIMIT):
                    out.append(f"button data {b.data!r}")
    return out


async def test_fuzz_dispatcher(demo, caplog):
    db, refs = demo
    u = refs.user_ids
    files: dict[str, bytes] = {}

    async def fetch(file_id: str) -> bytes:
        return files[file_id]

    chat = ChatDriver(db, ports=Ports(files={"console": fetch}))
    aid = await file_quick(chat, u["张伟"])
    other = await file_quick(chat, u["杨帆"])
    templates = await _capture_dialogs(chat, u, aid)
    assert {t[0] for t in templates} >= {"appeal_intake", "appeal_action", "sd_new"}
    real = [aid, other] + [u[n] for n in NAMES[:3]] + list(refs.enterprise_ids[:3])
    failures = []
    caplog.set_level(logging.ERROR, logger="handlers.dispatcher")
    for n, case in enumerate(_draw(NAMES, real, len(templates))):
        uid = u[case.who] if case.who != "unknown" else 10**9 + n
        chat_id = {"private": uid, "group": DEMO_GROUP_CHAT_ID, "unenrolled": UNENROLLED_GROUP}[case.chat]
        async with db.session() as s:
            if case.who != "unknown":
                await s.execute(delete(DialogState).where(DialogState.user_id == uid))
                if case.dialog is not None:
                    flow, step, data = templates[case.dialog]
                    s.add(DialogState(user_id=uid, chat_id=chat_id, flow=flow, step=step, data=data))
        files.clear()
        files.update(case.files)
        inc = Incoming(platform="console", user_id=uid, chat_id=chat_id, chat_type="private" if case.chat == "private" else "supergroup",
                       text=case.text, callback_data=case.callback, callback_id="c" if case.callback is not None else None,
                       message_id=n + 1, attachments=case.attachments)
        replies = await chat.dispatcher.handle(inc)
        problems = _problems(case, replies)
        if problems:
            failures.append((problems, case))
    crashes = [r.getMessage()[:300] for r in caplog.records if r.name == "handlers.dispatcher"]
    assert not failures and not crashes, (failures[:5], crashes[:3])
    async with db.session() as s:  # the bot still works after the storm
        assert (await s.scalars(select(DialogState))).all() is not None
    assert "已提交诉求" in (await chat.send(u["张伟"], "/appeal 企业流动资金紧张，申请贷款被银行拒绝，希望协调续贷"))[0].text

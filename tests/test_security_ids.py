"""Ids typed in commands or carried in buttons: ASCII digits only, bounded; anything else is refused, nothing changes."""
from __future__ import annotations

import pytest

from handlers.dispatcher import ERROR_REPLY
from handlers.ids import looks_like_id, parse_id, parse_index
from tests.chat import ChatDriver, text_of

from .security_kit import changed_tables, db_snapshot
from .test_appeals_kit import file_quick

FORTY = "1" * 40


@pytest.mark.parametrize("raw, expected", [
    ("12", 12), ("#12", 12), ("＃7", 7), (" 3 ", 3), ("²", None), ("５", None), ("١٢", None), ("-1", None),
    ("+1", None), ("1_000", None), ("", None), (FORTY, None), ("9" * 15, 10**15 - 1), ("9" * 16, None), (None, None),
])
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def test_index_and_shape():
    assert parse_index("3", 4) == 3 and parse_index("4", 4) is None and parse_index("³", 9) is None
    assert looks_like_id("²") and looks_like_id("#١٢") and not looks_like_id("贷款难") and not looks_like_id("")


async def test_unicode_and_huge_ids_in_commands_and_buttons(demo):
    db, refs = demo
    u = refs.user_ids
    chat = ChatDriver(db)
    aid = await file_quick(chat, u["张伟"])
    before = await db_snapshot(db)
    cases = [
        (u["张伟"], "send", "/appeal ²"), (u["张伟"], "send", "/appeal #²"), (u["张伟"], "send", "/appeal ５"),
        (u["张伟"], "send", f"/appeal {FORTY}"), (u["张伟"], "send", "/appeal #١٢"),
        (u["王建国"], "send", f"/dup {aid} ²"), (u["王建国"], "send", f"/dup ² {aid}"), (u["王建国"], "send", f"/dup {FORTY} {aid}"),
        (u["李卫东"], "press", "ap:v:²"), (u["李卫东"], "press", f"ap:v:{FORTY}"), (u["王建国"], "press", f"ap:asg:{aid}:²"),
        (u["李卫东"], "press", f"ap:asg:{aid}:{FORTY}"), (u["李卫东"], "press", f"ap:cat:{aid}:³"),
        (u["李卫东"], "press", "al:t:²"), (u["李卫东"], "press", "al:lc²:0"), (u["李卫东"], "press", f"al:l:{FORTY}"),
        (u["张伟"], "press", "ai:e:²:%d" % u["张伟"]), (u["张伟"], "press", "po:c:²"), (u["张伟"], "press", f"po:ap:{FORTY}"),
        (u["张伟"], "press", "sd:y:²"), (u["张伟"], "press", f"sd:cl:{FORTY}"), (u["张伟"], "press", "sd:ok:５"),
    ]
    for uid, how, payload in cases:
        replies = await (chat.send(uid, payload) if how == "send" else chat.press(uid, payload))
        text = text_of(replies)
        assert replies and ERROR_REPLY not in text, (payload, text)
    assert changed_tables(before, await db_snapshot(db)) == {}
    assert "阿拉伯数字" in text_of(await chat.send(u["张伟"], "/appeal ²"))
    assert "阿拉伯数字" in text_of(await chat.send(u["张伟"], f"/appeal {FORTY}"))


async def test_dup_dialog_refuses_unicode_digits(demo):
    db, refs = demo
    u = refs.user_ids
    chat = ChatDriver(db)
    first = await file_quick(chat, u["张伟"])
    second = await file_quick(chat, u["张伟"], "新建车间需要用地指标，县里暂无指标，希望市里协调解决")
    replies = await chat.press(u["王建国"], f"ap:dup:{second}")  # the city office links duplicates
    assert "请输入" in text_of(replies)
    before = await db_snapshot(db)
    for raw in ("²", "#²", FORTY, "١٢"):
        text = text_of(await chat.send(u["王建国"], raw))
        assert ERROR_REPLY not in text and "编号" in text, text
    assert changed_tables(before, await db_snapshot(db)) == {}
    assert first

"""Lists: /my, /todo, /ledger with filters and paging; reviewers held to their county."""
from __future__ import annotations

from datetime import datetime, timezone

from handlers.types import MESSAGE_LIMIT
from storage.models import AppealStatus
from tests.chat import ChatDriver, buttons_of, text_of

from .test_appeals_kit import file_quick, force, load, unit_id

S = AppealStatus
LONG = "企业流动资金紧张，银行压缩授信，" * 120  # about 1,900 characters


def ids_in(text: str) -> list[int]:
    """Appeal ids listed in a page, in order."""
    return [int(line.split()[0][1:]) for line in text.splitlines() if line.startswith("#")]


async def test_my_lists_only_own_appeals_and_pages(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    mine = [await file_quick(chat, u["张伟"], f"第{i}批设备贷款申请被拒，{LONG}") for i in range(12)]
    other = await file_quick(chat, u["秦海"])
    r = await chat.send(u["张伟"], "/my")
    assert "共 12 条，第 1/2 页" in r[0].text and len(r[0].text) < MESSAGE_LIMIT
    assert ids_in(r[0].text) == mine[::-1][:10] and other not in ids_in(r[0].text)
    assert "上一页" not in buttons_of(r)
    r = await chat.press(u["张伟"], buttons_of(r)["下一页"])
    assert r[0].edit and ids_in(r[0].text) == mine[1::-1] and "下一页" not in buttons_of(r)
    assert f"ap:v:{mine[0]}" in buttons_of(r).values()
    assert "没有提交过" in text_of(await chat.send(u["杨帆"], "/my"))
    assert "无权" in text_of(await chat.send(u["李卫东"], "/my"))


async def test_todo_per_role(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    b = await file_quick(chat, u["张伟"])                       # 任城区, B
    a = await file_quick(chat, u["施展"], "药品生产线技改项目贷款审批慢，急需协调银行尽快放款")  # 任城区
    zc = await file_quick(chat, u["秦海"])                      # 邹城市
    await force(db, a, urgency="A")
    r = await chat.send(u["李卫东"], "/todo")
    assert set(ids_in(r[0].text)) == {a, b} and ids_in(r[0].text)[0] == a  # A first
    assert ids_in(text_of(await chat.send(u["孙丽"], "/todo"))) == [zc]
    for aid in (b, a):
        await chat.press(u["李卫东"], f"ap:asg:{aid}:{await unit_id(db, '金融要素保障组')}")
    r = await chat.send(u["赵敏"], "/todo")
    assert ids_in(r[0].text) == [a, b]  # the A deadline (5 working days) comes first
    await chat.press(u["孙丽"], f"ap:esc:{zc}")
    assert ids_in(text_of(await chat.send(u["王建国"], "/todo"))) == [zc]
    assert "暂无待办" in text_of(await chat.send(u["钱磊"], "/todo"))
    await chat.press(u["赵敏"], f"ap:sign:{b}")
    await chat.press(u["赵敏"], f"ap:fin:{b}")
    await chat.send(u["赵敏"], "已协调银行续贷")
    assert ids_in(text_of(await chat.send(u["张伟"], "/todo"))) == [b]  # awaiting the cadre's rating


async def test_ledger_filters_overdue_and_reviewer_scope(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    finance = await unit_id(db, "金融要素保障组")
    late = await file_quick(chat, u["张伟"])
    ontime = await file_quick(chat, u["施展"], "药品生产线技改项目贷款审批慢，急需协调银行尽快放款")
    zc = await file_quick(chat, u["秦海"], "新建车间需要用地指标，县里暂无指标")
    await force(db, ontime, urgency="B")  # "急需" makes one-line filing infer A; this one stands for a B appeal
    for aid in (late, ontime):
        await chat.press(u["李卫东"], f"ap:asg:{aid}:{finance}")
    await force(db, late, urgency="A")
    await chat.press(u["赵敏"], f"ap:sign:{late}")
    chat.clock.now = datetime(2026, 3, 12, 2, 0, tzinfo=timezone.utc)
    await force(db, late, deadline=(await load(db, late)).assigned_at.date())  # due on day one: now overdue
    r = await chat.send(u["王建国"], "/ledger 任城区 超期")
    assert ids_in(r[0].text) == [late] and "超期 8 个工作日" in r[0].text and "在办超期 1 条" in r[0].text
    assert ids_in(text_of(await chat.send(u["王建国"], "/ledger 金融 办理中"))) == [late]
    assert set(ids_in(text_of(await chat.send(u["王建国"], "/ledger 金融组")))) == {late, ontime}
    assert ids_in(text_of(await chat.send(u["王建国"], "/ledger 土地 邹城市"))) == [zc]
    assert set(ids_in(text_of(await chat.send(u["王建国"], "/ledger")))) == {late, ontime, zc}
    assert "无法识别筛选条件“火星”" in text_of(await chat.send(u["王建国"], "/ledger 火星"))
    # A reviewer sees only their county, whatever they ask for.
    assert set(ids_in(text_of(await chat.send(u["李卫东"], "/ledger")))) == {late, ontime}
    assert "只能查看本县" in text_of(await chat.send(u["李卫东"], "/ledger 邹城市"))
    zc_county = await unit_id(db, "邹城市")
    r = await chat.press(u["李卫东"], f"al:lc{zc_county}:0")
    assert r[0].toast and "只能查看本县" in r[0].text
    assert (await chat.press(u["李卫东"], "al:lzz9:0"))[0].toast
    assert (await chat.press(u["李卫东"], "al:m:0"))[0].toast
    assert "无权" in text_of(await chat.send(u["张伟"], "/ledger"))


async def test_ledger_pages_stay_under_the_message_limit(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    made = [await file_quick(chat, u["张伟"], f"{i}号{LONG}") for i in range(23)]
    r = await chat.send(u["王建国"], "/ledger 任城区")
    seen = []
    for page in range(3):
        assert len(r[0].text) < MESSAGE_LIMIT and f"第 {page + 1}/3 页" in r[0].text
        seen += ids_in(r[0].text)
        if page < 2:
            data = buttons_of(r)["下一页"]
            assert len(data.encode()) <= 64
            r = await chat.press(u["王建国"], data)
    assert sorted(seen) == sorted(made)

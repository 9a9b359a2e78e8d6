"""日监测 in chat: /power scoped by role, the card buttons (forged and stale presses), an appeal from a card."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from storage.demo import ENTERPRISES
from storage.models import Appeal
from storage.models.appeals import CATEGORIES
from storage.models.power import PowerAnomaly, PowerReason
from storage.power.importer import import_readings
from tests.chat import ChatDriver, Clock, text_of
from tests.power_data import plant, write_long_csv

D = date
E0, E1, E4, E20 = (ENTERPRISES[i][0] for i in (0, 1, 4, 20))  # 任城区 装备, 任城区 装备, 邹城市 装备, 高新区 信息技术
NOON_18 = datetime(2026, 3, 18, 2, 0, tzinfo=timezone.utc)  # Wed 10:00 Shanghai


async def seed_readings(db, tmp_path) -> None:
    """Four demo enterprises; on Tue 2026-03-17 one stops, two drop, one is normal."""
    first, last = D(2025, 12, 1), D(2026, 3, 17)
    series = {E0: plant(first, last, {last: 200.0}), E1: plant(first, last, {last: 5000.0}),
              E4: plant(first, last), E20: plant(first, last, {last: 4000.0})}
    async with db.session() as s:
        await import_readings(s, write_long_csv(tmp_path / "p.csv", series))


@pytest.fixture
async def chat(demo, tmp_path):
    db, _ = demo
    await seed_readings(db, tmp_path)
    return ChatDriver(db, clock=Clock(NOON_18))


def _data(replies) -> list[str]:
    return [b.data for r in replies for row in r.buttons for b in row if b.data]


async def _anomaly(db, name: str) -> PowerAnomaly:
    from storage.models import Enterprise
    async with db.session() as s:
        return await s.scalar(select(PowerAnomaly).join(Enterprise, Enterprise.id == PowerAnomaly.enterprise_id)
                              .where(Enterprise.name == name))


async def test_power_is_scoped_by_role(chat):
    async def sees(name: str) -> str:
        u = await chat.user(name)
        return text_of(await chat.send(u.id, "/power"))

    zhang = await chat.send((await chat.user("张伟")).id, "/power")
    assert len(zhang) == 1 and zhang[0].photo is not None and zhang[0].photo.content[:4] == b"\x89PNG"
    assert E0 in zhang[0].text and "疑似停产" in zhang[0].text and E1 not in zhang[0].text
    assert {d.split(":")[1] for d in _data(zhang)} == {"r", "a"}
    assert "用电正常" in await sees("秦海")
    li = await sees("李卫东")  # 任城区 reviewer
    assert E0 in li and E1 in li and E20 not in li and E4 not in li
    zhou = await sees("周强")  # 高新区 reviewer
    assert E20 in zhou and E0 not in zhou
    wei = await sees("卫东升")  # 高端装备专班
    assert E0 in wei and E1 in wei and E20 not in wei
    jiang = await sees("蒋芳")  # 新一代信息技术专班
    assert E20 in jiang and E0 not in jiang
    admin = await sees("王建国")
    assert all(n in admin for n in (E0, E1, E20)) and E4 not in admin and "3 家" in admin
    assert "暂无查看范围" in await sees("赵敏")  # a factor group's handler
    assert "日期格式" in await sees_with(chat, "王建国", "/power 3月17")


async def sees_with(chat, name: str, text: str) -> str:
    return text_of(await chat.send((await chat.user(name)).id, text))


async def _reasons(db) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(PowerReason))


async def test_reason_buttons_forged_and_stale_presses_change_nothing(chat):
    db = chat.db
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    await chat.send(zhang.id, "/power")
    await chat.send(yang.id, "/power")
    a0 = await _anomaly(db, E0)
    # Someone else's enterprise, a missing id, a made-up reason, an end without its dialog: all refused.
    for who, data in ((yang.id, f"pw:r:{a0.id}"), (yang.id, f"pw:ru:{a0.id}:maint:7"), (zhang.id, "pw:r:999999"),
                      (zhang.id, "pw:r:x"), (zhang.id, f"pw:rc:{a0.id}:boom"), (zhang.id, f"pw:ru:{a0.id}:maint:7"),
                      ((await chat.user("王建国")).id, f"pw:a:{a0.id}")):
        r = await chat.press(who, data)
        assert len(r) == 1 and r[0].toast, (who, data, text_of(r))
    assert await _reasons(db) == 0
    r = await chat.press(zhang.id, f"pw:r:{a0.id}")
    assert f"pw:rc:{a0.id}:maint" in _data(r)
    r = await chat.press(zhang.id, f"pw:rc:{a0.id}:maint")
    assert f"pw:ru:{a0.id}:maint:7" in _data(r)
    assert (await chat.press(zhang.id, f"pw:ru:{a0.id}:maint:99"))[0].toast  # not an offered choice
    r = await chat.press(zhang.id, f"pw:ru:{a0.id}:maint:7")
    assert "已登记" in text_of(r) and "2026-03-25" in text_of(r)
    r = await chat.press(zhang.id, f"pw:ru:{a0.id}:maint:7")  # pressed again: stale
    assert r[0].toast and "已说明原因" in r[0].text
    assert await _reasons(db) == 1
    async with db.session() as s:
        reason = await s.scalar(select(PowerReason))
        assert (reason.code, reason.since, reason.until) == ("maint", D(2026, 3, 17), D(2026, 3, 25))
    # The enterprise is silent now: the reviewer's list counts it apart.
    li = await sees_with(chat, "李卫东", "/power")
    assert E0 not in li and E1 in li and "1 家已说明原因" in li


async def test_other_reason_with_text_and_typed_date(chat):
    zhang = await chat.user("张伟")
    await chat.send(zhang.id, "/power")
    a0 = await _anomaly(chat.db, E0)
    await chat.press(zhang.id, f"pw:rc:{a0.id}:other")
    assert "说明原因" in text_of(await chat.send(zhang.id, "🙂"))
    assert "预计" in text_of(await chat.send(zhang.id, "生产线技术改造"))
    assert "日期" in text_of(await chat.send(zhang.id, "下个月"))
    assert "日期" in text_of(await chat.send(zhang.id, "2027-12-31"))  # beyond 180 days
    r = await chat.send(zhang.id, "3月30日")
    assert "其他：生产线技术改造" in text_of(r) and "2026-03-30" in text_of(r)
    async with chat.db.session() as s:
        assert (await s.scalar(select(PowerReason))).until == D(2026, 3, 30)


async def test_appeal_opened_from_a_card(chat):
    yang = await chat.user("杨帆")
    await chat.send(yang.id, "/power")
    a1 = await _anomaly(chat.db, E1)
    r = await chat.press(yang.id, f"pw:a:{a1.id}")
    assert "建议类别：能源" in text_of(r) and E1 in text_of(r)
    energy = f"ai:c:{CATEGORIES.index('能源')}:{yang.id}"
    assert _data(r)[0] == energy
    await chat.press(yang.id, energy)
    await chat.press(yang.id, f"ai:u:B:{yang.id}")
    await chat.send(yang.id, "企业反映近期供电线路检修频繁，生产受影响，请求协调供电部门。")
    r = await chat.press(yang.id, f"ai:done:{yang.id}")
    assert "用电骤降" in text_of(r) and "类别：能源" in text_of(r)
    await chat.press(yang.id, f"ai:ok:{yang.id}")
    async with chat.db.session() as s:
        appeal = (await s.scalars(select(Appeal))).unique().one()
    assert appeal.category == "能源" and appeal.enterprise_id == a1.enterprise_id
    assert "【日监测】" in appeal.description and "2026-03-17" in appeal.description and "-50%" in appeal.description

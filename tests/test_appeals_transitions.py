"""Every action x every role/relation x every state: allowed (and applied) or refused with nothing changed.

The expectations below are written out by hand from the brief, independently of workflow.TABLE.
"""
from __future__ import annotations

from datetime import date

from handlers.appeals import workflow
from storage.models import Appeal, AppealStatus, DialogState
from tests.chat import ChatDriver, buttons_of

from .test_appeals_kit import count, events, file_quick, force, force_state, load, snapshot, unit_id

S = AppealStatus
RUN = {S.ASSIGNED, S.IN_PROGRESS}
ACTORS = {
    "own": "张伟",             # cadre of the appeal's enterprise (任城区)
    "cadre_other": "杨帆",     # cadre of another enterprise in the same county
    "reviewer": "李卫东",       # reviewer of 任城区
    "reviewer_other": "孙丽",   # reviewer of 邹城市
    "handler": "赵敏",          # handler of 金融要素保障组 (the unit the appeal is with)
    "handler_other": "钱磊",    # handler of 政策支持要素保障组
    "admin": "王建国",
}
EXPECTED: dict[str, dict[str, set]] = {
    "asg": {"reviewer": {S.SUBMITTED}, "admin": {S.SUBMITTED, S.CITY_REVIEW, S.CONSULTATION}},
    "esc": {"reviewer": {S.SUBMITTED}, "admin": {S.SUBMITTED}},
    "ret": {"reviewer": {S.SUBMITTED}, "admin": {S.SUBMITTED, S.CITY_REVIEW}},
    "res": {"own": {S.RETURNED}, "admin": {S.RETURNED}},
    "con": {"admin": {S.CITY_REVIEW}},
    "sign": {"handler": {S.ASSIGNED}, "admin": {S.ASSIGNED}},
    "stg": {"handler": {S.IN_PROGRESS}, "admin": {S.IN_PROGRESS}},
    "fin": {"handler": {S.IN_PROGRESS}, "admin": {S.IN_PROGRESS}},
    "exp": {"handler": {S.IN_PROGRESS}, "admin": {S.IN_PROGRESS}},
    "tr": {"handler": RUN, "admin": RUN},
    "ext": {"handler": RUN, "admin": RUN},
    "exy": {"reviewer": RUN, "admin": RUN},
    "exn": {"reviewer": RUN, "admin": RUN},
    "sat": {"own": {S.RESOLVED, S.EXPLAINED}, "admin": {S.RESOLVED, S.EXPLAINED}},
    "rdo": {"reviewer": {S.DISPUTED}, "admin": {S.DISPUTED}},
    "cls": {"reviewer": {S.DISPUTED}, "admin": {S.DISPUTED}},
    "cat": {"own": {S.SUBMITTED}, "reviewer": {S.SUBMITTED}, "admin": {S.SUBMITTED}},
    "urg": {"own": {S.SUBMITTED}, "reviewer": {S.SUBMITTED}, "admin": {S.SUBMITTED}},
    "dl": {"admin": RUN},
    "dup": {"admin": set(S)},
}
TEXTS = {
    "ret": "请补充近三年财务报表", "res": "已补充财务报表和贷款合同", "stg": "已与工商银行对接，正在审批",
    "fin": "工商银行已续贷500万元", "exp": "该事项不符合现行信贷政策，已向企业耐心说明", "tr": "土地要素保障组 属于用地指标问题",
    "ext": "5 银行审批流程较长", "dl": "2026-12-31", "con": "用地指标涉及土地组和任城区，需要市县会商",
    "exn": "理由不充分，请按原时限办结", "cls": "已两次协调银行，企业不符合授信条件，已当面解释",
}
SAME = None  # the state does not change
TARGET = {"asg": S.ASSIGNED, "esc": S.CITY_REVIEW, "ret": S.RETURNED, "res": S.SUBMITTED, "con": S.CONSULTATION,
          "sign": S.IN_PROGRESS, "stg": S.IN_PROGRESS, "fin": S.RESOLVED, "exp": S.EXPLAINED, "tr": S.ASSIGNED,
          "ext": SAME, "exy": SAME, "exn": SAME, "sat": S.CLOSED, "rdo": S.ASSIGNED, "cls": S.CLOSED, "cat": S.SUBMITTED, "urg": S.SUBMITTED, "dl": SAME, "dup": SAME}


def test_expectations_cover_the_table():
    assert set(EXPECTED) == set(workflow.TABLE)


async def _setup(demo):
    db, refs = demo
    chat = ChatDriver(db)
    ids = {k: refs.user_ids[v] for k, v in ACTORS.items()}
    aid = await file_quick(chat, ids["own"])
    other = await file_quick(chat, refs.user_ids["杨帆"], "企业研发楼建设用地指标不足，希望协调新增用地指标")
    units = {"finance": await unit_id(db, "金融要素保障组"), "county": await unit_id(db, "任城区"),
             "land": await unit_id(db, "土地要素保障组")}
    return db, chat, ids, aid, other, units


async def test_every_action_role_and_state(demo):
    db, chat, ids, aid, other, units = await _setup(demo)
    x = {"asg": str(units["county"]), "sat": "1", "cat": "1", "urg": "A", "rdo": str(units["land"])}
    texts = dict(TEXTS, dup=str(other))
    checked = allowed_count = 0
    for state in S:
        for action in workflow.TABLE:
            extension = "pending" if action in ("exy", "exn") else None
            await force_state(db, aid, state, unit=units["finance"], county_unit=units["county"], extension=extension)
            before = await snapshot(db, aid)
            data = f"ap:{action}:{aid}" + (f":{x[action]}" if action in x else "")
            allowed = [a for a in ids if state in EXPECTED[action].get(a, set())]
            # Refused first: one toast each, and afterwards the row, history, outbox and dialogs are untouched.
            for actor in [a for a in ids if a not in allowed]:
                replies = await chat.press(ids[actor], data)
                checked += 1
                assert len(replies) == 1 and replies[0].toast and not replies[0].text.startswith("已"), (action, actor, state)
            assert await snapshot(db, aid) == before, (action, state)
            for actor in allowed:
                uid = ids[actor]
                checked += 1
                allowed_count += 1
                where = f"{action} by {actor} from {state}"
                replies = await chat.press(uid, data)
                if action in texts:
                    assert "请" in replies[0].text and not replies[0].toast, where  # the prompt
                    assert await count(db, DialogState) == 1, where
                    replies = await chat.send(uid, texts[action])
                assert replies[0].text.startswith("已"), (where, replies[0].text)
                after = await load(db, aid)
                target = TARGET[action] or state
                assert after.status == target, where
                evs = await events(db, aid)
                assert len(evs) == before[6] + 1, where
                assert (evs[-1].from_status, evs[-1].to_status) == (str(state), str(target)), where
                assert await count(db, DialogState) == 0, where
                _check_effect(action, after, units, other)
                await force_state(db, aid, state, unit=units["finance"], county_unit=units["county"], extension=extension)
                before = await snapshot(db, aid)
    assert checked == len(S) * len(workflow.TABLE) * len(ACTORS)
    assert allowed_count == sum(len(v) for per in EXPECTED.values() for v in per.values())


def _check_effect(action: str, a: Appeal, units: dict, other: int) -> None:
    if action == "asg":
        assert a.unit_id == units["county"] and a.deadline is not None and a.level in ("county", "city")
    elif action == "esc":
        assert a.level == "city"
    elif action == "tr":
        assert a.unit_id == units["land"] and a.deadline == date(2026, 3, 20)  # the clock does not restart
    elif action == "ext":
        assert (a.extension_state, a.extension_days) == ("pending", 5)
    elif action == "exy":
        assert a.extension_state == "granted" and a.deadline == date(2026, 3, 27)  # 5 more working days
    elif action == "exn":
        assert a.extension_state == "refused" and a.deadline == date(2026, 3, 20)
    elif action == "sat":
        assert a.satisfaction == "满意" and a.closed_at is not None
    elif action == "cat":
        assert a.category == "基金"
    elif action == "urg":
        assert a.urgency == "A"
    elif action == "dl":
        assert a.deadline == date(2026, 12, 31)
    elif action == "dup":
        assert a.duplicate_of_id == other
    elif action == "rdo":
        assert a.unit_id == units["land"] and a.redo_count >= 1 and a.deadline is not None
    elif action == "cls":
        assert a.closed_at is not None


async def test_card_shows_exactly_the_allowed_buttons(demo):
    db, chat, ids, aid, _other, units = await _setup(demo)
    code = {"au": "asg", "cp": "cat", "pk": "rdo"}
    for state in S:
        await force_state(db, aid, state, unit=units["finance"], county_unit=units["county"])
        for actor, uid in ids.items():
            replies = await chat.press(uid, f"ap:v:{aid}")
            expected = {a for a, per in EXPECTED.items() if state in per.get(actor, set()) and a not in ("exy", "exn")}
            if actor in ("cadre_other", "reviewer_other", "handler_other") or (
                    actor == "handler" and state not in (S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.EXPLAINED, S.CLOSED, S.DISPUTED)):
                assert replies[0].toast and "无权" in replies[0].text, (actor, state)
                continue
            shown = {code.get(d.split(":")[1], d.split(":")[1]) for d in buttons_of(replies).values()} - {"h", "f"}
            assert shown == expected, (actor, state, shown, expected)
        # A pending extension shows the decision buttons to the county reviewer only in running states.
        await force_state(db, aid, state, unit=units["finance"], county_unit=units["county"], extension="pending")
        shown = set(d.split(":")[1] for d in buttons_of(await chat.press(ids["reviewer"], f"ap:v:{aid}")).values())
        assert ({"exy", "exn"} <= shown) == (state in RUN), state


async def test_forged_and_stale_buttons_change_nothing(demo):
    db, chat, ids, aid, _other, units = await _setup(demo)
    before = await snapshot(db, aid)
    for data in ["ap:zzz:%d" % aid, "ap:sign:999999", "ap:sign:abc", "ap:sign", "ap:sign:%d:1:2" % aid,
                 "ap:asg:%d" % aid, "ap:asg:%d:999999" % aid, "ap:asg:%d:%d" % (aid, await unit_id(db, "邹城市")),
                 "ap:asg:%d:%d" % (aid, await unit_id(db, "市制造强市建设指挥部办公室")), "ap:cat:%d:99" % aid,
                 "ap:cat:%d:-1" % aid, "ap:v:%d" % 999999, "ap:h:999999"]:
        replies = await chat.press(ids["reviewer"], data)
        assert len(replies) == 1 and replies[0].toast, data
    # Another county's reviewer cannot act on or even see 任城区's appeal.
    for data in [f"ap:asg:{aid}:{units['county']}", f"ap:esc:{aid}", f"ap:v:{aid}", f"ap:h:{aid}"]:
        replies = await chat.press(ids["reviewer_other"], data)
        assert replies[0].toast and "无权" in replies[0].text
    assert await snapshot(db, aid) == before
    # A reviewer may not hand a county appeal to an unrelated city unit (only county or routed unit).
    replies = await chat.press(ids["reviewer"], f"ap:asg:{aid}:{units['land']}")
    assert replies[0].toast and await snapshot(db, aid) == before
    # A closed appeal refuses its old buttons.
    await force_state(db, aid, S.CLOSED, unit=units["finance"], county_unit=units["county"])
    before = await snapshot(db, aid)
    for actor, data in [("handler", f"ap:sign:{aid}"), ("own", f"ap:sat:{aid}:3"), ("handler", f"ap:fin:{aid}")]:
        replies = await chat.press(ids[actor], data)
        assert replies[0].toast and "已销号" in replies[0].text
    assert await snapshot(db, aid) == before


async def test_text_arriving_after_the_state_moved_is_refused(demo):
    db, chat, ids, aid, _other, units = await _setup(demo)
    await force_state(db, aid, S.IN_PROGRESS, unit=units["finance"], county_unit=units["county"])
    assert "请输入办理结果" in (await chat.press(ids["handler"], f"ap:fin:{aid}"))[0].text
    # Meanwhile an admin transfers it elsewhere: the handler's text must not resolve it.
    await force(db, aid, unit_id=units["land"])
    before = await snapshot(db, aid)
    replies = await chat.send(ids["handler"], "工商银行已续贷500万元")
    assert "无权" in replies[0].text
    after = await snapshot(db, aid)
    assert after[:7] == before[:7] and await count(db, DialogState) == 0

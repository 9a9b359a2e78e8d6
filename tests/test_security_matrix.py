"""Permission matrix generated from the handler registry: every command and every button prefix/action
against every role, an unknown account, an unenrolled and an enrolled group, and forged payloads.

Allowed uses work (no refusal, no apology); everything else is refused and leaves every table unchanged.
"""
from __future__ import annotations

import itertools

from handlers import registry
from handlers.appeals import workflow
from handlers.confidential import SENT_PRIVATELY
from handlers.dispatcher import ERROR_REPLY, NO_RIGHT, NOT_ENROLLED_GROUP, NOT_ENROLLED_USER
from handlers.types import Reply
from storage.demo import DEMO_GROUP_CHAT_ID
from tests.chat import ChatDriver, buttons_of, text_of

from .security_kit import changed_tables, db_snapshot
from .test_appeals_kit import file_quick, unit_id

ROLE_USERS = {"cadre": "张伟", "handler": "赵敏", "reviewer": "李卫东", "admin": "王建国"}
PRIVATE_ONLY = "请在与攀登助手的私聊中使用该命令。"
GROUP_ONLY = "该命令只能在群聊中使用。"
REFUSALS = (NO_RIGHT, NOT_ENROLLED_USER, NOT_ENROLLED_GROUP, PRIVATE_ONLY, GROUP_ONLY)
# Actions built at run time (f"ap:{action}:…", _data(kind, …)) that no literal in the source shows.
DYNAMIC_ACTIONS = {
    "ap": set(workflow.TABLE) | {"v", "h", "au", "cp", "dupn"},
    "ai": {"e", "c", "u", "done", "sub", "att", "edit", "cx"},
    "al": {"m", "t", "l"},
    "po": {"c", "ap"},
    "sd": {"ok", "kd", "vd", "ed", "en", "ep", "cx", "ps", "pd", "cl", "y", "n", "in", "sg", "fx"},
    "pw": {"r", "rc", "ru", "a"},
    "ef": {""},
    "st": {"mute", "unmute"},
}
FORTY = "1" * 40


def _expected(spec: registry.CommandSpec, role: str | None, place: str) -> str:
    """What the registry declares for this command, role and place: 'ok' or the refusal expected."""
    if place == "unenrolled" and spec.name != "bindgroup":  # only /bindgroup reaches the handlers there
        return "silent-or-group-note"
    if role is None:
        if spec.anonymous:
            return "ok"
        return NOT_ENROLLED_USER if place == "private" else "silent"
    if spec.where == "private" and place != "private":
        return PRIVATE_ONLY
    if spec.where == "group" and place == "private":
        return GROUP_ONLY
    if spec.roles is not None and role not in spec.roles:
        return NO_RIGHT
    return "ok"


def _refused_like(replies: list[Reply], expected: str) -> bool:
    text = text_of(replies)
    if expected == "silent":
        return not replies
    if expected == "silent-or-group-note":
        return not replies or text == NOT_ENROLLED_GROUP
    return text == expected or (expected == NO_RIGHT and text.startswith(NO_RIGHT))


async def test_every_command_for_every_role_and_place(demo):
    db, refs = demo
    u = refs.user_ids
    chat = ChatDriver(db)
    await file_quick(chat, u["张伟"])
    specs = sorted(registry.COMMANDS.values(), key=lambda s: s.name == "unbindgroup")  # unbinding the group goes last
    unknown_ids = itertools.count(10**9)
    group_ids = itertools.count(-100555000000, -1)
    snap = await db_snapshot(db)
    tried = 0
    for spec in specs:
        for role, place in itertools.product(["cadre", "handler", "reviewer", None, "admin"], ("private", "group", "unenrolled")):
            uid = u[ROLE_USERS[role]] if role else next(unknown_ids)
            chat_id = {"private": uid, "group": DEMO_GROUP_CHAT_ID, "unenrolled": next(group_ids)}[place]
            replies = await chat.send(uid, f"/{spec.name}", chat_id=chat_id, chat_type="private" if place == "private" else "supergroup")
            expected = _expected(spec, role, place)
            tried += 1
            assert ERROR_REPLY not in text_of(replies), (spec.name, role, place)
            if expected == "ok":
                assert not any(text_of(replies).startswith(r) for r in REFUSALS if r != NOT_ENROLLED_USER), (spec.name, role, place, text_of(replies))
                snap = await db_snapshot(db)
                continue
            assert _refused_like(replies, expected), (spec.name, role, place, expected, text_of(replies))
            after = await db_snapshot(db)
            assert changed_tables(snap, after) == {}, (spec.name, role, place)
    assert tried == len(specs) * 5 * 3


def _actions_seen_in(replies_list) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for replies in replies_list:
        for data in buttons_of(replies).values():
            prefix, _, rest = data.partition(":")
            out.setdefault(prefix, set()).add(rest.split(":", 1)[0] if ":" in rest or rest.isalpha() else "")
    return out


async def _press_all_refused(chat, db, presser: int, payloads: list[str], *, chat_kw=None) -> list[tuple[str, str]]:
    """Press each payload; return those that were not refused with a toast (or silence), and check no table changed."""
    before = await db_snapshot(db)
    bad = []
    for data in payloads:
        replies = await chat.press(presser, data, **(chat_kw or {}))
        text = text_of(replies)
        # a refusal is a pop-up; an unenrolled group hears its one-time note instead
        if ERROR_REPLY in text or not all(r.toast or r.text == NOT_ENROLLED_GROUP for r in replies):
            bad.append((data, text[:80]))
    changed = changed_tables(before, await db_snapshot(db))
    assert changed == {}, (presser, changed, payloads[:5])
    return bad


async def test_every_button_refuses_outsiders_and_forged_payloads(demo):
    db, refs = demo
    u = refs.user_ids
    chat = ChatDriver(db)
    aid = await file_quick(chat, u["张伟"])  # 任城区, submitted
    card = await chat.press(u["李卫东"], f"ap:v:{aid}")
    intake = await chat.send(u["杨帆"], "/appeal")
    post = await chat.send(u["朱琳"], "/supply 高纯石英砂 99.99% 每月200吨")
    seen = _actions_seen_in([card, intake, post, await chat.send(u["张伟"], "/settings"), await chat.send(u["李卫东"], "/ledger")])
    for prefix, actions in seen.items():  # every button the bot really showed is in the matrix
        assert prefix in registry.CALLBACKS and actions <= DYNAMIC_ACTIONS[prefix] | {""}, (prefix, actions - DYNAMIC_ACTIONS[prefix])
    assert set(registry.CALLBACKS) <= set(DYNAMIC_ACTIONS), set(registry.CALLBACKS) - set(DYNAMIC_ACTIONS)
    post_data = next((d for d in buttons_of(post).values() if d.startswith("sd:")), "sd:ok:1")
    post_id = post_data.split(":")[2]
    owner = str(u["杨帆"])
    county = f"al:lc{await unit_id(db, '任城区')}:0"  # a 任城区 ledger page, as Filters.encode writes it
    objects = {"ap": str(aid), "ai": f"1:{owner}", "sd": post_id, "po": "1", "pw": "1", "ef": "1", "al": "0"}

    # 1. outsiders: other counties' reviewers, other units' handlers, other cadres, on objects that are not theirs
    outsiders = {"ap": ["孙丽", "周强", "杨帆", "施展", "郑涛", "冯雪"], "ai": ["张伟", "朱琳", "孙丽", "赵敏"],
                 "sd": ["杨帆", "张伟", "施展"], "po": ["杨帆", "孙丽"], "pw": ["杨帆", "孙丽", "赵敏"], "ef": ["赵敏", "郑涛"]}
    bad = []
    for prefix, names in outsiders.items():
        payloads = [f"{prefix}:{a}:{objects[prefix]}" if a else f"{prefix}:{objects[prefix]}" for a in sorted(DYNAMIC_ACTIONS[prefix])]
        payloads += [p + ":1" for p in payloads if prefix in ("ap", "pw")]
        for name in names:
            bad += [(name, *b) for b in await _press_all_refused(chat, db, u[name], payloads)]
    for name in ("孙丽", "周强"):  # the 任城区 ledger pages are not theirs
        bad += [(name, *b) for b in await _press_all_refused(chat, db, u[name], [county, county.replace(":0", ":1")])]
    bad += [("李卫东", *b) for b in await _press_all_refused(chat, db, u["李卫东"], ["al:m:0"])]
    assert not bad, bad[:10]

    # 2. forged payloads, pressed by every role, the unknown account and in the unenrolled group
    forged = []
    for prefix in sorted(set(DYNAMIC_ACTIONS) - {"st"}):
        for action in sorted(DYNAMIC_ACTIONS[prefix]):
            head = f"{prefix}:{action}" if action else prefix
            forged += [head, f"{head}:²", f"{head}:{FORTY}", f"{head}:１", f"{head}:-1", f"{head}:" + "9" * 64,
                       f"{head}:{objects.get(prefix, '1')}:²:²:²", f"{head}:{'é' * 30}"]
    forged += ["", ":", "zz:v:1", "ap", "ap:v:1\u200b", "AP:V:1"]
    pressers = [u[n] for n in ROLE_USERS.values()] + [10**9 + 7]
    for presser in pressers:
        bad += [(presser, *b) for b in await _press_all_refused(chat, db, presser, forged)]
    bad += [("unenrolled", *b) for b in await _press_all_refused(
        chat, db, u["王建国"], forged[:40], chat_kw=dict(chat_id=-100444, chat_type="supergroup"))]
    assert not bad, bad[:10]

    # 3. the insiders' own buttons still work
    assert f"#{aid}" in text_of(await chat.press(u["李卫东"], f"ap:v:{aid}"))
    assert f"#{aid}" in text_of(await chat.press(u["王建国"], f"ap:v:{aid}"))
    assert "#" in text_of(await chat.press(u["张伟"], f"ap:h:{aid}"))
    assert SENT_PRIVATELY in text_of(await chat.press(u["李卫东"], f"ap:v:{aid}", chat_id=DEMO_GROUP_CHAT_ID, chat_type="supergroup"))

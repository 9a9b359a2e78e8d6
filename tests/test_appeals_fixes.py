"""Regressions from a newcomer's console session: dialogs that ended on a typo, /dup without a question,
misleading refusals, wording, free-worded extensions, the return reason on the card, urgency inference."""
from __future__ import annotations

from handlers.types import Attachment
from storage.models import AppealStatus, DialogState
from tests.chat import ChatDriver, buttons_of, text_of

from .test_appeals_kit import count, events, file_quick, load, snapshot

S = AppealStatus
LAND_TEXT = "新建车间需要用地指标，县里暂无指标，希望市里协调"


async def _in_progress(chat, u, text: str | None = None) -> int:
    """File as 张伟, hand to 金融组 as 李卫东, sign as 赵敏."""
    aid = await file_quick(chat, u["张伟"], *([text] if text else []))
    r = await chat.press(u["李卫东"], f"ap:v:{aid}")
    await chat.press(u["李卫东"], buttons_of(r)["交金融组"])
    await chat.press(u["赵敏"], f"ap:sign:{aid}")
    return aid


async def test_transfer_to_own_unit_keeps_the_dialog_open(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await _in_progress(chat, u)
    await chat.press(u["赵敏"], f"ap:tr:{aid}")
    before = await snapshot(db, aid)
    r = await chat.send(u["赵敏"], "金融组 自己转给自己")
    assert "不能转给自己" in r[0].text and "/cancel" in r[0].text and "例如" in r[0].text
    assert await snapshot(db, aid) == before and await count(db, DialogState) == 1
    r = await chat.send(u["赵敏"], "土地要素保障组 该问题属于用地指标")
    assert r[0].text.startswith("已转土地组办理")
    a = await load(db, aid)
    assert a.unit.name == "土地要素保障组" and await count(db, DialogState) == 0


async def test_a_dialog_ended_by_a_refusal_says_so(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await _in_progress(chat, u)
    await chat.press(u["赵敏"], f"ap:fin:{aid}")
    await chat.press(u["王建国"], f"ap:tr:{aid}")
    await chat.send(u["王建国"], "土地组 属于用地问题")  # meanwhile the city office moves it away
    r = await chat.send(u["赵敏"], "工商银行已续贷500万元")
    assert "无权" in r[0].text and "“办结”操作已结束" in r[0].text and await count(db, DialogState) == 0
    assert (await load(db, aid)).status == S.ASSIGNED


async def test_every_action_dialog_survives_bad_input(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await _in_progress(chat, u)
    other = await file_quick(chat, u["杨帆"], LAND_TEXT)
    cases = [
        (u["赵敏"], "ext", ["延期几天吧", "100天 等待总行批复", "0天 等待总行批复", "延期10个工作日"]),
        (u["赵敏"], "tr", ["请别的部门处理", "邹城市 企业在邹城有分厂", "金融组 转给自己"]),
        (u["王建国"], "dl", ["下周吧", "2020-01-01"]),
        (u["王建国"], "dup", ["abc", str(aid), "99999"]),
        (u["赵敏"], "fin", ["好", "😀😀"]),
    ]
    for uid, action, bad_inputs in cases:
        r = await chat.press(uid, f"ap:{action}:{aid}")
        assert "/cancel" in r[0].text, action
        before = await snapshot(db, aid)
        for text in bad_inputs:
            r = await chat.send(uid, text)
            assert len(r) == 1 and "/cancel" in r[0].text and not r[0].text.startswith("已"), (action, text, r[0].text)
            assert r[0].text.count("例如") <= 1 and "选择。请" not in r[0].text, r[0].text
            assert await snapshot(db, aid) == before, (action, text)
        # A photo instead of text is an input error too.
        r = await chat.send(uid, "", attachments=(Attachment(kind="photo", file_id="f1", file_name="a.jpg"),))
        assert "/cancel" in r[0].text and await count(db, DialogState) == 1
        await chat.send(uid, "/cancel")
        assert await count(db, DialogState) == 0
    # The dup dialog names the reason it refuses: itself, or an unknown number.
    await chat.press(u["王建国"], f"ap:dup:{aid}")
    assert "它自己" in (await chat.send(u["王建国"], str(aid)))[0].text
    assert "找不到原诉求 #99999" in (await chat.send(u["王建国"], "99999"))[0].text
    r = await chat.send(u["王建国"], f"#{other}")
    assert r[0].text.startswith("已关联重复") and "类别不同" in r[0].text and "不同企业" in r[0].text
    assert (await load(db, aid)).duplicate_of_id == other


async def test_dup_command_asks_before_linking(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    first = await file_quick(chat, u["张伟"])
    second = await file_quick(chat, u["杨帆"], LAND_TEXT)
    admin = u["王建国"]
    assert "用法" in (await chat.send(admin, "/dup abc def"))[0].text
    assert "用法" in (await chat.send(admin, "/dup 1"))[0].text
    r = await chat.send(admin, f"/dup {first} {first}")
    assert "它自己" in r[0].text and "找不到" not in r[0].text
    assert "没有找到诉求 #99999" in (await chat.send(admin, f"/dup 99999 {first}"))[0].text
    before = await snapshot(db, second)
    r = await chat.send(admin, f"/dup {second} {first}")
    text = r[0].text
    assert "请确认" in text and f"#{second}" in text and f"#{first}" in text
    assert "类别不同（土地、金融）" in text and "不同企业" in text
    assert set(buttons_of(r)) == {"确认关联", "取消"}
    assert await snapshot(db, second) == before  # nothing happens before the press
    r2 = await chat.press(admin, buttons_of(r)["取消"])
    assert "已取消" in r2[0].text and (await load(db, second)).duplicate_of_id is None
    r2 = await chat.press(u["李卫东"], buttons_of(r)["确认关联"])  # a reviewer pressing the admin's buttons
    assert r2[0].toast and (await load(db, second)).duplicate_of_id is None
    r2 = await chat.press(u["李卫东"], buttons_of(r)["取消"])
    assert r2[0].toast and "这不是您的操作" in r2[0].text
    r2 = await chat.press(admin, buttons_of(r)["确认关联"])
    assert r2[0].text.startswith("已关联重复") and r2[1].edit
    assert (await load(db, second)).duplicate_of_id == first
    assert [e.action for e in await events(db, second)][-1] == "dup"
    # The reverse link would make a loop.
    assert "不能反向关联" in (await chat.send(admin, f"/dup {first} {second}"))[0].text
    # Same enterprise and category: no warning.
    third = await file_quick(chat, u["张伟"], "流动资金紧张，银行拒绝续贷，请协调续贷")
    r = await chat.send(admin, f"/dup {third} {first}")
    assert "⚠️" not in r[0].text and "请确认" in r[0].text


async def test_someone_elses_intake_buttons_are_refused_as_not_theirs(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    r = await chat.send(u["张伟"], "/appeal")
    r = await chat.press(u["张伟"], buttons_of(r)["金融"])
    r = await chat.press(u["张伟"], buttons_of(r)["B类（一般，15个工作日）"])
    r = await chat.send(u["张伟"], "企业流动资金紧张，申请贷款被银行拒绝，希望协调续贷")
    r = await chat.press(u["张伟"], buttons_of(r)["完成"])
    confirm = buttons_of(r)["确认提交"]
    r2 = await chat.send(u["张伟"], "好的")  # typing instead of pressing: told what to press, buttons again
    assert r2[0].text.startswith("请点击下方“确认提交”") and "确认提交" in buttons_of(r2)
    for other in ("李卫东", "杨帆", "王建国"):
        r2 = await chat.press(u[other], confirm)
        assert r2[0].toast and r2[0].text == "这不是您的操作，按钮无效。", other
        r2 = await chat.press(u[other], buttons_of(r)["取消"])
        assert r2[0].toast and "这不是您的操作" in r2[0].text
    assert await count(db, DialogState) == 1  # 张伟's dialog is untouched
    r2 = await chat.press(u["张伟"], confirm)
    assert "已提交诉求" in r2[0].text
    # Afterwards the same button is simply over for its owner.
    r2 = await chat.press(u["张伟"], confirm)
    assert r2[0].toast and "已结束" in r2[0].text
    # A category button of an earlier step, pressed by its owner during a later step: outdated, not "ended".
    r = await chat.send(u["张伟"], "/appeal")
    old = buttons_of(r)["能源"]
    await chat.press(u["张伟"], buttons_of(r)["金融"])
    r2 = await chat.press(u["张伟"], old)
    assert r2[0].toast and "过时" in r2[0].text


async def test_retry_prompts_read_naturally(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    r = await chat.send(u["张伟"], "/appeal")
    r = await chat.send(u["张伟"], "不知道")
    assert "请点击下方按钮选择诉求类别" in r[0].text and "选择。请" not in r[0].text and "/cancel" in r[0].text
    await chat.press(u["张伟"], buttons_of(r)["金融"])
    r = await chat.send(u["张伟"], "很急")
    assert r[0].text.startswith("请点击下方按钮选择紧急程度") and "选择。请" not in r[0].text
    assert "A类（紧急，5个工作日）" in buttons_of(r)
    r = await chat.send(u["张伟"], "a")
    assert "紧急程度：A类（紧急）" in r[0].text
    r = await chat.send(u["张伟"], "太短")
    assert "太短" in r[0].text and "/cancel" in r[0].text


async def test_county_handling_wording_and_short_unit_names(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"], "企业新上生产线需要新增能耗指标，希望尽快协调解决")
    r = await chat.press(u["李卫东"], f"ap:v:{aid}")
    r = await chat.press(u["李卫东"], buttons_of(r)["县级办理（任城区）"])
    assert r[0].toast and r[0].text.startswith("已交由任城区县级办理") and "已交办" not in r[0].text
    assert "交县级办理（任城区）" in (await chat.outbox(u["张伟"]))[-1].text
    # A factor group is named the same short way on the card, in notes and in notifications.
    other = await file_quick(chat, u["张伟"], "企业污水处理设施环评批复迟迟未下达，影响项目建设进度")
    r = await chat.press(u["张伟"], f"ap:cat:{other}:5")  # 生态环境 again: re-routes and records a note
    await chat.press(u["李卫东"], f"ap:esc:{other}")
    r = await chat.press(u["王建国"], f"ap:au:{other}")
    r = await chat.press(u["王建国"], buttons_of(r)["生态环境组"])
    assert "责任单位：生态环境组" in r[1].text
    texts = [o.text for o in await chat.outbox()] + [e.note or "" for e in await events(db, other)]
    assert any("生态环境组" in t for t in texts)
    assert not any("要素保障组" in t for t in texts), [t for t in texts if "要素保障组" in t]


async def test_extension_in_natural_wording(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await _in_progress(chat, u)
    await chat.press(u["赵敏"], f"ap:ext:{aid}")
    r = await chat.send(u["赵敏"], "需要延期六十一个工作日，等待总行批复")
    assert "最多60个工作日" in r[0].text and "61" in r[0].text and await count(db, DialogState) == 1
    r = await chat.send(u["赵敏"], "项目审批流程较长，需要延期10个工作日")
    assert r[0].text.startswith("已申请延期 10 个工作日")
    a = await load(db, aid)
    assert (a.extension_state, a.extension_days, a.extension_reason) == ("pending", 10, "项目审批流程较长")
    assert "延期申请：待审批，10 个工作日（项目审批流程较长）" in r[1].text


async def test_return_reason_is_on_the_card(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    await chat.press(u["李卫东"], f"ap:ret:{aid}")
    await chat.send(u["李卫东"], "请补充近三年财务报表和银行拒贷说明")
    card = (await chat.press(u["张伟"], f"ap:v:{aid}"))[0].text
    assert "退回原因：请补充近三年财务报表和银行拒贷说明" in card
    await chat.press(u["张伟"], f"ap:res:{aid}")
    r = await chat.send(u["张伟"], "已补充财务报表，拒贷原因是抵押物不足")
    assert r[0].text == "已补充并重新提交，诉求 #1 现等待县级审核。"
    card = (await chat.press(u["李卫东"], f"ap:v:{aid}"))[0].text
    assert "上次退回原因：请补充近三年财务报表" in card
    # A second return shows the latest reason only.
    await chat.press(u["李卫东"], f"ap:ret:{aid}")
    await chat.send(u["李卫东"], "请再补充抵押物清单")
    card = (await chat.press(u["张伟"], f"ap:v:{aid}"))[0].text
    assert "退回原因：请再补充抵押物清单" in card and "近三年" not in card.split("内容：")[0]


async def test_urgency_is_inferred_from_one_line_and_correctable(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    r = await chat.send(u["张伟"], "/appeal 原料断供，工厂下周就要停产，急需协调供应商恢复供货")
    assert "紧急程度：A类（紧急）（根据描述判断为A类，可更正）" in r[0].text
    aid = int(r[0].text.split("#")[1].split("。")[0])
    assert (await load(db, aid)).urgency == "A"
    r = await chat.press(u["张伟"], buttons_of(r)["改为B类"])
    assert r[0].text.startswith("已将紧急程度改为B类") and "改为A类" in buttons_of(r)
    assert (await load(db, aid)).urgency == "B"
    assert "紧急程度由A类（紧急）更正为B类（一般）" in (await events(db, aid))[-1].note
    # The reviewer may correct it too; once reviewed, the cadre no longer can.
    await chat.press(u["李卫东"], f"ap:urg:{aid}:A")
    assert (await load(db, aid)).urgency == "A"
    assert (await chat.press(u["李卫东"], f"ap:urg:{aid}:A"))[0].toast  # already A: refused, nothing changes
    await chat.press(u["李卫东"], f"ap:esc:{aid}")
    r = await chat.press(u["张伟"], f"ap:urg:{aid}:B")
    assert r[0].toast and (await load(db, aid)).urgency == "A"
    assert (await chat.press(u["张伟"], f"ap:urg:{aid}:Z"))[0].toast
    # Calm wording stays B, and says how to change it.
    r = await chat.send(u["张伟"], "/appeal 企业想了解高新技术企业认定的申报条件，目前并不紧急")
    assert "B类（一般）（根据描述判断为B类，可更正）" in text_of(r) and "改为A类" in buttons_of(r)


async def test_city_level_extension_refusal_names_who_decides(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    await chat.press(u["李卫东"], f"ap:esc:{aid}")
    await chat.press(u["王建国"], f"ap:au:{aid}")
    r = await chat.press(u["王建国"], f"ap:v:{aid}")
    await chat.press(u["王建国"], buttons_of(r)["交金融组"])
    await chat.press(u["赵敏"], f"ap:ext:{aid}")
    await chat.send(u["赵敏"], "5 需等待省级金融部门批复")
    r = await chat.press(u["李卫东"], f"ap:exy:{aid}")
    assert r[0].toast and "由市指挥部办公室决定" in r[0].text
    assert (await load(db, aid)).extension_state == "pending"

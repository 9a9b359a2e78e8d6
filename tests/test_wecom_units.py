"""WeCom pieces on their own: the crypto against the official sample vectors, splitting at 2,048 bytes,
cards and numbered choices, the users import column, masked settings."""
from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from sqlalchemy import select

from bot.settings import Settings
from bot.wecom.crypto import CallbackError, WeComCrypto
from bot.wecom.inbound import parse_xml, to_incoming, update_id_of
from bot.wecom.render import TEXT_LIMIT, Reply, reply_messages, split_bytes
from handlers.types import Button
from storage.importer import DirectoryImportError, import_enterprises, import_users
from storage.models import PlatformAccount, User
from tests.test_core_import import SAMPLES

# The official WXBizMsgCrypt sample (token, EncodingAESKey, corp id and two captured requests).
OFFICIAL = ("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
ECHO = ("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780",
        "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==")
POST = ("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149",
        "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvu"
        "JTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+Ltw"
        "Gc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9"
        "EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0l"
        "XdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==")


def test_official_sample_vectors():
    crypto = WeComCrypto(*OFFICIAL)
    assert crypto.verify_url(*ECHO) == "1616140317555161061"
    msg = parse_xml(crypto.open(*POST))
    assert msg["FromUserName"] == "mycreate" and msg["Content"] == "hello" and msg["ToUserName"] == OFFICIAL[2]
    inc = to_incoming(msg)
    assert inc.platform == "wecom" and inc.user_id == "mycreate" and inc.text == "hello"
    assert inc.update_id == 4561255354251345929


def test_refusals():
    crypto = WeComCrypto(*OFFICIAL)
    with pytest.raises(CallbackError, match="bad signature"):
        crypto.open("0" * 40, *POST[1:])
    with pytest.raises(CallbackError, match="wrong corp id"):
        WeComCrypto(OFFICIAL[0], OFFICIAL[1], "wwAnotherCorp").open(*POST)
    with pytest.raises(CallbackError):
        crypto.decrypt("bm90IGEgYmxvY2s=")
    with pytest.raises(CallbackError, match="malformed xml"):
        parse_xml(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml>&a;</xml>')
    with pytest.raises(ValueError):
        WeComCrypto("t", "short", "corp")


def test_round_trip_and_event_identity():
    crypto = WeComCrypto("tok", "a" * 43, "wwCorp")
    secret = crypto.encrypt("<xml><Content>中文</Content></xml>".encode())
    assert crypto.decrypt(secret).decode() == "<xml><Content>中文</Content></xml>"
    press = {"FromUserName": "u", "CreateTime": "1", "MsgType": "event", "Event": "template_card_event",
             "EventKey": "ap:v:12", "TaskId": "t1", "ResponseCode": "rc"}
    inc = to_incoming(press)
    assert inc.callback_data == "ap:v:12" and inc.callback_id == "rc"
    assert update_id_of(press) == update_id_of(dict(press)) != update_id_of({**press, "CreateTime": "2"})
    assert to_incoming({**press, "EventKey": "x" * 65}).callback_data == "invalid"


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="攀登助手ab \U0001f600", min_size=0, max_size=900), min_size=1, max_size=12))
def test_split_bytes_keeps_every_line_under_the_limit(lines):
    text = "\n".join(lines)
    pieces = split_bytes(text)
    assert all(len(p.encode()) <= TEXT_LIMIT for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "") or not text.strip()


def test_cards_numbered_choices_and_markdown():
    few = Reply("诉求 #3\n状态：待县级审核", buttons=[[Button("交金融组", data="ap:as:3:5"), Button("退回", data="ap:rt:3")]])
    [card] = reply_messages(few, can_update=False)
    assert card.msgtype == "template_card" and card.content["card_type"] == "button_interaction"
    assert [b["key"] for b in card.content["button_list"]] == ["ap:as:3:5", "ap:rt:3"]
    many = Reply("请选择诉求类别：", buttons=[[Button(f"类{i}", data=f"ai:c:{i}")] for i in range(8)])
    [numbered] = reply_messages(many, can_update=True)
    assert numbered.msgtype == "text" and "8. 类7" in numbered.content["content"] and numbered.menu[7] == ["类7", "ai:c:7"]
    link = Reply("说明", buttons=[[Button("官网", url="https://example.org")]])
    assert "官网：https://example.org" in reply_messages(link, can_update=False)[0].content["content"]
    edit = Reply("已签收", buttons=[[Button("办结", data="ap:rs:3")]], edit=True)
    assert reply_messages(edit, can_update=True)[0].update
    grey, *rest = reply_messages(Reply("诉求 #3 已签收。" + "说明" * 80, buttons=[[Button("办结", data="ap:rs:3")]], edit=True),
                                 can_update=True)
    assert grey.update and not grey.content and rest[-1].msgtype == "template_card" and not rest[-1].update
    headed = reply_messages(Reply("本周待办\n1、诉求 #1\n2、诉求 #2"), can_update=False)
    assert headed[0].msgtype == "markdown" and headed[0].content["content"].startswith("**本周待办**")
    long = reply_messages(Reply("长" * 1000, buttons=[[Button("查看", data="ap:v:1")]]), can_update=False)
    assert [m.msgtype for m in long] == ["text", "text", "template_card"]


async def test_users_import_binds_wecom_accounts(db, tmp_path):
    async with db.session() as s:
        await import_enterprises(s, SAMPLES / "enterprises.csv")
        await import_users(s, SAMPLES / "users.csv")
    async with db.session() as s:
        rows = (await s.execute(select(User.name, PlatformAccount.external_id).join(PlatformAccount)
                                .where(PlatformAccount.platform == "wecom").order_by(User.name))).all()
    assert [tuple(r) for r in rows] == [("孙示例", "SunShiLi"), ("赵示例", "ZhaoShiLi")]
    head = "姓名,角色,手机号,单位,县区,驻企企业,企业微信账号\n"
    for body, why in (("吴示例,市指挥部办公室,13800000010,,,,坏 账号\n", "坏 账号"),
                      ("周示例,市指挥部办公室,13800000009,,,,ZhaoShiLi\n", "ZhaoShiLi已属于")):
        bad = tmp_path / "u.csv"
        bad.write_text(head + body, encoding="utf-8")
        with pytest.raises(DirectoryImportError) as err:
            async with db.session() as s:
                await import_users(s, bad)
        assert why in str(err.value)
    async with db.session() as s:
        assert await s.scalar(select(User).where(User.name.in_(["吴示例", "周示例"]))) is None


def test_config_masks_wecom_secrets():
    shown = Settings(_env_file=None, wecom_corp_id="wwCorp", wecom_secret="s3cr3t-value", wecom_token="tokvalue",
                     wecom_aes_key="k" * 43).masked()
    assert shown["PANDENG_WECOM_SECRET"] == shown["PANDENG_WECOM_TOKEN"] == shown["PANDENG_WECOM_AES_KEY"] == "******"
    assert shown["PANDENG_WECOM_CORP_ID"] == "wwCorp" and "s3cr3t" not in repr(shown)

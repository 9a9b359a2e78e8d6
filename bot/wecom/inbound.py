"""Decrypted WeCom callback XML → Incoming, with the ids used for exactly-once handling."""
from __future__ import annotations

import hashlib

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from handlers.types import Attachment, Incoming

from .crypto import CallbackError

PLATFORM = "wecom"
ID_MASK = (1 << 63) - 1  # processed_updates.update_id and chat ids are signed 64-bit
MAX_BODY = 256 * 1024  # a callback is a few KB; anything bigger is not WeCom


def parse_xml(data: bytes) -> dict[str, str]:
    """Top-level elements of a WeCom XML document (entities and DTDs refused by defusedxml)."""
    if len(data) > MAX_BODY:
        raise CallbackError("body too large")
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise CallbackError("malformed xml") from exc
    if root.tag != "xml":
        raise CallbackError("malformed xml")
    return {child.tag: (child.text or "") for child in root}


def stable_id(*parts: str) -> int:
    """A 63-bit integer id for values that are not numbers (userids, event identities)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & ID_MASK or 1


def chat_id_of(userid: str) -> int:
    """The integer chat id of a member's one-to-one chat with the app."""
    return stable_id("chat", userid)


def update_id_of(msg: dict[str, str]) -> int:
    """MsgId for messages; for events, their own identity (who, when, what, which card)."""
    msg_id = msg.get("MsgId", "").strip()
    if msg_id.isdigit():
        return int(msg_id) & ID_MASK
    return stable_id("event", msg.get("FromUserName", ""), msg.get("CreateTime", ""), msg.get("Event", ""),
                     msg.get("EventKey", ""), msg.get("TaskId", ""))


def to_incoming(msg: dict[str, str]) -> Incoming | None:
    """A message or a card press as an Incoming; None for what the bot does not act on."""
    userid = msg.get("FromUserName", "").strip()
    kind = msg.get("MsgType", "")
    if not userid:
        return None
    base = dict(platform=PLATFORM, user_id=userid, chat_id=chat_id_of(userid), chat_type="private",
                update_id=update_id_of(msg), user_name=userid)
    if kind == "text":
        return Incoming(**base, text=msg.get("Content", ""))
    if kind == "image" and msg.get("MediaId"):
        name = f"图片{msg.get('MsgId', '')}.jpg"
        return Incoming(**base, attachments=(Attachment("photo", msg["MediaId"], name, "image/jpeg"),))
    if kind == "video" and msg.get("MediaId"):
        name = f"视频{msg.get('MsgId', '')}.mp4"
        return Incoming(**base, attachments=(Attachment("document", msg["MediaId"], name, "video/mp4"),))
    if kind == "event" and msg.get("Event") == "template_card_event" and msg.get("EventKey"):
        data = msg["EventKey"]
        if len(data.encode()) > 64 or not data.isascii():
            data = "invalid"
        return Incoming(**base, callback_data=data, callback_id=msg.get("ResponseCode") or None)
    return None  # voice, location, link, enter_agent and other events: nothing to do

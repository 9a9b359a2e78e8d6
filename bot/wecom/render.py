"""Replies → WeCom messages: text split at 2,048 bytes, markdown for headed lists, template cards
(button_interaction) whose button keys carry the callback data, numbered replies where a card cannot
hold the buttons, files and images through media/upload."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from handlers.types import Button, OutFile, Reply

TEXT_LIMIT = 2048  # bytes: WeCom cuts text and markdown content there
CARD_BUTTONS = 6  # button_list holds at most six
CARD_TITLE = 26  # characters WeCom advises for main_title; longer titles move into the card's text
CARD_TEXT = 112  # characters WeCom advises for sub_title_text; longer texts go first as plain messages
BUTTON_TEXT = 20  # WeCom advises ten characters a button and shortens longer ones itself; keep it bounded
MARKDOWN_UNSAFE = re.compile(r"[*`\[\]<_~]|^\s*[#>]", re.M)  # what WeCom's markdown would eat or restyle


@dataclass
class Message:
    """One message/send (or update_template_card when `update` is set)."""

    msgtype: str  # text | markdown | template_card | image | file
    content: dict = field(default_factory=dict)
    file: OutFile | None = None  # uploaded first; its media_id goes into content
    menu: list[list[str]] | None = None  # numbered choices this message offers: [[text, data], ...]
    update: bool = False  # replace the pressed card (response_code) instead of sending
    # With update and no content: only grey the pressed card's buttons out (its reply follows anew).
    done_label: str = "已处理"


def split_bytes(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, cut at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = line if not current else current + "\n" + line
        if len(candidate.encode()) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(line.encode()) > limit:  # one line longer than a message: cut by characters
            cut = len(line.encode()[:limit].decode("utf-8", "ignore"))
            pieces.append(line[:cut])
            line = line[cut:]
        current = line
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def text_messages(text: str) -> list[Message]:
    """Plain text, or markdown with a bold title for a headed list that has nothing markdown would eat."""
    lines = text.strip("\n").split("\n")
    if len(lines) >= 3 and len(lines[0]) <= 40 and not MARKDOWN_UNSAFE.search(text):
        body = "**" + lines[0] + "**\n" + "\n".join(lines[1:])
        if len(body.encode()) <= TEXT_LIMIT:
            return [Message("markdown", {"content": body})]
    return [Message("text", {"content": piece}) for piece in split_bytes(text)]


def _rows_flat(buttons: list[list[Button]] | list[list[dict]]) -> list[dict]:
    flat = []
    for row in buttons or []:
        for b in row:
            flat.append(b if isinstance(b, dict) else {k: v for k, v in (("text", b.text), ("data", b.data),
                                                                         ("url", b.url)) if v is not None})
    return flat


def fits_card(buttons: list[dict]) -> bool:
    """A button_interaction card holds up to six callback buttons and no links."""
    return 0 < len(buttons) <= CARD_BUTTONS and all("data" in b for b in buttons)


def card(text: str, buttons: list[dict]) -> dict:
    """A button_interaction template card; each button's key is the callback data, unchanged."""
    lines = [ln for ln in text.strip().split("\n") if ln.strip()] or ["攀登助手"]
    title, rest = lines[0], "\n".join(lines[1:])
    body: dict = {
        "card_type": "button_interaction",
        "source": {"desc": "攀登助手"},
        "main_title": {"title": title[:CARD_TITLE]},
        "task_id": "pd" + secrets.token_hex(12),  # unique per app, [A-Za-z0-9_-@], at most 128 bytes
        "button_list": [{"text": b["text"][:BUTTON_TEXT], "style": 1 if i == 0 else 2, "key": b["data"]}
                        for i, b in enumerate(buttons)],
    }
    if len(title) > CARD_TITLE:
        rest = title + ("\n" + rest if rest else "")
    if rest:
        body["sub_title_text"] = rest
    return body


def numbered(text: str, buttons: list[dict]) -> list[Message]:
    """The console's fallback: the choices as numbered lines; replying with the number presses it."""
    menu = [[b["text"], b["data"]] for b in buttons if "data" in b]
    lines = [text.rstrip()] if text.strip() else []
    if menu:
        lines.append("回复数字即可选择：")
        lines += [f"{i}. {label}" for i, (label, _) in enumerate(menu, 1)]
    for b in buttons:
        if "url" in b:
            lines.append(f"{b['text']}：{b['url']}")
    messages = [Message("text", {"content": p}) for p in split_bytes("\n".join(lines))]
    if messages and menu:
        messages[-1].menu = menu
    return messages


def with_buttons(text: str, buttons: list[dict], *, update: bool = False) -> list[Message]:
    """Text plus its buttons: a card when it can hold them (long text goes first), else numbered."""
    if not buttons:
        return text_messages(text) if text.strip() else []
    if not fits_card(buttons):
        return numbered(text, buttons)
    if len(text) <= CARD_TEXT:
        return [Message("template_card", card(text, buttons), update=update)]
    first_line = text.strip().split("\n", 1)[0]
    return text_messages(text) + [Message("template_card", card(first_line[:CARD_TITLE] + "\n请选择操作：", buttons))]


def reply_messages(reply: Reply, *, can_update: bool) -> list[Message]:
    """One handler reply as WeCom messages, in order."""
    out: list[Message] = []
    media = reply.document or reply.photo
    buttons = _rows_flat(reply.buttons)
    if media is not None:
        kind = "file" if reply.document is not None else "image"
        if reply.text.strip():
            out += with_buttons(reply.text, buttons)
            buttons = []
        out.append(Message(kind, {}, file=media))
        return out
    if reply.edit and can_update:
        if buttons and fits_card(buttons) and len(reply.text) <= CARD_TEXT:
            return [Message("template_card", card(reply.text, buttons), update=True)]
        # the new content does not fit the old card: grey the pressed one out, send the rest anew
        out.append(Message("template_card", {}, update=True))
    return out + with_buttons(reply.text, buttons)


def outbox_messages(text: str, buttons: list[list[dict]] | None) -> list[Message]:
    """An outbox notification as WeCom messages (the sender sends them one by one)."""
    return with_buttons(text, _rows_flat(buttons or []))

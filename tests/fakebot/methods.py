"""Bot API method implementations of the fake server, operating on BotState."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any, Awaitable, Callable

from .state import (BUTTON_DATA_LIMIT, CAPTION_LIMIT, TEXT_LIMIT, ApiError, BotState,
                    SentMessage, StoredFile)

Upload = tuple[str | None, str | None, bytes]  # (filename, content_type, data)
Handler = Callable[[BotState, dict, dict[str, Upload]], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(*names: str):
    """Register a Bot API method implementation (names are case-insensitive)."""
    def deco(fn: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = fn
        return fn
    return deco


def check_markup(markup: Any) -> dict | None:
    """Validate an inline keyboard like Telegram does (callback_data 1..64 bytes)."""
    if markup in (None, ""):
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not (1 <= len(data.encode()) <= BUTTON_DATA_LIMIT):
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    return markup


def message_json(state: BotState, msg: SentMessage) -> dict:
    """Serialise a bot message the way Telegram returns it."""
    out: dict[str, Any] = {"message_id": msg.message_id, "date": msg.date,
                           "chat": state.chats[msg.chat_id], "from": state.bot_user}
    if msg.text is not None:
        out["text"] = msg.text
    if msg.caption:
        out["caption"] = msg.caption
    if msg.reply_markup:
        out["reply_markup"] = msg.reply_markup
    if msg.edits:
        out["edit_date"] = msg.edits[-1]["date"]
    if msg.photo:
        out["photo"] = [photo_size(msg.photo)]
    if msg.document:
        out["document"] = document_json(msg.document)
    return out


def photo_size(f: StoredFile) -> dict:
    """A PhotoSize for a stored file (dimensions are invented)."""
    return {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "width": 640,
            "height": 480, "file_size": len(f.data)}


def document_json(f: StoredFile) -> dict:
    """A Document object for a stored file."""
    out = {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": len(f.data)}
    if f.file_name:
        out["file_name"] = f.file_name
    if f.mime_type:
        out["mime_type"] = f.mime_type
    return out


def store_file(state: BotState, data: bytes, folder: str, file_name: str | None = None,
               mime_type: str | None = None) -> StoredFile:
    """Keep uploaded bytes and give them a file_id and a download path."""
    n = state.next_id()
    digest = hashlib.sha1(data).hexdigest()[:16]
    ext = (file_name.rsplit(".", 1)[-1] if file_name and "." in file_name
           else ("jpg" if folder == "photos" else "bin"))
    f = StoredFile(file_id=f"FILE{n}-{digest}", file_unique_id=f"U{digest}", data=data,
                   file_path=f"{folder}/file_{n}.{ext}", file_name=file_name, mime_type=mime_type)
    state.files[f.file_id] = f
    return f


def check_target(state: BotState, params: dict) -> int:
    """Resolve chat_id and apply 'blocked by the user' for users marked blocked."""
    chat = state.chat(params.get("chat_id"))
    if chat["id"] in state.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat["id"]


def find_message(state: BotState, params: dict) -> SentMessage:
    """The bot message addressed by chat_id + message_id."""
    chat_id = state.chat(params.get("chat_id"))["id"]
    mid = int(params.get("message_id") or 0)
    for msg in state.messages.get(chat_id, []):
        if msg.message_id == mid:
            return msg
    raise ApiError(400, "Bad Request: message to edit not found")


async def record(state: BotState, msg: SentMessage) -> dict:
    """Append a sent message, wake waiters and return its JSON."""
    state.messages.setdefault(msg.chat_id, []).append(msg)
    await state.notify()
    return message_json(state, msg)


@method("getMe")
async def get_me(state, params, files):
    """getMe: the bot's own user."""
    return state.bot_user


@method("sendMessage")
async def send_message(state, params, files):
    """sendMessage with inline keyboards and Telegram's length limits."""
    chat_id = check_target(state, params)
    text = params.get("text")
    if text is None or not str(text).strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(str(text)) > TEXT_LIMIT:
        raise ApiError(400, "Bad Request: message is too long")
    markup = check_markup(params.get("reply_markup"))
    msg = SentMessage(chat_id, state.next_message_id(chat_id), state.now(), text=str(text),
                      reply_markup=markup, parse_mode=params.get("parse_mode"), params=params)
    return await record(state, msg)


async def _edit(state: BotState, params: dict, text: str | None, markup_only: bool) -> Any:
    if params.get("inline_message_id"):
        return True
    msg = find_message(state, params)
    markup = check_markup(params.get("reply_markup"))
    if markup_only:
        if markup == msg.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
    else:
        if not text or not str(text).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(str(text)) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        if text == msg.text and markup == msg.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
        msg.text = str(text)
    msg.edits.append({"date": state.now(), "text": msg.text, "reply_markup": markup})
    msg.reply_markup = markup
    await state.notify()
    return message_json(state, msg)


@method("editMessageText")
async def edit_message_text(state, params, files):
    """editMessageText (text and keyboard)."""
    return await _edit(state, params, params.get("text"), markup_only=False)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(state, params, files):
    """editMessageReplyMarkup (keyboard only)."""
    return await _edit(state, params, None, markup_only=True)


@method("answerCallbackQuery")
async def answer_callback_query(state, params, files):
    """answerCallbackQuery: only for presses the fake injected, and only once."""
    cq = state.callbacks.get(str(params.get("callback_query_id")))
    if cq is None or cq.get("answered"):
        raise ApiError(400, "Bad Request: query is too old and response timeout expired or "
                            "query ID is invalid")
    cq.update(answered=True, text=params.get("text"), show_alert=bool(params.get("show_alert")))
    await state.notify()
    return True


def _resolve_upload(state: BotState, value: Any, files: dict[str, Upload], field: str,
                    folder: str) -> StoredFile:
    """Turn a photo/document parameter (upload, attach://, file_id) into a StoredFile."""
    upload = None
    if isinstance(value, str) and value.startswith("attach://"):
        upload = files.get(value[len("attach://"):])
    elif field in files:
        upload = files[field]
    if upload is not None:
        name, ctype, data = upload
        if not data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        return store_file(state, data, folder, name, ctype)
    if isinstance(value, str) and value in state.files:
        return state.files[value]
    raise ApiError(400, "Bad Request: wrong remote file identifier specified: wrong padding "
                        "in the string")


async def _send_media(state, params, files, field: str, folder: str) -> dict:
    chat_id = check_target(state, params)
    stored = _resolve_upload(state, params.get(field), files, field, folder)
    caption = params.get("caption")
    if caption and len(str(caption)) > CAPTION_LIMIT:
        raise ApiError(400, "Bad Request: message caption is too long")
    msg = SentMessage(chat_id, state.next_message_id(chat_id), state.now(), caption=caption,
                      reply_markup=check_markup(params.get("reply_markup")), params=params,
                      parse_mode=params.get("parse_mode"))
    if folder == "photos":
        msg.photo = stored
    else:
        msg.document = stored
    return await record(state, msg)


@method("sendPhoto")
async def send_photo(state, params, files):
    """sendPhoto: multipart upload, attach:// or an existing file_id."""
    return await _send_media(state, params, files, "photo", "photos")


@method("sendDocument")
async def send_document(state, params, files):
    """sendDocument: multipart upload, attach:// or an existing file_id."""
    return await _send_media(state, params, files, "document", "documents")


@method("getFile")
async def get_file(state, params, files):
    """getFile: metadata and the path served under /file/bot<token>/."""
    f = state.files.get(str(params.get("file_id")))
    if f is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    return {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": len(f.data),
            "file_path": f.file_path}


def _scope_key(params: dict) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.get('language_code') or ''}"


@method("setMyCommands")
async def set_my_commands(state, params, files):
    """setMyCommands per scope and language."""
    commands = params.get("commands") or []
    for c in commands:
        if not (1 <= len(c.get("command", "")) <= 32) or not (1 <= len(c.get("description", "")) <= 256):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
    state.commands[_scope_key(params)] = commands
    return True


@method("getMyCommands")
async def get_my_commands(state, params, files):
    """getMyCommands for a scope and language."""
    return state.commands.get(_scope_key(params), [])


@method("deleteMyCommands")
async def delete_my_commands(state, params, files):
    """deleteMyCommands for a scope and language."""
    state.commands.pop(_scope_key(params), None)
    return True


@method("setWebhook")
async def set_webhook(state, params, files):
    """setWebhook: remember url, secret and allowed updates."""
    url = params.get("url") or ""
    if url and not url.startswith(("http://", "https://")):
        raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret and (len(secret) > 256 or not all(ch.isalnum() or ch in "_-" for ch in secret)):
        raise ApiError(400, "Bad Request: secret token contains unallowed characters")
    if params.get("drop_pending_updates"):
        state.queue.clear()
    state.webhook = {"url": url, "secret_token": secret,
                     "allowed_updates": params.get("allowed_updates")}
    await state.notify()
    return True


@method("deleteWebhook")
async def delete_webhook(state, params, files):
    """deleteWebhook, optionally dropping pending updates."""
    if params.get("drop_pending_updates"):
        state.queue.clear()
    state.webhook = {"url": ""}
    return True


@method("getWebhookInfo")
async def get_webhook_info(state, params, files):
    """getWebhookInfo."""
    info = {"url": state.webhook.get("url", ""), "has_custom_certificate": False,
            "pending_update_count": len(state.queue)}
    if state.webhook.get("allowed_updates"):
        info["allowed_updates"] = state.webhook["allowed_updates"]
    return info


@method("close", "logOut")
async def close(state, params, files):
    """close / logOut: harmless here."""
    return True


@method("getUpdates")
async def get_updates(state, params, files):
    """getUpdates with offsets, limit, allowed_updates and early-returning long polling."""
    if state.webhook.get("url"):
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                            "use deleteWebhook to delete the webhook first")
    state.poll_generation += 1
    generation = state.poll_generation
    await state.notify()  # an older long poll still waiting now ends with 409, like Telegram
    state.confirm(params.get("offset"))
    limit = max(1, min(100, int(params.get("limit") or 100)))
    allowed = params.get("allowed_updates") or None
    timeout = float(params.get("timeout") or 0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        ready = state.pending(allowed, limit)
        if ready:
            for q in ready:
                q.delivered = True
            return [q.update for q in ready]
        remaining = deadline - loop.time()
        if remaining <= 0 or state.webhook.get("url"):
            return []
        await state.wait_change(remaining)
        if generation != state.poll_generation:
            raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                                "that only one bot instance is running")

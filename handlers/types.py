"""The plain messages handlers take and return; no chat framework appears here."""
from __future__ import annotations

from dataclasses import dataclass, field

CALLBACK_DATA_LIMIT = 64  # bytes, the strictest platform's limit; a Chinese character takes 3
MESSAGE_LIMIT = 4096  # characters per message on the roomiest platform (adapters split further)


@dataclass(frozen=True)
class Attachment:
    """A photo or file that came with a message."""

    kind: str  # photo | document
    file_id: str
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Incoming:
    """One update from a user: a message, a button press or a chat event."""

    platform: str  # the adapter's platform name, or console
    user_id: int | str  # the platform's own user id; for the console, the internal users.id
    chat_id: int  # adapters whose chat ids are not numbers map them to a stable integer
    chat_type: str = "private"  # private | group | supergroup
    text: str = ""
    callback_data: str | None = None  # set for a button press
    callback_id: str | None = None
    message_id: int | None = None  # the message (for a press: the message carrying the button)
    update_id: int | None = None  # for exactly-once handling of redelivered updates
    user_name: str = ""
    username: str | None = None
    chat_title: str | None = None
    attachments: tuple[Attachment, ...] = ()
    event: str | None = None  # bot_added | None

    @property
    def is_private(self) -> bool:
        """True in a one-to-one chat with the bot."""
        return self.chat_type == "private"

    @property
    def is_button(self) -> bool:
        """True for a button press."""
        return self.callback_data is not None


@dataclass(frozen=True)
class Button:
    """An inline button: callback data (<= 64 bytes) or a URL."""

    text: str
    data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if self.data is not None and len(self.data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {self.data!r}")
        if (self.data is None) == (self.url is None):
            raise ValueError("a button has exactly one of data or url")


@dataclass(frozen=True)
class OutFile:
    """A file to send: a name and its bytes, or the platform's id of a file it already holds."""

    filename: str
    content: bytes = b""
    file_id: str | None = None  # resend a received file (an appeal attachment) without downloading it


@dataclass
class Reply:
    """One thing to send back. By default a new message in the chat the update came from."""

    text: str = ""
    buttons: list[list[Button]] = field(default_factory=list)
    chat_id: int | None = None  # another chat; None means the update's chat
    edit: bool = False  # replace the message whose button was pressed
    toast: bool = False  # for a button press: a pop-up answer instead of a message
    document: OutFile | None = None
    photo: OutFile | None = None


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a long text into pieces under `limit` characters, at line breaks where possible."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        parts.append(rest)
    return parts

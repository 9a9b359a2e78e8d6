"""The console adapter: a terminal chat through the same dispatcher and handlers as Telegram."""
from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path

from sqlalchemy import select

from handlers.dispatcher import Dispatcher
from handlers.ports import Ports
from handlers.types import Attachment, Incoming, Reply
from storage.db import Database
from storage.demo import DEMO_GROUP_CHAT_ID

from .demo import seed_everything
from storage.models import ROLE_NAMES, CadreEnterprise, Enterprise, Outbox, Role, User

HELP = (
    "控制台命令：/as 角色（cadre 驻企干部 | handler 责任单位 | reviewer 县级审核 | admin 市指挥部）或 /as 用户编号；"
    "/users 列出用户；/chat group|private 切换到演示群或私聊；/attach 文件名 模拟发送附件；/quit 退出。"
    "按钮显示为 [1] [2]…，输入数字即可点击；通知上的按钮显示为 [n1] [n2]…，切换到收件人（/as 用户编号）后输入 n1 点击。"
    "回复前的“（提示）”表示按钮的弹出提示，“（已更新）”表示原消息被改写。"
)
OUT_DIR = Path("out")
ROLE_LABELS = {"cadre": "驻企干部", "handler": "责任单位", "reviewer": "县级审核", "admin": "市指挥部办公室"}


class Console:
    """State of one console session: who is speaking, where, and the buttons on screen."""

    def __init__(self, db: Database, dispatcher: Dispatcher, out=sys.stdout) -> None:
        self.db = db
        self.dispatcher = dispatcher
        self.out = out
        self.user: User | None = None
        self.chat_id: int | None = None
        self.chat_type = "private"
        self.buttons: dict[int, tuple[str, int]] = {}  # number -> (callback data, message id)
        self.message_ids = itertools.count(1)
        self.last_outbox_id = 0
        # Buttons on notifications stay pressable after /as, as n1, n2 ... (the recipient presses them).
        self.notice_buttons: dict[str, str] = {}
        self.notice_numbers = itertools.count(1)

    def say(self, text: str) -> None:
        """Print a line for the person at the terminal."""
        print(text, file=self.out, flush=True)

    async def login(self, selector: str) -> bool:
        """Switch to the first active user of a role, or to a user id."""
        async with self.db.session() as s:
            stmt = select(User).where(User.active.is_(True))
            stmt = stmt.where(User.id == int(selector)) if selector.isdigit() else stmt.where(User.role == selector)
            user = (await s.scalars(stmt.order_by(User.id).limit(1))).unique().first()
        if user is None:
            label = ROLE_LABELS.get(selector, f"编号为 {selector} 的")
            self.say(f"没有找到{label}用户。/users 可列出现有用户；数据库为空时请先运行 pandeng demo 或导入人员名录。")
            return False
        self.user = user
        self.chat_id = user.id if self.chat_type == "private" else DEMO_GROUP_CHAT_ID
        self.say(f"—— 当前身份：{user.name}（{ROLE_NAMES.get(Role(user.role), user.role)}，用户编号 {user.id}）——")
        return True

    async def list_users(self) -> None:
        """Print every user with id and role."""
        async with self.db.session() as s:
            links = (await s.execute(select(CadreEnterprise.user_id, Enterprise.name)
                                     .join(Enterprise, Enterprise.id == CadreEnterprise.enterprise_id))).all()
            firms: dict[int, list[str]] = {}
            for user_id, firm in links:
                firms.setdefault(user_id, []).append(firm)
            for u in (await s.scalars(select(User).order_by(User.id))).unique():
                places = [x.name for x in (u.unit, u.county) if x is not None and x.kind != "city_office"]
                places += firms.get(u.id, [])
                where = " ".join(dict.fromkeys(places))
                self.say(f"  {u.id:>3}  {u.name}  {ROLE_NAMES.get(Role(u.role), u.role)}  {where}".rstrip())

    async def handle_line(self, line: str) -> bool:
        """Process one input line; False means quit."""
        line = line.strip()
        if line in ("/quit", "/exit"):
            return False
        if line == "/as" or line.startswith("/as "):
            selector = line[3:].strip()
            if selector not in ROLE_LABELS and not selector.isdigit():
                self.say("用法：/as cadre|handler|reviewer|admin，或 /as 用户编号（/users 查看编号）。")
            else:
                await self.login(selector)
            return True
        if line == "/users":
            await self.list_users()
            return True
        if line == "/chat" or line.startswith("/chat "):
            target = line[5:].strip()
            if target not in ("group", "private"):
                self.say("用法：/chat group（演示群）或 /chat private（私聊）。")
                return True
            self.chat_type = "supergroup" if target == "group" else "private"
            assert self.user is not None
            self.chat_id = DEMO_GROUP_CHAT_ID if self.chat_type != "private" else self.user.id
            self.say("—— 已切换到演示群聊 ——" if self.chat_type != "private" else "—— 已切换到私聊 ——")
            return True
        if line in ("/?", "/console"):
            self.say(HELP)
            return True
        assert self.user is not None and self.chat_id is not None
        base = dict(platform="console", user_id=self.user.id, chat_id=self.chat_id, chat_type=self.chat_type,
                    user_name=self.user.name, chat_title="攀登干部交流群（演示）" if self.chat_type != "private" else None)
        if line.isdigit() and int(line) in self.buttons:
            data, message_id = self.buttons[int(line)]
            inc = Incoming(**base, callback_data=data, callback_id=line, message_id=message_id)
        elif line.lower() in self.notice_buttons:
            inc = Incoming(**base, callback_data=self.notice_buttons[line.lower()], callback_id=line, message_id=0)
        elif line.startswith("/attach"):
            name = line[7:].strip() or "现场照片.jpg"
            kind = "photo" if name.lower().endswith((".jpg", ".jpeg", ".png")) else "document"
            inc = Incoming(**base, message_id=next(self.message_ids),
                           attachments=(Attachment(kind=kind, file_id=f"console:{name}", file_name=name),))
        else:
            inc = Incoming(**base, text=line, message_id=next(self.message_ids))
        self.show(await self.dispatcher.handle(inc))
        await self.show_outbox()
        return True

    def show(self, replies: list[Reply]) -> None:
        """Print replies; buttons get numbers that can be typed to press them."""
        if replies and all(r.toast for r in replies):
            # A pop-up leaves the message and its buttons in place, as in Telegram.
            for reply in replies:
                self.say(f"助手：（提示）{reply.text}")
            return
        self.buttons = {}
        number = 1
        for reply in replies:
            message_id = next(self.message_ids)
            prefix = "（已更新）" if reply.edit else ("（提示）" if reply.toast else "")
            if reply.text:
                self.say(f"助手：{prefix}{reply.text}")
            for f in (reply.document, reply.photo):
                if f is not None and f.file_id and not f.content:
                    self.say(f"助手：[附件] {f.filename}")
                elif f is not None:
                    OUT_DIR.mkdir(exist_ok=True)
                    path = OUT_DIR / f.filename
                    path.write_bytes(f.content)
                    self.say(f"助手：[文件] {path}")
            for row in reply.buttons:
                cells = []
                for b in row:
                    if b.data:
                        self.buttons[number] = (b.data, message_id)
                        cells.append(f"[{number}] {b.text}")
                        number += 1
                    else:
                        cells.append(f"[链接] {b.text} {b.url}")
                self.say("      " + "  ".join(cells))

    async def _has_photo(self, outbox_id: int) -> bool:
        async with self.db.session() as s:
            return bool(await s.scalar(select(Outbox.id).where(Outbox.id == outbox_id, Outbox.photo.is_not(None))))

    async def show_outbox(self) -> None:
        """Print notifications queued since the last look (Telegram would deliver them)."""
        async with self.db.session() as s:
            rows = list(await s.scalars(select(Outbox).where(Outbox.id > self.last_outbox_id).order_by(Outbox.id)))
            names = {u.id: u for u in (await s.scalars(select(User))).unique()}
        for row in rows:
            self.last_outbox_id = row.id
            who = names.get(row.user_id)
            label = f"{who.name}（{ROLE_NAMES.get(Role(who.role), who.role)}）" if who else f"群 {row.chat_id}"
            self.say(f"📨 通知 → {label}：{row.text}")
            if await self._has_photo(row.id):
                self.say("      [图片] 近30天用电曲线（Telegram 中随通知发送）")
            cells = []
            for button_row in row.buttons or []:
                for b in button_row:
                    if b.get("data"):
                        key = f"n{next(self.notice_numbers)}"
                        self.notice_buttons[key] = b["data"]
                        cells.append(f"[{key}] {b['text']}")
            if cells:
                self.say("      " + "  ".join(cells) + "（切换到收件人后输入编号点击）")


def console_ports(settings) -> Ports:
    """Invite lines for the channels configured in settings (the console itself reaches nobody)."""
    from .channels import configured_invite_links

    return Ports(invite_links=configured_invite_links(settings))


def log_to_file(path: Path) -> None:
    """Send log records and Python warnings to a file, so they never interleave with the chat transcript."""
    import logging

    logging.captureWarnings(True)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setStream(open(path, "a", encoding="utf-8"))  # noqa: SIM115 (lives as long as the process)


async def run_console(settings, *, demo: bool = False, role: str = "cadre", stdin=None, out=None) -> int:
    """Run the terminal chat until /quit or end of input."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        if demo:
            await seed_everything(db, history=settings.demo_history)
        console = Console(db, Dispatcher(db, settings, ports=console_ports(settings)), out=out)
        async with db.session() as s:
            console.last_outbox_id = await s.scalar(select(Outbox.id).order_by(Outbox.id.desc()).limit(1)) or 0
        interactive = stdin.isatty()
        if interactive:
            console.say("攀登助手 控制台。" + HELP)
        if not await console.login(role):
            return 1
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                line = await loop.run_in_executor(None, lambda: input("我："))
            else:
                line = await loop.run_in_executor(None, stdin.readline)
                if line == "":
                    break
                if line.strip():
                    console.say(f"我：{line.rstrip()}")
            if not line.strip():
                continue
            if not await console.handle_line(line):
                break
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        await db.dispose()
    return 0

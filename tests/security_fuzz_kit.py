"""Strategies and replay helpers for the dispatcher fuzz test (no tests here)."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from handlers import registry
from handlers.appeals import workflow
from handlers.types import CALLBACK_DATA_LIMIT, Attachment

UNENROLLED_GROUP = -100777000111
ACTIONS = sorted(set(workflow.TABLE) | {
    "v", "h", "au", "cp", "dupn", "e", "c", "u", "done", "sub", "edit", "ok", "kd", "vd", "ed", "en", "cx", "ps", "pd",
    "cl", "y", "n", "in", "sg", "fx", "ap", "doc", "m", "t", "l", "lc1", "mute", "on", "off", "w"})
WEIRD = ["²", "５", "١٢", "-1", "1" * 40, "", "#1", "①"]


def ids(real: list[int]) -> st.SearchStrategy[str]:
    """Ids as buttons carry them: real ones, neighbours, weird digits, huge numbers, junk."""
    return st.one_of(st.sampled_from([str(i) for i in real] or ["1"]), st.integers(-3, 10**22).map(str),
                     st.sampled_from(WEIRD), st.text(max_size=6))


def callback_data(real: list[int]) -> st.SearchStrategy[str]:
    """prefix:action:id[:x] from the registry, plus junk, over-long and non-ASCII payloads."""
    known = st.sampled_from(sorted(registry.CALLBACKS))
    prefix = st.one_of(known, known, known, st.text(max_size=4))
    action = st.one_of(st.sampled_from(ACTIONS), st.sampled_from(ACTIONS), st.text(max_size=4))
    shaped = st.tuples(prefix, action, ids(real), st.one_of(st.none(), ids(real))).map(
        lambda t: ":".join(p for p in t if p is not None))
    return st.one_of(shaped, st.text(max_size=80), st.just("ap:v:" + "9" * CALLBACK_DATA_LIMIT))


def texts(real: list[int]) -> st.SearchStrategy[str]:
    """Plain text, commands with random or id-like arguments, dialog answers."""
    command = st.sampled_from(sorted(registry.COMMANDS) + ["nosuch", "appeal@pandeng_bot"])
    args = st.one_of(st.text(max_size=60), ids(real), st.sampled_from(["任城区 超期", "2026-03", "csv", "口径", "恒泰重工", "A", "B"]))
    return st.one_of(st.text(max_size=300), st.tuples(command, args).map(lambda t: f"/{t[0]} {t[1]}"),
                     ids(real), st.sampled_from(["确认", "取消", "A", "10个工作日 等待审批", "金融", "/cancel"]))


@st.composite
def attachments(draw) -> tuple[tuple[Attachment, ...], dict[str, bytes]]:
    """Zero to two attachments with random names and contents (returned for the file port)."""
    out, files = [], {}
    for i in range(draw(st.integers(1, 2))):
        name = draw(st.one_of(st.sampled_from(["政策.docx", "汇编.md", "a.txt", "x.jpg", "表.xlsx"]), st.text(max_size=20)))
        file_id = f"f{i}-{draw(st.integers(0, 10**6))}"
        files[file_id] = draw(st.binary(max_size=2000))
        out.append(Attachment(draw(st.sampled_from(["document", "photo"])), file_id, name or None,
                              draw(st.sampled_from([None, "application/octet-stream"])), draw(st.one_of(st.none(), st.integers(0, 10**8)))))
    return tuple(out), files


@dataclass(frozen=True)
class Case:
    """One fuzz input: who, where, in which stored dialog, what they send."""

    who: str  # a demo user's name, or "unknown"
    chat: str  # private | group | unenrolled
    dialog: int | None  # index into the captured dialog templates
    text: str
    callback: str | None
    attachments: tuple
    files: dict


def cases(kind: str, names: list[str], real: list[int], n_dialogs: int) -> st.SearchStrategy[Case]:
    """The input space of one kind (text, callback or attachment) the fuzz test samples."""

    @st.composite
    def build(draw) -> Case:
        k = kind
        atts, files = draw(attachments()) if k == "attachment" else ((), {})
        return Case(draw(st.sampled_from(names + ["unknown"])), draw(st.sampled_from(["private", "private", "group", "unenrolled"])),
                    draw(st.one_of(st.none(), st.integers(0, max(0, n_dialogs - 1)))),
                    draw(texts(real)) if k != "callback" else "", draw(callback_data(real)) if k == "callback" else None,
                    atts, files)

    return build()

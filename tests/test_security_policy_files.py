"""Broken and hostile handbook files: each reported in Chinese, nothing stored, the other files still imported."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select

from handlers.dispatcher import ERROR_REPLY
from handlers.policy.store import MAX_CLAUSE_CHARS, import_bytes
from handlers.types import Attachment
from storage.models import utcnow
from storage.models.policy import PolicyClause, PolicyDoc
from tests.chat import ChatDriver, text_of

from .security_kit import changed_tables, db_snapshot

ROOT = Path(__file__).parent.parent
GOOD_MD = "济宁市测试惠企政策\n济宁市人民政府办公室 2026年3月1日\n第一条 对首次认定的专精特新企业奖励10万元。\n第二条 本办法自印发之日起施行。\n"


def _docx(paragraphs: list[str]) -> bytes:
    d = Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _bomb() -> bytes:
    """A small .docx whose document.xml inflates to ~40 MB."""
    src = zipfile.ZipFile(io.BytesIO(_docx(["标题"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                head, tail = data.split(b"</w:body>")
                para = b"<w:p><w:r><w:t>" + "第一条 奖励。".encode() * 50 + b"</w:t></w:r></w:p>"
                data = head + para * (40 * 1024 * 1024 // len(para)) + b"</w:body>" + tail
            z.writestr(info, data)
    return out.getvalue()


def _files(tmp_path: Path) -> dict[str, Path]:
    good = _docx(GOOD_MD.splitlines())
    files = {
        "random.docx": os.urandom(3000),
        "truncated.docx": good[: len(good) // 2],
        "bomb.docx": _bomb(),
        "long.md": ("超长条款文件\n第一条 " + "很长" * MAX_CLAUSE_CHARS + "\n").encode(),
        "empty.md": b"\x00\x00\n",
        "good.md": GOOD_MD.replace("奖励", "奖\x00励").encode(),
        "good2.docx": _docx(GOOD_MD.replace("测试惠企政策", "第二份政策").splitlines()),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in files}


async def test_each_bad_file_is_refused_with_nothing_stored(db, tmp_path):
    files = _files(tmp_path)
    assert len(files["bomb.docx"].read_bytes()) < 2 * 1024 * 1024
    for name in ("random.docx", "truncated.docx", "bomb.docx", "long.md", "empty.md"):
        before = await db_snapshot(db)
        with pytest.raises(ValueError) as err:
            async with db.session() as s:
                await import_bytes(s, files[name].read_bytes(), name, user_id=None, now=utcnow())
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value)), (name, err.value)
        assert changed_tables(before, await db_snapshot(db)) == {}, name
    async with db.session() as s:
        await import_bytes(s, files["good.md"].read_bytes(), "good.md", user_id=None, now=utcnow())
    async with db.session() as s:
        texts = list(await s.scalars(select(PolicyClause.text)))
    assert any("奖励10万元" in t for t in texts) and not any("\x00" in t for t in texts)


def test_cli_reports_each_broken_file_and_imports_the_rest(tmp_path):
    files = _files(tmp_path)
    env = dict(os.environ, PANDENG_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    order = ["random.docx", "good.md", "bomb.docx", "truncated.docx", "long.md", "good2.docx"]
    done = subprocess.run([sys.executable, "-m", "bot.cli", "policy", "import", "--no-notify", *map(str, (files[n] for n in order))],
                          env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    for name in ("random.docx", "bomb.docx", "truncated.docx", "long.md"):
        assert f"[{name}] 导入失败" in done.stderr
    assert "[good.md]" in done.stdout and "[good2.docx]" in done.stdout
    assert "6 个文件，2 个导入成功，4 个失败" in done.stderr


async def test_hostile_handbook_in_chat(demo, tmp_path):
    db, refs = demo
    files = _files(tmp_path)
    chat = ChatDriver(db)
    admin = refs.user_ids["王建国"]
    before = await db_snapshot(db)
    for name in ("bomb.docx", "random.docx", "truncated.docx", "long.md"):
        att = Attachment(kind="document", file_id=f"console:{files[name]}", file_name=name, size=files[name].stat().st_size)
        text = text_of(await chat.send(admin, "", attachments=(att,)))
        assert "导入失败" in text and "未导入任何内容" in text and ERROR_REPLY not in text, (name, text)
    assert changed_tables(before, await db_snapshot(db)) == {}
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(PolicyDoc)) == 0

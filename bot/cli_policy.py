"""Subcommands of the policy area: `pandeng policy import|list|ask`."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path



def _paths(args) -> list[Path]:
    from .demo import demo_handbook_files

    paths = [Path(p) for p in args.paths]
    if args.demo:
        paths += demo_handbook_files()
    return paths


def _import(args, settings) -> int:
    """Import handbook files into the database (same title: new version, old one kept)."""
    from handlers.policy.chat import import_summary
    from handlers.policy.store import import_bytes
    from storage.db import Database
    from storage.models import utcnow

    paths = _paths(args)
    if not paths:
        print("请指定要导入的文件（.md .txt .docx），或加 --demo 导入演示汇编。", file=sys.stderr)
        return 2
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print("找不到文件：" + "，".join(map(str, missing)), file=sys.stderr)
        return 1

    async def run() -> int:
        db = Database(settings.database_url)
        failed = 0
        try:
            await db.upgrade()
            for p in paths:
                try:  # one transaction per file: a bad file does not undo the good ones
                    async with db.session() as session:
                        result = await import_bytes(session, p.read_bytes(), p.name, user_id=None, now=utcnow(),
                                                    notify=not args.no_notify)
                        print(f"[{p.name}]\n" + import_summary(result))
                except ValueError as exc:  # the file itself is bad: say why, go on with the next one
                    failed += 1
                    print(f"[{p.name}] 导入失败：{exc}", file=sys.stderr)
                except Exception as exc:  # anything else about this file: report it, keep the others
                    failed += 1
                    print(f"[{p.name}] 导入失败（{exc.__class__.__name__}：{str(exc)[:200]}），该文件未导入。", file=sys.stderr)
        finally:
            await db.dispose()
        if failed:
            print(f"共 {len(paths)} 个文件，{len(paths) - failed} 个导入成功，{failed} 个失败（见上）。", file=sys.stderr)
        return 1 if failed else 0

    return asyncio.run(run())


def _list(args, settings) -> int:
    """Print the current documents of the handbook."""
    from handlers.policy.store import current_docs
    from storage.db import Database

    async def run() -> None:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            async with db.session() as session:
                docs = await current_docs(session)
                for d in docs:
                    print(f"{d.id:>4}  v{d.version}  {len(d.clauses):>3}条  《{d.title}》  {d.issuer or ''}")
                print(f"共 {len(docs)} 份现行文件。")
        finally:
            await db.dispose()

    asyncio.run(run())
    return 0


def _ask(args, settings) -> int:
    """Answer a question from the stored handbook (no chat, no record)."""
    from handlers.policy.store import get_index
    from storage.db import Database

    async def run() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            async with db.session() as session:
                index, _ = await get_index(session)
        finally:
            await db.dispose()
        question = " ".join(args.question)
        from nlp.policy.text import is_chatter

        if is_chatter(question):
            print("请写出具体想了解的政策问题，例如：专精特新企业有什么奖励？")
            return 2
        ans = index.answer(question)
        if ans is not None:
            print(ans.text)
            for h in ans.sources[1:]:
                print(f"  相关：{h.cite}")
            return 0
        related = index.related(question)
        print("汇编未涉及这个问题。" if not related else "没有直接回答的条款，以下条款可能有帮助：")
        for h in related:
            print(f"  {h.cite}（置信度 {h.confidence:.2f}）")
        return 3

    return asyncio.run(run())


def register(sub) -> None:
    """Add `pandeng policy ...`."""
    pol = sub.add_parser("policy", help="惠企政策汇编：导入、目录、问答").add_subparsers(dest="policy_command", required=True)
    imp = pol.add_parser("import", help="导入政策文件（.md .txt .docx；同名标题导入为新版本，旧版本保留）")
    imp.add_argument("paths", nargs="*")
    imp.add_argument("--demo", action="store_true", help="导入随附的演示汇编")
    imp.add_argument("--no-notify", action="store_true", help="不通知符合条件企业的驻企干部")
    imp.set_defaults(func=_import)
    pol.add_parser("list", help="列出现行政策文件").set_defaults(func=_list)
    ask = pol.add_parser("ask", help="按汇编回答一个问题")
    ask.add_argument("question", nargs="+")
    ask.set_defaults(func=_ask)

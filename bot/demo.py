"""Everything `--demo` adds: the demo directory and, when no handbook is loaded yet, the demo handbook."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from handlers.policy.store import current_docs, import_bytes
from storage.db import Database
from storage.demo import DemoRefs, seed_demo
from storage.models import utcnow



def demo_handbook_files() -> list[Path]:
    """The demo handbook documents shipped inside the nlp package."""
    folder = Path(str(files("nlp") / "data" / "handbook"))
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".md", ".txt", ".docx"))


async def seed_everything(db: Database) -> tuple[DemoRefs, int]:
    """Seed demo enterprises and users, and the demo handbook if none is loaded; idempotent."""
    async with db.session() as session:
        refs = await seed_demo(session)
    async with db.session() as session:
        if await current_docs(session):
            return refs, 0
        for path in demo_handbook_files():
            await import_bytes(session, path.read_bytes(), path.name, user_id=None, now=utcnow(), notify=False)
    return refs, len(demo_handbook_files())

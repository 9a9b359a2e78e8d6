"""Everything `--demo` adds: the demo directory and, when no handbook is loaded yet, the demo handbook."""
from __future__ import annotations

from importlib.resources import files
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.policy.store import current_docs, import_bytes
from storage.db import Database
from storage.demo import DemoRefs, seed_demo
from storage.demo_history import seed_history
from storage.models import utcnow
from storage.power.demo import seed_power_demo



def demo_handbook_files() -> list[Path]:
    """The demo handbook documents shipped inside the nlp package."""
    folder = Path(str(files("nlp") / "data" / "handbook"))
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".md", ".txt", ".docx"))


async def seed_everything(db: Database, today: date | None = None, *, history: bool = True) -> tuple[DemoRefs, int]:
    """Seed demo enterprises and users, power readings and six months of history up to `today`, and the handbook; idempotent."""
    async with db.session() as session:
        refs = await seed_demo(session)
    today = today or utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()
    async with db.session() as session:
        await seed_power_demo(session, today)
    if history:
        async with db.session() as session:
            await seed_history(session, today)
    async with db.session() as session:
        if await current_docs(session):
            return refs, 0
        for path in demo_handbook_files():
            await import_bytes(session, path.read_bytes(), path.name, user_id=None, now=utcnow(), notify=False)
    return refs, len(demo_handbook_files())

"""Load the labelled supply-demand development set (benchmarks/data/matching_dev.txt)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

DEV = Path(__file__).parent / "data" / "matching_dev.txt"
KIND = {"S": "supply", "D": "demand"}


def load_posts(path: Path = DEV) -> list[dict]:
    """Posts as dicts: id, group, kind, text."""
    posts = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip() or line.startswith("#"):
            continue
        group, kind, text = line.split("|", 2)
        posts.append({"id": f"p{n}", "group": group, "kind": KIND[kind], "text": text})
    return posts


def gold(posts: list[dict]) -> tuple[dict, list]:
    """Relevant post ids per query id (same group, other kind), and the ids with none."""
    by_group = defaultdict(list)
    for p in posts:
        by_group[p["group"]].append(p)
    relevant, silent = {}, []
    for p in posts:
        rel = {o["id"] for o in by_group[p["group"]] if o["kind"] != p["kind"]}
        if rel:
            relevant[p["id"]] = rel
        else:
            silent.append(p["id"])
    return relevant, silent

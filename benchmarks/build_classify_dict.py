"""Build nlp/data/appeals_jieba_dict.txt: a trimmed jieba dictionary for fast start-up.

    python benchmarks/build_classify_dict.py [N]

Keeps the N most frequent entries of jieba's bundled dict.txt (default 60,000 of ~349,000):
loading it takes a fraction of the full dictionary's time, and appeal texts rarely need the
rare tail (domain phrases are added from the lexicon at start-up anyway). Deterministic.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jieba

OUT = Path(__file__).resolve().parents[1] / "nlp" / "data" / "appeals_jieba_dict.txt"


def main(n: int = 60000) -> None:
    """Write the N most frequent dictionary entries, in the original dictionary order."""
    src = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    rows = []
    with open(src, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            parts = line.split()
            if len(parts) >= 2:
                rows.append((int(parts[1]), i, parts[0], parts[1]))
    keep = sorted(sorted(rows, key=lambda r: (-r[0], r[1]))[:n], key=lambda r: r[1])
    with open(OUT, "w", encoding="utf-8") as fh:
        for _, _, word, freq in keep:
            fh.write(f"{word} {freq}\n")
    print(f"wrote {len(keep)} entries to {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60000)

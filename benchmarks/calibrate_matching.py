"""Choose the matcher's strong bar (score, margin over the field) on the development sets.

Run: python -m benchmarks.calibrate_matching [--min-silence 0.9]
For every (score, margin) pair on a grid, prints strong recall@5 on gold queries and the share
of no-match posts without a strong hit, pooled over the twelve older labelled sets; the pair
with the best recall whose silence reaches the floor is marked. Never run on the blind sets.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_matching import SETS  # noqa: E402
from benchmarks.matching_data import DEV, gold, load_posts  # noqa: E402
from nlp.matching import Matcher, scoring  # noqa: E402
from nlp.matching.features import features  # noqa: E402
from nlp.matching.index import background_texts  # noqa: E402


def collect() -> tuple[list, list]:
    """(score, field, rules agree) of the best relevant hit per gold query, of the top hit per
    no-match post; each set is matched with a background that leaves its own posts out."""
    golds, silents = [], []
    for name in SETS:
        posts = load_posts(DEV.parent / name)
        relevant, silent = gold(posts)
        own = {p["text"].strip() for p in posts}
        m = Matcher(min_score=0.0, background=[t for t in background_texts() if t not in own])
        for p in posts:
            m.add(p["id"], p["kind"], p["text"])
        text = {p["id"]: p for p in posts}
        for qid in list(relevant) + silent:
            rows = m.ranked(text[qid]["text"], text[qid]["kind"])
            fld = scoring.field([r[0] for r in rows])
            f = features(text[qid]["text"])
            rows = [(s, pid, scoring.heads_agree(f, c) and not scoring.lookalike(f, c) and f.waste == c.waste)
                    for s, pid, c, _ in rows[:5]]
            if qid in relevant:
                rel = [(s, ok) for s, pid, ok in rows if pid in relevant[qid]]
                golds.append((*rel[0], fld) if rel else (None, False, fld))
            else:
                silents.append((rows[0][0], rows[0][2], fld) if rows else (None, False, fld))
    return golds, silents


def main(argv: list[str]) -> None:
    """Print the grid and the chosen pair."""
    floor = float(argv[argv.index("--min-silence") + 1]) if "--min-silence" in argv else 0.9
    golds, silents = collect()
    best = None
    for a in range(20, 62, 2):
        line = []
        for b in range(0, 35, 5):
            rec = sum(1 for s, ok, f in golds if s is not None and ok and s >= a and s - f >= b)
            quiet = sum(1 for s, ok, f in silents if s is None or not ok or s < a or s - f < b)
            line.append(f"{b:>2}:{rec / len(golds):.3f}/{quiet / len(silents):.3f}")
            if quiet / len(silents) >= floor and (best is None or rec > best[0]):
                best = (rec, quiet, a, b)
        print(f"score>={a}: " + " ".join(line))
    if best:
        rec, quiet, a, b = best
        print(f"best with silence >= {floor}: score >= {a}, margin >= {b}: strong recall "
              f"{rec}/{len(golds)}, silence {quiet}/{len(silents)}")


if __name__ == "__main__":
    main(sys.argv[1:])

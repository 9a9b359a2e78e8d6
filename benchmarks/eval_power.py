"""Scores power-use anomaly detection on the labelled synthetic set, beside a naive rule, in one run.

    python benchmarks/eval_power.py [--n 600] [--seed 20261203]

Ours: storage.power.detect.judge with the default thresholds, on every day of 2025-2026 (it judges
working days only). Naive: flag a day whose use is below 70% of yesterday's (below 10%: a stop).
Per kind: precision = flags of the kind on days labelled with it / flags of the kind; recall = labelled
days flagged with their kind / labelled days. Holiday false alarms: flags on rest days, make-up days
and days near a holiday that carry no label of the flagged kind.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.power_data import FIRST, LAST, holiday_trap, make_set  # noqa: E402
from storage.power.detect import Thresholds, judge  # noqa: E402

KINDS = ("drop", "decline", "stop")


def naive(series, day):
    """Below 70% of yesterday's reading (no calendar, no baseline)."""
    today, yesterday = series.get(day), series.get(day - timedelta(days=1))
    if today is None or yesterday is None or yesterday <= 0:
        return None
    if today <= 0.1 * yesterday:
        return "stop"
    return "drop" if today < 0.7 * yesterday else None


def score(flags, labels, event_days):
    """Per-kind precision/recall, holiday false alarms, total false alarms."""
    out = {}
    for k in KINDS:
        flagged = [(e, d) for (e, d), kind in flags.items() if kind == k]
        tp = sum(1 for key in flagged if labels.get(key) == k)
        lab = sum(1 for kind in labels.values() if kind == k)
        out[k] = (tp / len(flagged) if flagged else float("nan"), tp / lab if lab else float("nan"), len(flagged), lab)
    wrong = {key: kind for key, kind in flags.items() if labels.get(key) != kind}
    out["holiday_fa"] = sum(1 for (_, d) in wrong if holiday_trap(d))
    # The calendar's own alarms: near a holiday and on no injected event day (not a kind mix-up).
    out["holiday_fa_clean"] = sum(1 for (e, d) in wrong if holiday_trap(d) and (e, d) not in event_days)
    out["false"] = len(wrong)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=20261203)
    opts = ap.parse_args()
    n = opts.n
    t0 = time.perf_counter()
    ents = make_set(n, opts.seed)
    labels = {(e.id, d): k for e in ents for d, k in e.labels.items()}
    event_days = {(e.id, d) for e in ents for d in e.event_days}
    t1 = time.perf_counter()
    th = Thresholds()
    ours, base = {}, {}
    skipped: Counter = Counter()
    for e in ents:
        d = FIRST
        while d <= LAST:
            v = judge(e.series, d, th)
            if v.kind:
                ours[(e.id, d)] = v.kind
            elif v.skipped:
                skipped[v.skipped] += 1
            k = naive(e.series, d)
            if k:
                base[(e.id, d)] = k
            d += timedelta(days=1)
    t2 = time.perf_counter()
    print(f"set: seed {opts.seed}, {n} enterprises, {FIRST}..{LAST}, labelled days: "
          + ", ".join(f"{k} {sum(1 for v in labels.values() if v == k)}" for k in KINDS)
          + f"  (generated in {t1 - t0:.1f}s, judged in {t2 - t1:.1f}s)")
    print("skipped by ours: " + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))
    print(f"{'':10}{'ours P':>8}{'ours R':>8}{'flags':>7}{'naive P':>9}{'naive R':>8}{'flags':>7}{'labels':>8}")
    so, sb = score(ours, labels, event_days), score(base, labels, event_days)
    for k in KINDS:
        po, ro, fo, lab = so[k]
        pb, rb, fb, _ = sb[k]
        print(f"{k:10}{po:8.3f}{ro:8.3f}{fo:7d}{pb:9.3f}{rb:8.3f}{fb:7d}{lab:8d}")
    print(f"holiday false alarms: ours {so['holiday_fa']}, naive {sb['holiday_fa']}"
          f"  (outside any injected event: ours {so['holiday_fa_clean']}, naive {sb['holiday_fa_clean']})")
    print(f"all false alarms:     ours {so['false']}, naive {sb['false']}")


if __name__ == "__main__":
    main()

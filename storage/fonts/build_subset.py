"""Build-time tool: subset Noto Sans CJK SC to the characters the charts draw (not used at run time).

Usage: python -m storage.fonts.build_subset NotoSansCJKsc-Regular.otf
The source OTF comes from the `mplfonts` wheel on PyPI (mplfonts/fonts/NotoSansCJKsc-Regular.otf,
Noto Sans CJK 1.004, SIL OFL 1.1). The subset keeps the 1,000 most frequent hanzi (by jieba's
dictionary), every character of the organisation's unit names, categories and chart labels, ASCII and
CJK punctuation, and is renamed so it never clashes with a system-installed Noto.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from . import FONT_FAMILY, FONT_FILE

COMMON_COUNT = 1000  # ~400 bytes a glyph: a safety margin of common hanzi for new labels


def common_hanzi(count: int = COMMON_COUNT) -> str:
    """The `count` most frequent hanzi, weighted by word frequency in jieba's dictionary."""
    import jieba

    freq: Counter[str] = Counter()
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            word, n, *_ = line.split()
            for ch in word:
                if "\u4e00" <= ch <= "\u9fff":
                    freq[ch] += int(n)
    return "".join(ch for ch, _ in freq.most_common(count))


def project_text() -> str:
    """Every string the charts may draw: units, categories, statuses, labels."""
    from storage import org_data
    from storage.models.appeals import CATEGORIES, SATISFACTION, STATUS_NAMES
    from storage.reports_labels import ALL_LABELS

    parts = [u[1] for u in org_data.ALL_UNITS] + list(org_data.CLUSTERS) + list(org_data.COUNTY_ALIASES)
    parts += list(CATEGORIES) + list(SATISFACTION) + list(STATUS_NAMES.values()) + list(ALL_LABELS)
    return "".join(parts)


def build(source: Path, target: Path = FONT_FILE) -> int:
    """Write the subset font; returns its size in bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    text = "".join(chr(c) for c in range(0x20, 0x7F)) + "，。、；：？！“”‘’（）《》【】—…·％～－＋／０１２３４５６７８９"
    text += common_hanzi() + project_text()
    options = subset.Options()
    options.layout_features = ["kern", "liga", "locl", "vert"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    font = TTFont(str(source))
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    # A new family name: the OFL asks modified fonts to be renamed, and it avoids clashing with system Noto.
    for rec in font["name"].names:
        if rec.nameID in (1, 4, 16):
            rec.string = FONT_FAMILY if rec.nameID != 4 else f"{FONT_FAMILY} Regular"
        elif rec.nameID == 6:
            rec.string = FONT_FAMILY.replace(" ", "") + "-Regular"
        elif rec.nameID == 3:
            rec.string = "1.004;pandeng-subset;" + FONT_FAMILY.replace(" ", "")
    font["name"].names = [r for r in font["name"].names if r.nameID not in (16, 17)]
    # The CFF table carries its own names too.
    cff = font["CFF "].cff
    cff.fontNames = [FONT_FAMILY.replace(" ", "") + "-Regular"]
    top = cff.topDictIndex[0]
    top.FullName = f"{FONT_FAMILY} Regular"
    top.FamilyName = FONT_FAMILY
    font.save(str(target))
    return target.stat().st_size


if __name__ == "__main__":
    size = build(Path(sys.argv[1]))
    print(f"{FONT_FILE.name}: {size / 1024:.0f} KiB")

"""Shared bits of the calendar tests: the notice texts and a CLI runner on a test database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_NOTICE = ROOT / "docs" / "samples" / "calendar_notice_example.txt"
EXAMPLE_CSV = ROOT / "docs" / "samples" / "calendar.csv"

# The 2026 schedule in the State Council notice's wording (its dates are those chinesecalendar publishes).
NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
"""


def cli(db_url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`pandeng …` as a separate process on the given database (no terminal: nothing asks to confirm)."""
    env = {**os.environ, "PANDENG_DATABASE_URL": db_url}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=cwd or ROOT, env=env, timeout=120)

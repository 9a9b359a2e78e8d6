"""The bundled CJK font (a subset of Noto Sans CJK SC, SIL OFL 1.1) used to draw chart labels."""
from __future__ import annotations

from pathlib import Path

FONT_FILE = Path(__file__).with_name("PandengSansSC-Regular.otf")
LICENSE_FILE = Path(__file__).with_name("OFL.txt")
FONT_FAMILY = "Pandeng Sans SC"

"""Parse Chinese policy texts (第一章/第一条 articles or the 一、/（一）/1. hierarchy) into clauses."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .model import Clause, PolicyDocument
from .profile import APPLIES_RE, extract_audience, extract_window

_CN = "一二三四五六七八九十百零〇两"
_CHAPTER = re.compile(rf"^第[{_CN}\d]+(?:[章编节]|部分)")
_ARTICLE = re.compile(rf"^(第[{_CN}\d]+条)[\s　:：]*")
# hierarchy markers, kind -> regex capturing the marker as printed
_MARKERS: list[tuple[str, re.Pattern]] = [
    ("cn", re.compile(rf"^([{_CN}]+[、．])\s*")),
    ("pcn", re.compile(rf"^([（(][{_CN}]+[）)])\s*")),
    ("num", re.compile(r"^(\d{1,2}(?:[、．）)]|\.(?!\d)))\s*")),
    ("pnum", re.compile(r"^([（(]\d{1,2}[）)])\s*")),
    ("circ", re.compile(r"^([①-⑳])\s*")),
]
_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DOCNO_RE = re.compile(r"〔\d{4}〕\s*\d+\s*号|\[\d{4}\]\s*\d+\s*号")
_ORG_RE = re.compile(r"(人民政府|办公室|办公厅|委员会|管委会|领导小组|局|厅|委|部|中心|指挥部)")
_MD_PREFIX = re.compile(r"^(?:#{1,6}\s*|>\s*|[-*+]\s+)")
_MD_EMPH = re.compile(r"\*\*|__|`")


SUPPORTED = (".md", ".txt", ".docx")
# A .docx is a zip: bound what it may inflate to before python-docx reads it (a 1 MB file can hold 400 MB of XML).
MAX_DOCX_XML_BYTES = 16 * 1024 * 1024  # all XML parts together, uncompressed
MAX_DOCX_TOTAL_BYTES = 64 * 1024 * 1024  # every part, images included, uncompressed


def _check_docx(data: bytes) -> None:
    """ValueError (Chinese) for a file that is not a readable .docx or would inflate beyond the bounds."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValueError("Word 文件已损坏或不是 .docx 格式（可用 Word/WPS 打开后另存为 .docx 再试）。") from exc
    # zipfile stops at each entry's declared size (then fails its CRC), so declared sizes bound the inflation.
    xml = sum(i.file_size for i in infos if i.filename.endswith((".xml", ".rels")))
    total = sum(i.file_size for i in infos)
    if xml > MAX_DOCX_XML_BYTES or total > MAX_DOCX_TOTAL_BYTES:
        raise ValueError(f"Word 文件解压后过大（正文约 {xml // (1024 * 1024)} MB），疑似异常文件，请拆分或另存后再导入。")


def read_bytes(data: bytes, file_name: str) -> str:
    """Text of an uploaded .md/.txt (UTF-8, GB18030 fallback) or .docx (paragraphs, then tables)."""
    ext = Path(file_name).suffix.lower()
    if ext == ".docx":
        import io

        from docx import Document  # lazy: only needed for Word files

        _check_docx(data)
        try:
            d = Document(io.BytesIO(data))
            lines = [para.text for para in d.paragraphs]
            for table in d.tables:
                for row in table.rows:
                    cells = [c.text.strip() for c in row.cells]
                    lines.append(" ".join(dict.fromkeys(c for c in cells if c)))
        except ValueError:
            raise
        except Exception as exc:  # zip, XML and python-docx errors of every kind: the file is not readable
            raise ValueError(f"Word 文件无法读取（{exc.__class__.__name__}），请用 Word/WPS 另存为 .docx 后再试。") from exc
        return "\n".join(lines)
    if ext in (".md", ".txt", ".markdown", ""):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                continue
        return data.decode("utf-8", errors="replace")
    raise ValueError(f"unsupported policy file type: {ext or file_name}")


def read_text(path: str | Path) -> str:
    """Read a .md/.txt/.docx policy file as plain lines."""
    p = Path(path)
    if p.suffix.lower() not in SUPPORTED + (".markdown", ""):
        raise ValueError(f"unsupported policy file type: {p.suffix}")
    return read_bytes(p.read_bytes(), p.name)


def _clean(line: str) -> str:
    line = line.replace("\u3000", " ").replace("\xa0", " ").strip()
    line = _MD_PREFIX.sub("", line)
    line = _MD_EMPH.sub("", line)
    return line.strip()


def _is_issuer_line(line: str) -> bool:
    if len(line) > 80 or _marker(line) or _ARTICLE.match(line) or _CHAPTER.match(line):
        return False
    if _DATE_RE.search(line) or _DOCNO_RE.search(line):
        rest = _DATE_RE.sub("", _DOCNO_RE.sub("", line)).strip(" （）()　,，")
        # only a date/doc number, or an organ name beside it; not a sentence
        return not rest or (bool(_ORG_RE.search(rest)) and "。" not in rest)
    return False


_ORG_END = re.compile(r"(人民政府|办公室|办公厅|委员会|管委会|领导小组|局|厅|委|部|中心|指挥部|小组|公司|银行|联合会)$")


def _is_org_line(line: str) -> bool:
    """A line naming only issuing bodies (济宁市工业和信息化局　济宁市财政局), as printed above a date."""
    line = line.strip("（）() ")
    if not line or len(line) > 60 or _marker(line) or _ARTICLE.match(line) or re.search(r"[。；;，,：:、]", line):
        return False
    return all(_ORG_END.search(part) and len(part) >= 3 for part in line.split())


def _issuer_block(lines: list[str], from_end: bool) -> int:
    """How many lines at the start (or end) of `lines` form the issuing block: organ names and a date
    or document number, in any order, at most three lines. Organ names alone count only at the top."""
    seq = list(reversed(lines)) if from_end else lines
    n, dated = 0, False
    while n < min(3, len(seq)) and (_is_issuer_line(seq[n]) or _is_org_line(seq[n])):
        dated = dated or _is_issuer_line(seq[n])
        n += 1
    if n and not dated:
        return 0 if from_end else n
    return n


def _split_issuer(line: str) -> tuple[str, dt.date | None]:
    m = _DATE_RE.search(line)
    date = None
    if m:
        try:
            date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            date = None
    body = _DATE_RE.sub("", line)
    body = re.sub(r"[（）()]", " ", body)
    body = re.sub(r"\s+", " ", body).strip(" ，,")
    return body, date


def _marker(line: str) -> tuple[str, str, str] | None:
    for kind, rx in _MARKERS:
        m = rx.match(line)
        if m:
            return kind, m.group(1), line[m.end():].strip()
    return None


def _title_of(body: str) -> str:
    """A clause's own heading phrase: a short first sentence such as 支持企业实施技术改造。"""
    m = re.match(r"^[【\[]([^】\]]{1,24})[】\]]", body)
    if m:
        return m.group(1)
    m = re.match(r"^([^。；，,：:\n]{2,20})[。：:\n]", body)
    if m and len(body) > m.end():
        return m.group(1)
    return ""


class _Node:
    __slots__ = ("kind", "marker", "lines", "children", "parent")

    def __init__(self, kind: str, marker: str, first: str, parent: "_Node | None"):
        self.kind, self.marker, self.parent = kind, marker, parent
        self.lines = [first] if first else []
        self.children: list[_Node] = []

    def text(self) -> str:
        return "\n".join(self.lines).strip()

    def label(self) -> str:
        parts, n = [], self
        while n is not None and n.kind != "root":
            parts.append(n.marker)
            n = n.parent
        return "".join(reversed(parts))


def _heading_only(node: _Node) -> bool:
    """A node holding sub-items whose own text is only a heading is not a clause."""
    t = node.text().rstrip("。：:；; ")
    return bool(node.children) and (len(t) <= 30 and not re.search(r"[。；;\n]", t))


def _parse_hierarchy(name: str, body: list[str]) -> list[Clause]:
    root = _Node("root", "", "", None)
    cur = root
    for line in body:
        mk = _marker(line)
        if mk is None:
            if _CHAPTER.match(line):
                continue
            cur.lines.append(line)
            continue
        kind, marker, rest = mk
        # climb to the ancestor whose kind matches (sibling), else nest under the current node
        n = cur
        while n.kind != "root" and n.kind != kind:
            n = n.parent
        parent = n.parent if n.kind == kind else cur
        node = _Node(kind, marker, rest, parent)
        parent.children.append(node)
        cur = node
    clauses: list[Clause] = []

    def walk(node: _Node, ctx: list[str]) -> None:
        text = node.text()
        if node.kind != "root" and text and not _heading_only(node):
            clauses.append(Clause(doc=name, label=node.label(), text=text, title=_title_of(text),
                                  context=" ".join(ctx)))
        heading = text if _heading_only(node) else (_title_of(text) or "")
        for ch in node.children:
            walk(ch, ctx + [heading] if heading else ctx)

    walk(root, [])
    return clauses


def _parse_articles(name: str, body: list[str]) -> list[Clause]:
    clauses: list[Clause] = []
    chapter = ""
    label, parts = None, []

    def flush() -> None:
        if label and parts:
            text = "\n".join(p for p in parts if p).strip()
            clauses.append(Clause(doc=name, label=label, text=text, title=_title_of(text), context=chapter))

    for line in body:
        if _CHAPTER.match(line):
            flush()
            label, parts = None, []
            chapter = re.sub(r"^第[^章编节部]+(?:[章编节]|部分)\s*", "", line).strip()
            continue
        m = _ARTICLE.match(line)
        if m:
            flush()
            label, parts = m.group(1), [line[m.end():].strip()]
        elif label:
            parts.append(line)
    flush()
    return clauses


def parse_text(text: str, name: str) -> PolicyDocument:
    """Parse a policy text: line one is the title, an issuing line is kept, then the clauses."""
    lines = [ln for ln in (_clean(x) for x in text.splitlines()) if ln]
    if not lines:
        raise ValueError("empty policy document")
    title = lines[0].strip("《》")
    rest = lines[1:]
    # issuing lines sit right under the title (or, as 落款, at the very end): organ names, a date
    n = _issuer_block(rest, from_end=False)
    issuer_lines, rest = rest[:n], rest[n:]
    if not issuer_lines:
        n = _issuer_block(rest, from_end=True)
        if n:
            issuer_lines, rest = rest[len(rest) - n:], rest[:len(rest) - n]
    issuer_line = " ".join(issuer_lines)
    issuer, issued = _split_issuer(issuer_line) if issuer_line else ("", None)
    articles = any(_ARTICLE.match(ln) for ln in rest)
    clauses = _parse_articles(name, rest) if articles else _parse_hierarchy(name, rest)
    # attach per-clause audience; the document's comes from its title and applicability clauses
    # a heading such as 三、申报时间 may carry the words while the dates sit in its body or sub-items
    full = "\n".join((c.context + "\n" if c.context else "") + c.text for c in clauses)
    clauses = [Clause(c.doc, c.label, c.text, c.title, c.context, extract_audience(c.text)) for c in clauses]
    scope = [title] + [c.text for c in clauses if APPLIES_RE.search(c.text)]
    audience = extract_audience("\n".join(scope))
    window = extract_window(full, issued)
    return PolicyDocument(name=name, title=title, clauses=clauses, issuer=issuer, issued=issued,
                          issuer_line=issuer_line, audience=audience, window=window,
                          style="articles" if articles else "hierarchy")


def parse_file(path: str | Path) -> PolicyDocument:
    """Read and parse one file; the document key is the file name without extension."""
    p = Path(path)
    return parse_text(read_text(p), p.stem)

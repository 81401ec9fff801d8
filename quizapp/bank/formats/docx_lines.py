"""A Word (.docx) document as the lines :mod:`.word` reads: one per paragraph, in order.

A table's cells are read row by row, each paragraph of a cell a line (banks put the options
of a question in a 2 × 2 table). Numbers that Word's automatic list numbering draws (the text
itself has no "1.") are written back in front of the text: "1." for decimal lists, "A." for
letter lists, "一、" for Chinese counting, counted as Word counts them (per list, a level
restarting the levels below it). Pictures, embedded objects and formulas are not text: the
line says it had one, and the reader decides.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from lxml import etree

from quizapp.bank.types import LETTERS
from quizapp.errors import DomainError
from quizapp.spreadsheets import MAX_UNPACKED_BYTES, check_xlsx_archive

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CHINESE_FORMATS = {
    "chineseCounting",
    "chineseCountingThousand",
    "chineseLegalSimplified",
    "ideographTraditional",
    "ideographDigital",
    "japaneseCounting",
    "taiwaneseCounting",
    "taiwaneseCountingThousand",
}
CHINESE_DIGITS = "〇一二三四五六七八九"
#: The most XML tags the parts of a document may hold together (counted while inflating,
#: before parsing): a parsed element costs memory, and a few kilobytes of zip unpack to
#: millions of "<w:p/>". A Word bank of MAX_QUESTIONS questions has well under a million.
MAX_TAGS = 2_000_000
#: The most paragraphs (table cells' included) a document may have: room for MAX_QUESTIONS
#: questions of many lines each, not for a small file that unpacks to millions of them.
MAX_LINES = 100_000


@dataclass
class Line:
    number: int  # the paragraph's place in the document, counting empty ones: "第 N 行"
    text: str
    has_picture: bool = False
    has_formula: bool = False


def read_lines(filename: str, content: bytes) -> list[Line]:
    """Open a .docx and return its lines; refuse a file Word did not save as .docx."""
    from docx import Document
    from docx.table import Table

    try:
        check_xlsx_archive(content)  # a zip bomb is refused before anything is inflated
        if _count_tags(content) > MAX_TAGS:  # ...and a flood of tiny elements before parsing
            raise _Crowded
        document = Document(io.BytesIO(content))
    except _Crowded:
        raise DomainError(
            f"文件「{filename}」的内容元素过多，不像正常的题库文档，请删除空行或拆分后重新上传。"
        ) from None
    except DomainError:
        raise DomainError(
            f"文件「{filename}」解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，"
            "不像正常的 Word 文档，请检查文件或拆分后重新上传。"
        ) from None
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        AttributeError,
        etree.LxmlError,  # XML that is broken or nested past the parser's depth limit
    ) as exc:
        raise DomainError(
            f"无法读取文件「{filename}」，请确认是 Word 保存的 .docx 文件"
            "（.doc 或 WPS 格式请先“另存为” .docx）。"
        ) from exc
    numbering = _Numbering(document)
    lines: list[Line] = []

    def add(paragraph) -> None:
        if len(lines) >= MAX_LINES:
            raise DomainError(
                f"文件「{filename}」的段落超过 {MAX_LINES} 个，不像正常的题库文档，"
                "请删除空行或拆分后重新上传。"
            )
        element = paragraph._p
        prefix = numbering.prefix(paragraph)
        lines.append(
            Line(
                len(lines) + 1,
                (prefix + paragraph.text).strip(),
                bool(element.xpath(".//w:drawing | .//w:pict | .//w:object")),
                bool(element.xpath(".//*[local-name()='oMath']")),
            )
        )

    def walk(container) -> None:
        for item in container.iter_inner_content():
            if isinstance(item, Table):
                for row in item.rows:
                    seen = set()
                    for cell in row.cells:
                        if id(cell._tc) not in seen:  # a merged cell appears once per column
                            seen.add(id(cell._tc))
                            walk(cell)
            else:
                add(item)

    walk(document)
    return lines


class _Crowded(Exception):
    """The document holds more XML tags than MAX_TAGS."""


def _count_tags(content: bytes) -> int:
    """Count the "<" of the document's XML parts, inflating them a chunk at a time."""
    count = 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for entry in archive.infolist():
            if not entry.filename.endswith((".xml", ".rels")):
                continue
            with archive.open(entry) as part:
                while chunk := part.read(1 << 20):
                    count += chunk.count(b"<")
                    if count > MAX_TAGS:
                        return count
    return count


class _Numbering:
    """The numbers Word's automatic lists draw before paragraphs."""

    def __init__(self, document) -> None:
        self.formats: dict[tuple[str, int], tuple[str, int]] = {}  # (numId, level): fmt, start
        self.counters: dict[str, dict[int, int]] = {}
        self.style_pprs: dict[str | None, Any] = {}  # style id: its paragraph properties
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(f"{W}abstractNumId"): a for a in root.iter(f"{W}abstractNum")}
        for num in root.iter(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            definition = abstract.get(ref.get(f"{W}val")) if ref is not None else None
            for level in definition.iter(f"{W}lvl") if definition is not None else ():
                fmt = level.find(f"{W}numFmt")
                start = level.find(f"{W}start")
                self.formats[(num.get(f"{W}numId"), _int(level.get(f"{W}ilvl"), 0))] = (
                    fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
                    _int(start.get(f"{W}val") if start is not None else None, 1),
                )

    def prefix(self, paragraph) -> str:
        """Count the paragraph in its list and return the number Word draws, as text."""
        num_id, level = self._list_of(paragraph)
        if num_id is None or (num_id, level) not in self.formats:
            return ""
        fmt, start = self.formats[(num_id, level)]
        counters = self.counters.setdefault(num_id, {})
        value = counters.get(level, start - 1) + 1
        counters[level] = value
        for deeper in [lv for lv in counters if lv > level]:
            del counters[deeper]
        if fmt == "decimal":
            return f"{value}. "
        if fmt in ("upperLetter", "lowerLetter") and 1 <= value <= len(LETTERS):
            return f"{LETTERS[value - 1]}. "
        if fmt in CHINESE_FORMATS and 1 <= value <= 99:
            return f"{_chinese(value)}、"
        return ""

    def _list_of(self, paragraph) -> tuple[str | None, int]:
        """The list (numId) and level of a paragraph, set on it or on its style."""
        for ppr in (paragraph._p.pPr, self._style_ppr(paragraph)):
            numpr = ppr.find(f"{W}numPr") if ppr is not None else None
            if numpr is None:
                continue
            num_id = numpr.find(f"{W}numId")
            ilvl = numpr.find(f"{W}ilvl")
            value = num_id.get(f"{W}val") if num_id is not None else None
            level = _int(ilvl.get(f"{W}val") if ilvl is not None else None, 0)
            return (None if value in (None, "0") else value), level
        return None, 0

    def _style_ppr(self, paragraph):
        """The paragraph properties of the paragraph's style, looked up once per style
        (python-docx scans every style for the default one on each lookup)."""
        key = paragraph._p.style
        if key not in self.style_pprs:
            try:
                style = paragraph.style
            except (KeyError, ValueError):
                style = None
            self.style_pprs[key] = style.element.pPr if style is not None else None
        return self.style_pprs[key]


def _int(value: str | None, default: int) -> int:
    """Read a number attribute of the numbering; a value Word never writes counts as unset."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _chinese(value: int) -> str:
    tens, units = divmod(value, 10)
    text = (CHINESE_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "")
    return text + (CHINESE_DIGITS[units] if units else "")

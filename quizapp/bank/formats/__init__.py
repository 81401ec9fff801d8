"""Readers of question files; each returns drafts for quizapp.bank.imports.

Every reader has the same signature: ``read(filename, content) -> (drafts, skipped)``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from quizapp import spreadsheets
from quizapp.bank.imports import QuestionDraft, Skipped
from quizapp.errors import DomainError

Reader = Callable[[str, bytes], tuple[list[QuestionDraft], list[Skipped]]]


MAX_BYTES = 5 * 1024 * 1024


def check_size(content: bytes, filename: str) -> None:
    """Refuse files over 5 MB before reading them."""
    if len(content) > MAX_BYTES:
        raise DomainError(f"文件「{filename}」超过 5 MB，请拆分后分批导入。")


#: The file extensions each reader takes (a .txt is GIFT or Aiken by its content).
EXTENSIONS = {
    "xlsx": "xlsx",
    "docx": "docx",
    "gift": "gift",
    "txt": "text",
    "yaml": "yaml",
    "yml": "yaml",
}
#: Older formats no reader takes, and what to save them as (the help text says so too).
SAVE_AS = {"doc": ".docx", "wps": ".docx", "xls": ".xlsx", "et": ".xlsx"}
#: What a zip archive holds when it is a Word document or an Excel workbook.
PACKAGE_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx"}


def reader_for(filename: str, content: bytes = b"") -> Reader:
    """Choose a reader by file extension (.xlsx, .docx, .gift, .txt as GIFT or Aiken by its
    content, .yaml/.yml); a file with another name is read as the Word document or Excel
    workbook its content is, if it is one. Refuse files over 5 MB first."""
    from quizapp.bank.formats import gift, word, xlsx, yaml_files

    # Before the zip's directory is parsed: a huge archive costs time and memory to list.
    check_size(content, filename)
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = EXTENSIONS.get(suffix) or _package_kind(content)
    readers = {
        "xlsx": xlsx.read,
        "docx": word.read,
        "gift": gift.read,
        "text": read_text,
        "yaml": yaml_files.read,
    }
    if kind is None and suffix in SAVE_AS:
        raise DomainError(
            f"无法读取文件「{filename}」：旧版 Office（.doc、.xls）或 WPS 格式请先“另存为”"
            f" {SAVE_AS[suffix]} 后再导入。"
        )
    if kind is None:
        raise DomainError(
            f"无法识别文件「{filename}」的格式（支持 .xlsx、.docx、.gift、.txt、.yaml）。"
        )
    return readers[kind]


def _package_kind(content: bytes) -> str | None:
    """Return "docx" or "xlsx" when ``content`` is a Word document or Excel workbook (read
    from the zip's directory only, nothing inflated), else None."""
    if not content.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    kinds = {kind for part, kind in PACKAGE_PARTS.items() if part in names}
    return kinds.pop() if len(kinds) == 1 else None


#: What only GIFT has: a "::title::" at a line's start, or an answer block "{=…}" "{~…}"
#: "{T}" "{FALSE}" (Aiken has neither; its answers are "ANSWER: B" lines).
GIFT_MARKS = re.compile(
    r"^\s*::[^:\n]*::|\{\s*[=~][^{}]*\}|\{\s*(?:T|F|TRUE|FALSE)\s*(?:#[^{}]*)?\}",
    re.MULTILINE,
)
AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*[:：]", re.MULTILINE | re.IGNORECASE)


def read_text(filename: str, content: bytes) -> tuple[list[QuestionDraft], list[Skipped]]:
    """Read a .txt question file (Moodle names GIFT exports "….gift.txt"): as GIFT when it
    has GIFT's marks and no Aiken "ANSWER:" line, else as Aiken."""
    from quizapp.bank.formats import aiken, gift

    check_size(content, filename)
    text = decode_text(content, filename)
    is_gift = GIFT_MARKS.search(text) and not AIKEN_ANSWER.search(text)
    return (gift.read if is_gift else aiken.read)(filename, content)


def decode_text(content: bytes, filename: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM), else GB18030 as Windows writes it."""
    if not content.strip():
        raise DomainError(f"文件「{filename}」是空的。")
    return spreadsheets.decode_text(
        content, f"无法识别文件「{filename}」的编码，请另存为 UTF-8 编码后重新上传。"
    )

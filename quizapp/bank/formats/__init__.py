"""Readers of question files; each returns drafts for quizapp.bank.imports.

Every reader has the same signature: ``read(filename, content) -> (drafts, skipped)``.
"""

from __future__ import annotations

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


def reader_for(filename: str) -> Reader:
    """Choose a reader by file extension (.xlsx, .gift, .txt as Aiken, .yaml/.yml)."""
    from quizapp.bank.formats import aiken, gift, xlsx, yaml_files

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    readers = {
        "xlsx": xlsx.read,
        "gift": gift.read,
        "txt": aiken.read,
        "yaml": yaml_files.read,
        "yml": yaml_files.read,
    }
    if suffix not in readers:
        raise DomainError(f"无法识别文件「{filename}」的格式（支持 .xlsx、.gift、.txt、.yaml）。")
    return readers[suffix]


def decode_text(content: bytes, filename: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM), else GB18030 as Windows writes it."""
    if not content.strip():
        raise DomainError(f"文件「{filename}」是空的。")
    return spreadsheets.decode_text(
        content, f"无法识别文件「{filename}」的编码，请另存为 UTF-8 编码后重新上传。"
    )

"""Readers of question files; each returns drafts for quizapp.bank.imports.

Every reader has the same signature: ``read(filename, content) -> (drafts, skipped)``.
"""

from __future__ import annotations

from collections.abc import Callable

from quizapp.bank.imports import QuestionDraft, Skipped
from quizapp.errors import DomainError

Reader = Callable[[str, bytes], tuple[list[QuestionDraft], list[Skipped]]]


def decode_text(content: bytes, filename: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM), else GB18030 as Windows writes it."""
    if not content.strip():
        raise DomainError(f"文件「{filename}」是空的。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(f"无法识别文件「{filename}」的编码，请另存为 UTF-8 编码后重新上传。")

"""Exports of the bank: the questions in the .xlsx template's layout, ready to edit and re-import.

Importing an exported file changes nothing: every column the import reads is written, the key
included, and the texts come back exactly (see quizapp.bank.formats.xlsx).
"""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select

from quizapp import db
from quizapp.bank.formats.xlsx import new_workbook
from quizapp.bank.models import Category, Question
from quizapp.bank.types import MAX_OPTIONS, get_type
from quizapp.spreadsheets import neutralise


def question_rows(questions: list[Question]) -> list[list[Any]]:
    """Return one template row per question (the header is formats.xlsx.HEADERS)."""
    paths = _category_paths() if any(q.category_id for q in questions) else {}
    rows = []
    for question in questions:
        qtype = get_type(question.type)
        options = list(question.options or [])
        rows.append(
            [
                qtype.label,
                question.stem,
                *options,
                *[""] * (MAX_OPTIONS - len(options)),
                qtype.answer_to_text(question.answer, options),
                question.explanation,
                paths.get(question.category_id, ""),
                question.difficulty,
                question.source,
                question.key,
                question.tags,
            ]
        )
    return rows


def export_xlsx(questions: list[Question]) -> bytes:
    """Return the questions as an .xlsx file in the import template's layout."""
    workbook, sheet = new_workbook()
    for row in question_rows(questions):
        sheet.append([neutralise(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _category_paths() -> dict[int, str]:
    """Map every category id to its "a/b/c" path, in one query."""
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    paths: dict[int, str] = {}
    for category_id, category in categories.items():
        names = []
        node: Category | None = category
        while node is not None:
            names.append(node.name)
            node = categories.get(node.parent_id) if node.parent_id else None
        paths[category_id] = "/".join(reversed(names))
    return paths

"""Exports of the bank: the questions in the .xlsx template's layout, ready to edit and re-import.

Importing an exported file changes nothing: every column the import reads is written, the key
included, and the texts come back exactly (see quizapp.bank.formats.xlsx_template).
"""

from __future__ import annotations

from sqlalchemy import select

from quizapp import db
from quizapp.bank.formats.xlsx_template import questions_xlsx
from quizapp.bank.models import Category, Question
from quizapp.bank.services import QuestionData


def export_xlsx(questions: list[Question]) -> bytes:
    """Return the questions as an .xlsx file in the import template's layout."""
    paths = _category_paths() if any(q.category_id for q in questions) else {}
    return questions_xlsx(
        [
            QuestionData(
                type=question.type,
                stem=question.stem,
                options=list(question.options or []),
                answer=question.answer,
                explanation=question.explanation,
                source=question.source,
                difficulty=question.difficulty,
                category_path=paths.get(question.category_id, ""),
                tags=question.tag_list,
                key=question.key,
            )
            for question in questions
        ]
    )


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

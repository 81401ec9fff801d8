"""What templates get from the registry, and the page for a type no longer registered."""

from __future__ import annotations

import logging

from flask import Flask, request

from quizapp import db, errors
from quizapp.bank.types import (
    UnknownQuestionType,
    all_types,
    answer_text,
    display_text,
    find_type,
    get_type,
    graded,
    printable,
    response_text,
    split_blanks,
)

log = logging.getLogger(__name__)


def type_label(code: str) -> str:
    """Name a type for a list; a type no longer registered is named, not an error."""
    qtype = find_type(code)
    return qtype.label if qtype else f"「{code}」（已不再支持）"


def init_app(app: Flask) -> None:
    """Give templates the registry's helpers; answer UnknownQuestionType with its message."""
    app.jinja_env.filters["split_blanks"] = split_blanks
    app.jinja_env.filters["printable"] = printable
    app.jinja_env.filters["type_label"] = type_label
    app.jinja_env.globals["display_text"] = display_text
    app.jinja_env.globals["answer_text"] = answer_text
    app.jinja_env.globals["response_text"] = response_text
    app.jinja_env.globals["graded"] = graded
    app.jinja_env.globals["question_type"] = get_type
    app.jinja_env.globals["find_question_type"] = find_type
    app.jinja_env.globals["question_types"] = all_types

    def question_macros(code: str):
        """Return the type's template as a module, as ``{% import %}`` gives it (without the
        context), but made once: an import inside a macro redoes Jinja's globals check on
        every question of a page (a tenth of a 50-question attempt page's CPU)."""
        return app.jinja_env.get_template(get_type(code).template).module

    app.jinja_env.globals["question_macros"] = question_macros

    @app.errorhandler(UnknownQuestionType)
    def _unknown_type(error: UnknownQuestionType):
        # Code no longer registers a type the database still holds: an administrator's task.
        log.warning("question type %r is not registered (%s)", error.type_code, request.path)
        db.session.rollback()
        return errors.error_response(error.status, error.message, error.code)

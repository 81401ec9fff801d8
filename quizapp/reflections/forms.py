"""Forms of the reflection pages."""

from __future__ import annotations

from wtforms import HiddenField, TextAreaField, ValidationError
from wtforms.validators import DataRequired

from quizapp.forms import BaseForm, text_rules, title_field
from quizapp.reflections.services import (
    MAX_CHARS,
    MAX_COMMENT,
    MAX_TITLE,
    MIN_CHARS,
    body_problem,
)


class ReflectionForm(BaseForm):
    """A reflection's title and text."""

    title = title_field(MAX_TITLE)
    body = TextAreaField(
        "正文",
        validators=[DataRequired("请填写正文。")],
        description=f"不少于 {MIN_CHARS} 字（不计空格和换行），不超过 {MAX_CHARS} 字。"
        "可从文档中粘贴，段落会保留。",
    )

    def validate_body(self, field: TextAreaField) -> None:
        problem = body_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class ReviewForm(BaseForm):
    """An organiser's decision; the button pressed says accept or return."""

    comment = TextAreaField(
        "审阅意见",
        validators=text_rules("意见", MAX_COMMENT),
        description="退回时必须填写，告诉作者需要怎样修改；通过时可不填。",
    )
    #: The version (submission time) the organiser read.
    version = HiddenField()

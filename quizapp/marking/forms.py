"""Forms of the marking pages."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired

from quizapp.forms import BaseForm, text_rules
from quizapp.marking.services import MAX_COMMENT


class MarkForm(BaseForm):
    """The points and comment for one written answer; ``version``: the mark the marker saw."""

    points = StringField("得分", validators=[InputRequired("请选择得分。")])
    comment = TextAreaField(
        "评语（可选）",
        validators=text_rules("评语", MAX_COMMENT),
    )
    version = HiddenField()


class BlindForm(BaseForm):
    """Whether markers see members' names."""

    blind = BooleanField("匿名阅卷", description="勾选后，阅卷页面不显示答题人的姓名和支部。")


class MarkerForm(BaseForm):
    """A member to name (or take off) as a marker."""

    member_id = IntegerField(validators=[InputRequired()])

"""Forms of the error-report pages."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired

from quizapp.forms import BaseForm, enum_choices, text_rules
from quizapp.reports.models import ReportReason, ReportStatus
from quizapp.reports.services import MAX_NOTE, MAX_TEXT


class ReportForm(BaseForm):
    """A member's report: what is wrong and, optionally, how."""

    reason = RadioField(
        "问题类型",
        choices=enum_choices(ReportReason),
        validators=[InputRequired("请选择问题类型。")],
    )
    text = TextAreaField(
        "说明",
        validators=text_rules("说明", MAX_TEXT),
        description=f"写明哪里有误、依据是什么（选“其他”时必填，最多 {MAX_TEXT} 字）。",
    )


class CloseForm(BaseForm):
    """An organiser's outcome for all open reports of a question."""

    outcome = RadioField(
        "处理结果",
        choices=[
            SelectChoice(ReportStatus.RESOLVED.value, "已更正（题目已修改）"),
            SelectChoice(ReportStatus.DISMISSED.value, "不采纳（题目无误）"),
        ],
        validators=[InputRequired("请选择处理结果。")],
    )
    note = TextAreaField(
        "处理说明",
        validators=text_rules("处理说明", MAX_NOTE),
        description="会通知每位报告人；不采纳时必填。请勿写出正在进行的考试的答案。",
    )

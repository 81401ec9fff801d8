"""Forms of the offline session pages."""

from __future__ import annotations

from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from quizapp.forms import BaseForm, title_field
from quizapp.offline.models import OfflineKind
from quizapp.offline.services import KINDS, MAX_DURATION, MAX_NOTES


class SessionForm(BaseForm):
    """An offline session and its attendees."""

    title = title_field()
    kind = RadioField(
        "形式",
        choices=[SelectChoice(k, label) for k, label in KINDS.items()],
        default=OfflineKind.LECTURE.value,
        invalid_choice_message="请选择形式。",
    )
    held_on = DateField(
        "举办日期",
        validators=[DataRequired("请填写举办日期。")],
        description="活动当天（北京时间），不能晚于今天。",
    )
    duration_minutes = IntegerField(
        "时长（分钟）",
        validators=[
            InputRequired("请填写时长。"),
            NumberRange(min=1, max=MAX_DURATION, message=f"时长应为 1 至 {MAX_DURATION} 分钟。"),
        ],
        description="计入学习任务时按此时长累计。",
    )
    branch_id = SelectField(
        "举办支部",
        coerce=int,
        validate_choice=True,
        invalid_choice_message="所选支部不存在或不在您的管理范围内。",
    )
    notes = TextAreaField(
        "备注",
        validators=[Length(max=MAX_NOTES, message=f"备注不能超过 {MAX_NOTES} 字。")],
        description="可填写主讲人、地点、学习内容等。",
    )
    #: Checked attendees; checked against the actor's scope by the route and the service.
    member_ids = SelectMultipleField(
        "参加人员",
        coerce=int,
        validate_choice=False,
        invalid_value_message="参加人员选择有误，请重新勾选。",
    )
    #: The search box for members of other branches (not saved).
    q = StringField("查找其他支部人员", validators=[Length(max=50)])

    def ticked_ids(self) -> list[int]:
        """Return the ticked member ids, without repeats."""
        return list(dict.fromkeys(self.member_ids.data or []))

"""Forms of the offline session pages."""

from __future__ import annotations

from wtforms import (
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length

from quizapp.forms import BaseForm, date_field, enum_field, number_field, text_rules, title_field
from quizapp.offline.models import OfflineKind
from quizapp.offline.services import MAX_DURATION, MAX_NOTES


class SessionForm(BaseForm):
    """An offline session and its attendees."""

    title = title_field()
    kind = enum_field("形式", OfflineKind, OfflineKind.LECTURE, invalid="请选择形式。")
    held_on = date_field(
        "举办日期", required="请填写举办日期。", description="活动当天（北京时间），不能晚于今天。"
    )
    duration_minutes = number_field(
        "时长（分钟）",
        1,
        MAX_DURATION,
        f"时长应为 1 至 {MAX_DURATION} 分钟。",
        required="请填写时长。",
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
        validators=text_rules("备注", MAX_NOTES),
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

"""Forms of 缓考 and 补考: the member's request, the organiser's decision and grant."""

from __future__ import annotations

from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired

from quizapp.deferrals.models import DeferralReason
from quizapp.deferrals.services import TEXT_MAX
from quizapp.forms import BaseForm, china_time_field, enum_choices, number_field, text_rules
from quizapp.members.models import LOGIN_ID_MAX


class RequestForm(BaseForm):
    """A member asks for 缓考."""

    reason = RadioField(
        "缓考原因",
        choices=enum_choices(DeferralReason),
        validators=[DataRequired("请选择缓考原因。")],
    )
    text = TextAreaField(
        "说明",
        validators=text_rules("说明", TEXT_MAX),
        description="选择“其他”时必填，例如具体的勤务安排。",
    )


class ApproveForm(BaseForm):
    """An organiser approves a 缓考 with a personal window."""

    opens_at = china_time_field("个人考试开始时间", required="请填写开始时间。")
    closes_at = china_time_field("个人考试结束时间", required="请填写结束时间。")
    note = StringField("备注", validators=text_rules("备注", TEXT_MAX))


class RefuseForm(BaseForm):
    """An organiser refuses a 缓考, saying why."""

    note = StringField(
        "不批准的理由", validators=text_rules("不批准的理由", TEXT_MAX, required=True)
    )


class GrantForm(BaseForm):
    """An organiser grants one member 补考 and/or extra time."""

    login_id = StringField(
        "警号/手机号", validators=text_rules("警号或手机号", LOGIN_ID_MAX, required=True)
    )
    attempts = number_field(
        "补考次数", 1, 10, "补考次数应为 1 至 10。", description="增加的答题次数。"
    )
    minutes = number_field(
        "延长时间（分钟）",
        1,
        600,
        "延长时间应为 1 至 600 分钟。",
        description="每次答题可多用的分钟数（本测试限时时）。",
    )
    opens_at = china_time_field(
        "补考开始时间", description="测试结束后补考时填写；不填则在测试原定时间内补考。"
    )
    closes_at = china_time_field("补考结束时间")
    reason = StringField("原因", validators=text_rules("原因", TEXT_MAX, required=True))

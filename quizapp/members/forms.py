"""Forms of the member management pages."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired

from quizapp.forms import BaseForm, date_field, enum_choices, text_rules
from quizapp.members.models import NAME_MAX, PHONE_MAX, STATUS_LABELS, Role
from quizapp.members.services import POLICE_NO_MAX

STATUS_CHOICES = [SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()]
ROLE_CHOICES = enum_choices(Role)


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _branch_field(label: str) -> SelectField:
    """A branch chosen from the organiser's own (choices set by the page)."""
    return SelectField(
        label,
        coerce=int,
        validate_choice=True,
        invalid_choice_message="所选支部不存在或不在您的管理范围内。",
    )


def _password_field(label: str, missing: str, when: str) -> PasswordField:
    """A password an organiser gives a member, who must change it at the next login."""
    return PasswordField(
        label,
        validators=[DataRequired(missing)],
        description=f"至少 8 位，含字母和数字。本人{when}登录时须修改。",
    )


class MemberForm(BaseForm):
    name = StringField("姓名", validators=text_rules("姓名", NAME_MAX, required=True))
    police_no = StringField(
        "警号",
        validators=text_rules("警号", POLICE_NO_MAX),
        description="警号和手机号至少填写一项，均可用于登录。",
    )
    phone = StringField("手机号", validators=text_rules("手机号", PHONE_MAX))
    branch_id = _branch_field("所属支部")
    political_status = SelectField("政治面貌", choices=STATUS_CHOICES)
    joined_party_on = date_field("入党时间", description="正式党员、预备党员填写；其他人员留空。")
    role = SelectField(
        "角色",
        choices=ROLE_CHOICES,
        invalid_choice_message="您无权设置「系统管理员」角色，或所选角色无效。",
    )
    scope_branch_id = SelectField(
        "管理范围",
        coerce=_optional_int,
        validate_choice=False,
        description="仅支部管理员需要：可管理该组织及其全部下级。",
    )


class NewMemberForm(MemberForm):
    initial_password = _password_field("初始密码", "请设置初始密码。", "首次")


class MoveMemberForm(BaseForm):
    branch_id = _branch_field("转入支部")


class ResetPasswordForm(BaseForm):
    temporary_password = _password_field("临时密码", "请输入临时密码。", "下次")


class ImportForm(BaseForm):
    file = FileField(
        "花名册文件",
        validators=[
            FileRequired("请选择要导入的文件。"),
            FileAllowed(["xlsx", "csv"], "只支持 .xlsx 或 .csv 文件。"),
        ],
    )
    dry_run = BooleanField("仅检查文件，不导入")

"""Login and password forms."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from quizapp.forms import BaseForm, text_rules
from quizapp.members.models import LOGIN_ID_MAX
from quizapp.members.passwords import MAX_LENGTH


class LoginForm(BaseForm):
    login_id = StringField(
        "警号或手机号", validators=text_rules("警号或手机号", LOGIN_ID_MAX, required=True)
    )
    password = PasswordField("密码", validators=text_rules("密码", MAX_LENGTH, required=True))
    remember = BooleanField("在本机保持登录")
    next = HiddenField()


class ChangePasswordForm(BaseForm):
    current = PasswordField(
        "当前密码", validators=text_rules("当前密码", MAX_LENGTH, required=True)
    )
    new = PasswordField("新密码", validators=text_rules("新密码", MAX_LENGTH, required=True))
    # Not a text of its own: it must be the new password again (so no length of its own).
    confirm = PasswordField(
        "再次输入新密码",
        validators=[DataRequired("请再次输入新密码。"), EqualTo("new", "两次输入的新密码不一致。")],
    )

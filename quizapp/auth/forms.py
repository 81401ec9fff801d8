"""Login and password forms."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from quizapp.forms import BaseForm


class LoginForm(BaseForm):
    login_id = StringField(
        "警号或手机号", validators=[DataRequired("请输入警号或手机号。"), Length(max=32)]
    )
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=128)])
    remember = BooleanField("在本机保持登录")
    next = HiddenField()


class ChangePasswordForm(BaseForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码。")])
    confirm = PasswordField(
        "再次输入新密码",
        validators=[DataRequired("请再次输入新密码。"), EqualTo("new", "两次输入的新密码不一致。")],
    )

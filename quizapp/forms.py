"""The base of every form (CSRF from Flask-WTF, WTForms' built-in messages in Chinese), the
empty action form and the small helpers every feature's forms share."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, Length, Optional

from quizapp.clock import CHINA

#: The browser's datetime-local value first, so the input shows it; the others are accepted.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
TIME_MESSAGE = "请按“年-月-日 时:分”填写时间。"
#: Textarea entries may be split by lines or by the commas people type.
LIST_SEPARATORS = re.compile(r"[\r\n,，、;；]+")


class BaseForm(FlaskForm):
    """A form whose built-in validation messages (invalid choice, date...) are Chinese."""

    class Meta:
        # WTForms ships zh translations; Flask-WTF's own i18n would need Flask-Babel, so
        # WTF_I18N_ENABLED is off and WTForms picks its translations from these locales.
        locales = ["zh"]


class ActionForm(BaseForm):
    """An empty form: a POST button with its CSRF token."""


def title_field(max_length: int = 100) -> StringField:
    """Return the required 标题 field of a quiz, material, campaign, session or reflection."""
    return StringField(
        "标题",
        validators=[
            DataRequired("请填写标题。"),
            Length(max=max_length, message=f"标题不能超过 {max_length} 字。"),
        ],
    )


def china_time_field(
    label: str, *, required: str | None = None, description: str = ""
) -> DateTimeLocalField:
    """Return a date-and-time field typed in China time (aware); ``required`` is the message
    when it is left empty, None to make it optional."""
    return DateTimeLocalField(
        label,
        tz=CHINA,
        format=DATETIME_FORMATS,
        validators=[DataRequired(required)] if required else [Optional()],
        description=description,
        invalid_value_message=TIME_MESSAGE,
    )


def split_entries(text: str | None) -> list[str]:
    """Split a textarea into its entries, trimmed, without blanks or repeats, in order."""
    entries = (e.strip() for e in LIST_SEPARATORS.split(text or ""))
    return list(dict.fromkeys(e for e in entries if e))


def entries_text(entries: list[str]) -> str:
    """Write entries for a message: the first 20, and how many there are when there are more."""
    return "、".join(entries[:20]) + (f" 等 {len(entries)} 项" if len(entries) > 20 else "")

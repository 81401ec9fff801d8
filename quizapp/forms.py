"""The base of every form (CSRF from Flask-WTF, WTForms' built-in messages in Chinese), the
empty action form and the small helpers every feature's forms share: the rules of a text
and of a whole number, the choices of a labelled enum, the 标题, date and China-time fields."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, StringField
from wtforms.fields import DateField, DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from quizapp.clock import CHINA
from quizapp.enums import LabelledEnum

#: The browser's datetime-local value first, so the input shows it; the others are accepted.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
TIME_MESSAGE = "请按“年-月-日 时:分”填写时间。"
DATE_MESSAGE = "请按“年-月-日”填写有效的日期。"
#: Textarea entries may be split by lines or by the commas people type.
LIST_SEPARATORS = re.compile(r"[\r\n,，、;；]+")
#: 警号 and phone numbers hold no spaces: spaces, tabs and full-width spaces split them too.
ID_SEPARATORS = re.compile(r"[\s,，、;；]+")


class BaseForm(FlaskForm):
    """A form whose built-in validation messages (invalid choice, date...) are Chinese."""

    class Meta:
        # WTForms ships zh translations; Flask-WTF's own i18n would need Flask-Babel, so
        # WTF_I18N_ENABLED is off and WTForms picks its translations from these locales.
        locales = ["zh"]


class ActionForm(BaseForm):
    """An empty form: a POST button with its CSRF token."""


def text_rules(label: str, most: int, *, required: bool = False) -> list:
    """Return the validators of a text of at most ``most`` characters ("<label>不能超过 N 字。"),
    which must be filled in ("请填写<label>。") when ``required``."""
    too_long = Length(max=most, message=f"{label}不能超过 {most} 字。")
    return [DataRequired(f"请填写{label}。"), too_long] if required else [too_long]


def title_field(max_length: int = 100) -> StringField:
    """Return the required 标题 field of a quiz, material, campaign, session or reflection."""
    return StringField("标题", validators=text_rules("标题", max_length, required=True))


def number_field(
    label: str,
    low: int,
    high: int,
    message: str,
    *,
    required: str | None = None,
    default: int | None = None,
    description: str = "",
) -> IntegerField:
    """Return a whole-number field from ``low`` to ``high`` (``message`` when outside);
    ``required`` is the message when it is left empty, None to make it optional."""
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired(required) if required else Optional(),
            NumberRange(min=low, max=high, message=message),
        ],
        description=description,
    )


def enum_choices(values: type[LabelledEnum]) -> list[SelectChoice]:
    """Return the choices of a select or radio field: each value of an enum whose members
    carry their Chinese ``label`` (``enums.LabelledEnum``), with that label."""
    return [SelectChoice(value.value, value.label) for value in values]


def enum_field(
    label: str,
    values: type[LabelledEnum],
    default: LabelledEnum,
    *,
    invalid: str | None = None,
    description: str = "",
    field: type[SelectField] = RadioField,
) -> SelectField:
    """Return radio buttons (or another ``field``) to choose one of an enum's values by its
    label; ``invalid`` is the message for a value that is not one of them."""
    return field(
        label,
        choices=enum_choices(values),
        default=default.value,
        invalid_choice_message=invalid,
        description=description,
    )


def _filled(required: str | None) -> list:
    """Return the first validator of a date or time field: ``required`` when left empty, or
    optional. InputRequired, not DataRequired: a value typed that is no date leaves no data,
    and DataRequired would put "请填写…" in place of the field's own "not a valid date"."""
    return [InputRequired(required)] if required else [Optional()]


def china_time_field(
    label: str, *, required: str | None = None, description: str = ""
) -> DateTimeLocalField:
    """Return a date-and-time field typed in China time (aware); ``required`` is the message
    when it is left empty, None to make it optional."""
    return DateTimeLocalField(
        label,
        tz=CHINA,
        format=DATETIME_FORMATS,
        validators=_filled(required),
        description=description,
        invalid_value_message=TIME_MESSAGE,
    )


def date_field(label: str, *, required: str | None = None, description: str = "") -> DateField:
    """Return a date field (年-月-日); ``required`` is the message when it is left empty, None
    to make it optional."""
    return DateField(
        label,
        validators=_filled(required),
        description=description,
        invalid_value_message=DATE_MESSAGE,
    )


def split_entries(text: str | None, *, ids: bool = False) -> list[str]:
    """Split a textarea into its entries, trimmed, without blanks or repeats, in order;
    at spaces too for a list of 警号/手机号 (``ids``)."""
    separators = ID_SEPARATORS if ids else LIST_SEPARATORS
    entries = (e.strip() for e in separators.split(text or ""))
    return list(dict.fromkeys(e for e in entries if e))


def entries_text(entries: list[str]) -> str:
    """Write entries for a message: the first 20, and how many there are when there are more."""
    return "、".join(entries[:20]) + (f" 等 {len(entries)} 项" if len(entries) > 20 else "")

"""The quiz form's points per question: one input per registered question type."""

from __future__ import annotations

from wtforms import FloatField, Form
from wtforms.validators import InputRequired, NumberRange

from quizapp.bank.types import QuestionType, all_types


class PointsForm(Form):
    """Points per question of each type, one input per registered type."""

    #: The types whose inputs the class holds now (see sync_points_fields).
    _point_codes: tuple[str, ...] = ()


def _points_field(qtype: QuestionType) -> FloatField:
    return FloatField(
        f"{qtype.label}题",
        default=qtype.default_points,
        validators=[
            InputRequired(f"请填写{qtype.label}题的分值。"),
            NumberRange(min=0.5, max=100, message="每题分值应为 0.5 至 100 分。"),
        ],
    )


def sync_points_fields() -> None:
    """Give PointsForm one input per registered type, in the registry's order.

    Types may be registered after this module is imported (a test's toy type); WTForms
    rebuilds a form class's fields when its attributes change, so only a change costs.
    """
    codes = [t.code for t in all_types()]
    if list(PointsForm._point_codes) == codes:
        return
    for code in PointsForm._point_codes:
        delattr(PointsForm, code)
    for qtype in all_types():
        setattr(PointsForm, qtype.code, _points_field(qtype))
    PointsForm._point_codes = tuple(codes)


sync_points_fields()

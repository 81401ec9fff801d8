"""Forms of the organisation tree pages."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField

from quizapp.forms import BaseForm, number_field, text_rules
from quizapp.org.models import CODE_MAX, NAME_MAX, BranchKind


class BranchForm(BaseForm):
    name = StringField("名称", validators=text_rules("名称", NAME_MAX, required=True))
    code = StringField(
        "编码",
        validators=text_rules("编码", CODE_MAX, required=True),
        description="字母或数字，全局唯一，用于导入导出，例如 CG01。",
    )
    sort_order = number_field(
        "排序", 0, 9999, "排序应为 0–9999。", default=0, description="数字小的排在前面。"
    )


class NewBranchForm(BranchForm):
    kind = SelectField(
        "类型",
        choices=[
            SelectChoice(BranchKind.BRANCH.value, BranchKind.BRANCH.label),
            SelectChoice(BranchKind.UNIT.value, "单位（县局/分局/部门）"),
        ],
    )


class MoveBranchForm(BaseForm):
    parent_id = SelectField("新的上级组织", coerce=int, validate_choice=True)

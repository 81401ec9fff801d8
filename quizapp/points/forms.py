"""Forms of the points pages: a correction, and the rules with the tier thresholds."""

from __future__ import annotations

from decimal import Decimal

from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, ValidationError

from quizapp.forms import BaseForm, date_field, text_rules
from quizapp.points import corrections
from quizapp.points.rules import (
    DEFAULTS,
    MAX_CAP,
    MAX_POINTS,
    MAX_THRESHOLD,
    MAX_UNIT,
    UNIT_RULES,
    Rule,
    RuleData,
    Thresholds,
)


class CorrectionForm(BaseForm):
    """补发 or 扣减 for one member, with the reason."""

    kind = RadioField(
        "调整方式",
        choices=[SelectChoice(k, v) for k, v in corrections.KINDS.items()],
        default="award",
        invalid_choice_message="请选择补发或扣减。",
    )
    points = IntegerField(
        "分值",
        validators=[
            InputRequired("请填写分值。"),
            NumberRange(
                min=1,
                max=corrections.MAX_POINTS,
                message=f"分值应为 1 至 {corrections.MAX_POINTS} 分。",
            ),
        ],
    )
    reason = TextAreaField(
        "原因",
        validators=text_rules("原因", corrections.REASON_MAX, required=True),
        description="党员本人能看到原因和调整人。",
    )
    day = date_field(
        "计入日期",
        required="请填写日期。",
        description="积分计入这一天所在的月份（北京时间），不能晚于今天。",
    )
    #: One-time token: a second submit of the same form writes nothing.
    token = HiddenField()

    def data_for(self) -> corrections.CorrectionData:
        """Return the validated form as the service's data."""
        return corrections.CorrectionData(
            kind=self.kind.data,
            points=self.points.data,
            reason=self.reason.data or "",
            day=self.day.data,
            token=self.token.data or "",
        )


def _threshold(label: str, description: str) -> DecimalField:
    return DecimalField(
        label,
        places=1,
        description=description,
        validators=[
            InputRequired("请填写标准。"),
            NumberRange(min=0, max=MAX_THRESHOLD, message=f"标准应为 0 至 {MAX_THRESHOLD} 分。"),
        ],
    )


class SettingsForm(BaseForm):
    """Every rule (points, unit, daily cap, on/off) and the red and yellow thresholds.

    The rule fields are added below, four per rule: ``<key>_points``, ``<key>_unit`` (for the
    rules counting minutes or questions), ``<key>_cap`` and ``<key>_enabled``.
    """

    red_min = _threshold("红榜标准（人均积分）", "支部当月人均积分达到此数，列入红榜。")
    yellow_min = _threshold("黄榜标准（人均积分）", "达到此数列入黄榜；低于此数列入蓝榜。")
    members_see_rank = BooleanField(
        "党员可以看到本人在支部内的积分名次",
        default=True,
        description="不勾选则党员只能看到本人积分和所在支部的红黄蓝榜名次（不公布个人积分排名）。",
    )

    def validate_red_min(self, field: DecimalField) -> None:
        if (
            field.data is not None
            and self.yellow_min.data is not None
            and field.data <= self.yellow_min.data
        ):
            raise ValidationError("红榜标准必须高于黄榜标准。")

    def rule_fields(self, key: str) -> dict:
        """Return the bound fields of one rule by name (points, unit, cap, enabled)."""
        return {
            name: self[f"{key}_{name}"]
            for name in ("points", "unit", "cap", "enabled")
            if f"{key}_{name}" in self
        }

    def fill(self, rules: dict[str, Rule], thresholds: Thresholds) -> None:
        """Show the rules and thresholds in force."""
        for key, rule in rules.items():
            fields = self.rule_fields(key)
            fields["points"].data, fields["cap"].data = rule.points, rule.daily_cap
            fields["enabled"].data = rule.is_enabled
            if "unit" in fields:
                fields["unit"].data = rule.unit
        self.red_min.data, self.yellow_min.data = thresholds.red_min, thresholds.yellow_min
        self.members_see_rank.data = thresholds.members_see_rank

    def rules(self) -> list[RuleData]:
        """Return the validated rules."""
        found = []
        for key in DEFAULTS:
            fields = self.rule_fields(key)
            found.append(
                RuleData(
                    key=key,
                    points=fields["points"].data,
                    unit=fields["unit"].data if "unit" in fields else 1,
                    daily_cap=fields["cap"].data,
                    is_enabled=bool(fields["enabled"].data),
                )
            )
        return found

    def thresholds(self) -> Thresholds:
        """Return the validated thresholds."""
        return Thresholds(
            Decimal(self.red_min.data),
            Decimal(self.yellow_min.data),
            bool(self.members_see_rank.data),
        )


def _add_rule_fields(form: type[SettingsForm], rule: Rule) -> None:
    """Add a rule's fields to the form: points, unit (for per-unit rules), daily cap, on/off."""
    label = rule.label

    def number(part: str, text: str, lowest: int, highest: int, empty: str, wrong: str) -> None:
        validators = [InputRequired(empty), NumberRange(min=lowest, max=highest, message=wrong)]
        setattr(form, f"{rule.key}_{part}", IntegerField(f"{label}：{text}", validators=validators))

    number("points", "分值", 0, MAX_POINTS, "请填写分值。", f"分值应为 0 至 {MAX_POINTS} 分。")
    if rule.key in UNIT_RULES:
        unit = f"每多少{rule.unit_name}"
        number("unit", unit, 1, MAX_UNIT, "请填写数量。", f"应为 1 至 {MAX_UNIT}。")
    cap = f"每日上限应为 0 至 {MAX_CAP} 分。"
    number("cap", "每日上限（分）", 0, MAX_CAP, "请填写每日上限。", cap)
    setattr(form, f"{rule.key}_enabled", BooleanField(f"启用「{label}」积分"))


for _rule in DEFAULTS.values():
    _add_rule_fields(SettingsForm, _rule)

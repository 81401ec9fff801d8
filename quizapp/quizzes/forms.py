"""Forms of the quiz management pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import Length

from quizapp.audiences.forms import audience_values, branches_field, roster_field, statuses_field
from quizapp.bank.forms import DIFFICULTY_LABELS
from quizapp.bank.types import all_types, default_points, type_choices
from quizapp.clock import to_china
from quizapp.forms import BaseForm, china_time_field, enum_field, number_field, title_field
from quizapp.quizzes.models import Counting, LeavePolicy, Quiz, QuizKind, ReviewWhen
from quizapp.quizzes.points_fields import PointsForm, sync_points_fields
from quizapp.quizzes.ranking_fields import RankingFields

#: At most this many draw rules on one quiz (rows of the form).
MAX_RULES = 6

DIFFICULTY_CHOICES = [SelectChoice(level, label) for level, label in DIFFICULTY_LABELS.items()]


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


def _number(value: float | None) -> float | int | None:
    """Show 2.0 as 2 in the inputs."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _type_choices() -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in type_choices("题")]


class RuleForm(Form):
    """One draw rule: ``count`` questions of a type from a category and difficulty range."""

    type = SelectField(
        "题型", choices=_type_choices, default="single", invalid_choice_message="请选择题型。"
    )
    category_id = SelectField(
        "分类", coerce=_optional_int, default=None, invalid_choice_message="所选分类不存在。"
    )
    difficulty_min = SelectField("最低难度", choices=DIFFICULTY_CHOICES, coerce=int, default=1)
    difficulty_max = SelectField("最高难度", choices=DIFFICULTY_CHOICES, coerce=int, default=5)
    count = number_field("题数", 1, 200, "题数应为 1 至 200。")

    @property
    def is_used(self) -> bool:
        """Tell whether the row is in use: a blank count leaves it out."""
        return self.count.data is not None


class QuizForm(RankingFields, BaseForm):
    """Every setting of a quiz, its audience and its questions, on one page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        sync_points_fields()
        super().__init__(*args, **kwargs)

    title = title_field()
    description = TextAreaField(
        "说明",
        validators=[Length(max=2000)],
        description="党员开始答题前看到，可写考试要求、范围等。",
    )
    kind = enum_field("类型", QuizKind, QuizKind.TEST, invalid="请选择类型。")
    opens_at = china_time_field("开始时间", required="请填写开始时间。", description="北京时间。")
    closes_at = china_time_field("结束时间", required="请填写结束时间。")
    time_limit_minutes = number_field(
        "答题时长（分钟）",
        1,
        600,
        "答题时长应为 1 至 600 分钟。",
        description="留空则不限时长，到结束时间为止。",
    )
    attempts_allowed = number_field(
        "可答次数", 1, 20, "可答次数应为 1 至 20 次。", required="请填写可答次数。", default=1
    )
    counting = enum_field(
        "计分方式",
        Counting,
        Counting.HIGHEST,
        description="可答多次时，以哪一次的成绩为准。",
        field=SelectField,
    )
    pass_percent = number_field(
        "及格线（%）",
        0,
        100,
        "及格线应为 0 至 100。",
        required="请填写及格线。",
        default=60,
        description="占试卷总分的百分比。",
    )
    points = FormField(PointsForm, label="每题分值")
    partial_credit = BooleanField(
        "多选题少选得部分分",
        description="只选对部分选项、没有选错时，按选对的比例得分；不勾选则须全部选对才得分。",
    )
    shuffle_questions = BooleanField("打乱题目顺序", default=True)
    shuffle_options = BooleanField(
        "打乱选项顺序", default=True, description="每份答卷打乱一次，刷新或换设备后顺序不变。"
    )
    review_when = enum_field(
        "何时公布成绩",
        ReviewWhen,
        ReviewWhen.IMMEDIATELY,
        invalid="请选择何时公布答卷。",
        description="到时党员可以看到得分和自己的答卷；是否同时公布正确答案和解析，见下面两项。",
    )
    review_show_answers = BooleanField("同时公布正确答案", default=True)
    review_show_explanations = BooleanField("同时公布解析", default=True)
    leave_policy = enum_field(
        "切屏（离开答题页面）",
        LeavePolicy,
        LeavePolicy.OFF,
        description="记录的次数和交卷原因显示在成绩页和成绩导出中。",
    )
    leave_limit = number_field(
        "切屏次数上限 N",
        1,
        50,
        "切屏次数上限应为 1 至 50 次。",
        description="选择“达到 N 次自动交卷”时填写：离开答题页面达到 N 次即自动交卷。",
    )
    branch_ids = branches_field("参加组织", "选中的组织及其全部下级的人员可以参加。")
    statuses = statuses_field()
    roster = roster_field("可以参加")
    question_keys = TextAreaField(
        "指定题目",
        validators=[Length(max=20000)],
        description="每行一个题目编号（见题库），每份试卷都包含这些题。",
    )
    rules = FieldList(FormField(RuleForm), min_entries=MAX_RULES, max_entries=MAX_RULES)

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the fields, then ask for N when leaving the page N times submits."""
        valid = super().validate(extra_validators)
        if self.leave_policy.data == LeavePolicy.SUBMIT and self.leave_limit.data is None:
            self.leave_limit.errors = ["选择“达到 N 次自动交卷”时请填写切屏次数上限。"]
            return False
        return valid

    def set_choices(self, branches: list[SelectChoice], categories: list[SelectChoice]) -> None:
        """Offer the organiser's branches and the bank's categories."""
        self.branch_ids.choices = branches
        for entry in self.rules:
            entry.category_id.choices = [SelectChoice("", "全部题库"), *categories]

    @staticmethod
    def defaults(now: datetime) -> dict[str, Any]:
        """Return the values a new quiz starts with: open now, for a week."""
        start = to_china(now).replace(second=0, microsecond=0)
        return {
            "opens_at": start,
            "closes_at": start + timedelta(days=7),
            "points": {code: _number(float(p)) for code, p in default_points().items()},
        }

    @staticmethod
    def values_of(quiz: Quiz) -> dict[str, Any]:
        """Return the form's values for an existing quiz (to edit it)."""
        names = (
            "title",
            "description",
            "kind",
            "opens_at",
            "closes_at",
            "time_limit_minutes",
            "attempts_allowed",
            "counting",
            "pass_percent",
            "partial_credit",
            "shuffle_questions",
            "shuffle_options",
            "review_when",
            "review_show_answers",
            "review_show_explanations",
            "leave_policy",
            "leave_limit",
        )
        values: dict[str, Any] = {name: getattr(quiz, name) for name in names}
        values |= (
            audience_values(quiz.audience)
            | QuizForm.ranking_values(quiz)
            | {
                "points": {t.code: _number(quiz.points.get(t.code)) for t in all_types()},
                "question_keys": "\n".join(fq.question.key for fq in quiz.fixed_questions),
                "rules": [
                    {
                        "type": r.type,
                        "category_id": r.category_id,
                        "difficulty_min": r.difficulty_min,
                        "difficulty_max": r.difficulty_max,
                        "count": r.count,
                    }
                    for r in quiz.draw_rules
                ],
            }
        )
        return values

    def window(self) -> tuple[datetime, datetime]:
        """Return the opening and closing moments in UTC (entered in China time)."""
        return self.opens_at.data.astimezone(UTC), self.closes_at.data.astimezone(UTC)

    def rule_rows(self) -> tuple[list[FormField], list[FormField]]:
        """Split the rule rows into those to show (used ones and one blank) and the spares."""
        shown, spare = [], []
        for entry in self.rules:
            if (
                entry.form.is_used
                or entry.errors
                or not any(not e.form.is_used and not e.errors for e in shown)
            ):
                shown.append(entry)
            else:
                spare.append(entry)
        return shown, spare

    def used_rules(self) -> list[RuleForm]:
        """Return the rule rows that have a count (a blank count leaves the row unused)."""
        return [entry.form for entry in self.rules if entry.form.is_used]

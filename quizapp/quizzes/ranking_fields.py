"""The quiz form's ranking fields: when members see the ranking, and with their own place."""

from __future__ import annotations

from wtforms import BooleanField, RadioField
from wtforms.validators import Optional

from quizapp.forms import enum_choices
from quizapp.quizzes.models import Quiz, RankingWhen


class RankingFields:
    """Fields the quiz form takes in (WTForms collects fields from every base class)."""

    ranking_when = RadioField(
        "向党员公布排名",
        choices=enum_choices(RankingWhen),
        default=None,
        validators=[Optional()],
        description="公布后，党员在成绩页和测试页看到本人名次和各支部排名（不显示他人姓名、成绩和答卷）。"
        "成绩公布之前不公布排名，不公布成绩的不公布排名。"
        "不选则知识竞赛结束后公布，其他类型不公布。",
        invalid_choice_message="请选择何时公布排名。",
    )
    ranking_personal = BooleanField(
        "公布个人名次",
        default=True,
        description="不勾选则党员只看到各支部排名，看不到本人名次。",
    )

    def ranking_data(self) -> dict:
        """Return the ranking settings for QuizData (None: the kind's default)."""
        when = self.ranking_when.data
        return {
            "ranking_when": RankingWhen(when) if when else None,
            "ranking_personal": bool(self.ranking_personal.data),
        }

    @staticmethod
    def ranking_values(quiz: Quiz) -> dict:
        """Return the form's ranking values for an existing quiz."""
        return {"ranking_when": quiz.ranking_when, "ranking_personal": quiz.ranking_personal}

"""Factories for bank questions and quizzes, shared by the quiz tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quizapp import db
from quizapp.audiences.services import build_audience
from quizapp.bank.services import QuestionData, save_question
from quizapp.quizzes.models import Counting, QuizKind, ReviewWhen
from quizapp.quizzes.services import QuizData, RuleData, save_quiz, set_published
from quizapp.study.models import Material, StudyMinute

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # 10:00 in China


def make_questions(actor, n_each: int = 3, category: str = "测试/纪律") -> dict[str, list]:
    """Create ``n_each`` questions of every type; return them by type."""
    made: dict[str, list] = {"single": [], "multiple": [], "truefalse": [], "fill": []}
    for i in range(n_each):
        made["single"].append(
            save_question(
                actor,
                QuestionData(
                    type="single",
                    stem=f"单选题{i}：处分种类不包括（  ）。",
                    options=["警告", "记过", "开除党籍", f"严重警告{i}"],
                    answer=1,
                    explanation="第八条。",
                    source="《中国共产党纪律处分条例》第八条",
                    category_path=category,
                    key=f"s{i}",
                ),
            )
        )
        made["multiple"].append(
            save_question(
                actor,
                QuestionData(
                    type="multiple",
                    stem=f"多选题{i}：属于处分种类的有（  ）。",
                    options=["警告", "记过", "留党察看", f"罚款{i}"],
                    answer=[0, 2],
                    category_path=category,
                    key=f"m{i}",
                ),
            )
        )
        made["truefalse"].append(
            save_question(
                actor,
                QuestionData(
                    type="truefalse",
                    stem=f"判断题{i}：开除党籍是最高处分。",
                    options=[],
                    answer=True,
                    category_path=category,
                    key=f"t{i}",
                ),
            )
        )
        made["fill"].append(
            save_question(
                actor,
                QuestionData(
                    type="fill",
                    stem=f"填空题{i}：坚持____、治病救人。",
                    options=[],
                    answer=[["惩前毖后"]],
                    category_path=category,
                    key=f"f{i}",
                ),
            )
        )
    db.session.flush()
    return made


def make_quiz(
    actor,
    branches,
    *,
    questions=(),
    rules=(),
    publish=True,
    now=NOW,
    opens_in=timedelta(hours=-1),
    lasts=timedelta(hours=3),
    **options,
):
    """Create (and publish) a quiz for ``branches`` around ``now``."""
    data = QuizData(
        title=options.pop("title", "纪律处分条例测试"),
        opens_at=now + opens_in,
        closes_at=now + opens_in + lasts,
        kind=options.pop("kind", QuizKind.TEST),
        fixed_questions=list(questions),
        rules=[RuleData(**r) if isinstance(r, dict) else r for r in rules],
        branches=list(branches),
        **options,
    )
    quiz = save_quiz(actor, data)
    if publish:
        set_published(actor, quiz, True)
    db.session.commit()
    return quiz


__all__ = ["NOW", "Counting", "QuizKind", "ReviewWhen", "make_questions", "make_quiz"]


def make_material(org) -> Material:
    """Create a published bureau-wide article (flushed) for study minutes to count on."""
    material = Material(
        title="党纪学习",
        topic="党纪学习教育",
        body_markdown="正文",
        body_html="<p>正文</p>",
        estimated_minutes=10,
        status="published",
        audience=build_audience(org.admin, [org.bureau], [], []),
        owner_branch_id=org.bureau.id,
    )
    db.session.add(material)
    db.session.flush()
    return material


def add_study(member, material: Material, day, seconds: int) -> None:
    """Credit ``seconds`` of study on ``material`` to ``member`` on the China ``day``."""
    beat = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    db.session.add(
        StudyMinute(
            member_id=member.id,
            material_id=material.id,
            day=day,
            seconds=seconds,
            first_beat_at=beat,
            last_beat_at=beat,
        )
    )

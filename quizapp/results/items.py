"""Item statistics (题目分析): how hard each question was and how well it told people apart.

Over the submitted attempts of a quiz (every attempt, not only the counted ones), for each
question that was on at least one of their papers:

- facility index F = Σ mark / Σ points over the attempts whose paper had the question, that is
  the mean mark divided by the question's full mark: 0 (nobody right) to 1 (everybody right);
- discrimination index D = Pearson's r between x (the question's mark) and y (the rest of the
  test: the attempt's score minus x) over those attempts:
  r = Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² · Σ(y − ȳ)²), from −1 to 1. None when fewer than two
  attempts had the question, or when x or y does not vary (r is undefined);
- for choice and true/false questions, the share of those attempts choosing each option
  (an unanswered paper chooses none; a multiple-choice paper may choose several).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select

from quizapp import access, db
from quizapp.bank.models import Question
from quizapp.bank.types import get_type
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus
from quizapp.quizzes.models import Quiz

ITEM_DEFINITIONS = [
    (
        "答卷范围",
        (
            "本测试已交卷的答卷（同一人多次交卷的，每份都计入），只含当前所在党支部属于您管理范围的人员；"
            "未交卷的答卷不计入。"
        ),
    ),
    ("答卷数", "试卷中有这道题的已交卷答卷数；作答数为其中作答了这道题的份数。"),
    (
        "难度系数（得分率）",
        (
            "F = 该题得分之和 ÷ 该题满分之和，即平均得分 ÷ 满分，取值 0 至 1；"
            "越接近 1 越容易，低于 0.3 偏难，高于 0.9 偏易。"
        ),
    ),
    (
        "区分度",
        (
            "D = 该题得分与“其余题目得分”（答卷总分减去该题得分）在各份答卷间的皮尔逊相关系数，"
            "取值 −1 至 1。0.4 以上区分良好，0.2 至 0.4 尚可，低于 0.2 偏低；"
            "为负值说明这道题答得好的人其余题目反而答得差，请检查题目和答案。"
            "答卷少于 2 份，或该题得分（或其余得分）全都相同时无法计算，显示为“—”。"
        ),
    ),
    (
        "选项分布",
        "选择各选项的答卷数 ÷ 答卷数；未作答的不选任何选项；多选题一份答卷可选多个，合计可超过 100%。",
    ),
]

#: Below this, the page flags a question's discrimination for a second look.
LOW_DISCRIMINATION = 0.2


@dataclass
class OptionShare:
    """How many papers chose one option of a question."""

    label: str
    text: str
    count: int
    share: float
    is_answer: bool


@dataclass
class ItemStat:
    """The statistics of one question over the submitted attempts that had it."""

    question: Question
    attempts: int = 0
    answered: int = 0
    facility: float | None = None
    discrimination: float | None = None
    options: list[OptionShare] = field(default_factory=list)

    @property
    def type_label(self) -> str:
        return get_type(self.question.type).label

    @property
    def answer_text(self) -> str:
        q = self.question
        return get_type(q.type).answer_to_text(q.answer, q.options)

    @property
    def is_doubtful(self) -> bool:
        """Tell whether the discrimination is low enough to check the question."""
        return self.discrimination is not None and self.discrimination < LOW_DISCRIMINATION


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Return Pearson's correlation of two equal-length series; None if undefined."""
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if sxx < 1e-12 or syy < 1e-12:
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def _submitted(query: Select, quiz: Quiz, within: Member | None) -> Select:
    """Keep the quiz's submitted attempts (of members whose current branch ``within`` manages)."""
    query = query.where(Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.SUBMITTED.value)
    if within is None:
        return query
    return (
        query.join(Member, Member.id == Attempt.member_id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(access.branch_scope(within))
    )


def item_statistics(quiz: Quiz, within: Member | None = None) -> list[ItemStat]:
    """Return the statistics of every question on the quiz's submitted papers; ``within``:
    only the papers of members whose current branch that actor manages (as the results).

    Three queries: the answers (attempt, question, mark, points, response), the attempts'
    scores, and the questions. Fixed questions come first in the quiz's order, then drawn
    ones by id.
    """
    answers = db.session.execute(
        _submitted(
            select(
                AttemptAnswer.attempt_id,
                AttemptAnswer.question_id,
                AttemptAnswer.mark,
                AttemptAnswer.points,
                AttemptAnswer.response,
            ).join(Attempt, Attempt.id == AttemptAnswer.attempt_id),
            quiz,
            within,
        )
    ).all()
    if not answers:
        return []
    scores = dict(
        db.session.execute(_submitted(select(Attempt.id, Attempt.score), quiz, within)).all()
    )
    by_question: dict[int, list[Any]] = {}
    totals: dict[int, float] = {}
    for row in answers:
        by_question.setdefault(row.question_id, []).append(row)
        totals[row.attempt_id] = totals.get(row.attempt_id, 0.0) + (row.mark or 0.0)
    questions = {
        q.id: q
        for q in db.session.scalars(select(Question).where(Question.id.in_(list(by_question))))
    }
    fixed = {qq.question_id: qq.position for qq in quiz.fixed_questions}
    stats = []
    for question_id in sorted(by_question, key=lambda i: (i not in fixed, fixed.get(i, 0), i)):
        rows = by_question[question_id]
        question = questions[question_id]
        marks = [row.mark or 0.0 for row in rows]
        rest = [_score(scores, totals, row.attempt_id) - (row.mark or 0.0) for row in rows]
        points = math.fsum(row.points for row in rows)
        stats.append(
            ItemStat(
                question=question,
                attempts=len(rows),
                answered=sum(1 for row in rows if row.response is not None),
                facility=math.fsum(marks) / points if points else None,
                discrimination=pearson(marks, rest),
                options=_option_shares(question, [row.response for row in rows]),
            )
        )
    return stats


def _score(scores: dict[int, float | None], totals: dict[int, float], attempt_id: int) -> float:
    score = scores.get(attempt_id)
    return totals[attempt_id] if score is None else score


def _option_shares(question: Question, responses: list[Any]) -> list[OptionShare]:
    """Count the papers choosing each of what the type offers (options, or 对/错)."""
    choices = get_type(question.type).choices(question.options)
    if choices is None:
        return []
    n = len(responses)
    position = {_key(value): k for k, (value, _, _) in enumerate(choices)}
    right = {_key(v) for v in _as_list(question.answer)}
    counts = [0] * len(choices)
    for response in responses:
        for k in {position.get(_key(v)) for v in _as_list(response)} - {None}:
            counts[k] += 1
    return [
        OptionShare(label, text, counts[k], counts[k] / n, _key(value) in right)
        for k, (value, label, text) in enumerate(choices)
    ]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _key(value: Any) -> tuple[type, Any] | None:
    """Key a chosen value exactly: ``True`` is not option 1, nor ``1`` the answer 对."""
    return None if isinstance(value, list | dict) else (type(value), value)

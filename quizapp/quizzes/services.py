"""Creating and publishing quizzes (drawing their papers: ``draw.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from blinker import Namespace
from sqlalchemy import delete, func, select

from quizapp import access, db, windows
from quizapp.audiences.services import build_audience
from quizapp.bank.models import Category, Question
from quizapp.bank.types import all_types, default_points, find_type
from quizapp.errors import DomainError, refuse
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.quizzes import draw, reservations
from quizapp.quizzes.attempt_models import Attempt, PreparedPaper
from quizapp.quizzes.models import (
    Counting,
    DrawRule,
    LeavePolicy,
    Quiz,
    QuizKind,
    QuizQuestion,
    QuizStatus,
    RankingWhen,
    ReviewWhen,
)

MAX_QUESTIONS = 200


#: Sent as ``(quiz, old_closes_at=, old_limit=)`` in the saving transaction when a published
#: quiz's close moved: the deadlines of the attempts running in its window follow. The
#: receiver, ``deferrals.terms.refit_deadlines``, knows the personal windows a layer above,
#: so the app factory connects it (``quizapp/__init__.py``).
close_moved = Namespace().signal("quiz-close-moved")


@dataclass
class RuleData:
    """Draw ``count`` questions of ``type`` from a category within a difficulty range."""

    type: str
    count: int
    category: Category | None = None
    difficulty_min: int = 1
    difficulty_max: int = 5


@dataclass
class QuizData:
    """Everything an organiser sets on a quiz."""

    title: str
    opens_at: datetime
    closes_at: datetime
    kind: QuizKind = QuizKind.TEST
    description: str = ""
    time_limit_minutes: int | None = None
    attempts_allowed: int = 1
    counting: Counting = Counting.HIGHEST
    pass_percent: int = 60
    points: dict[str, float] = field(default_factory=default_points)
    partial_credit: bool = False
    shuffle_questions: bool = True
    shuffle_options: bool = True
    review_when: ReviewWhen = ReviewWhen.IMMEDIATELY
    review_show_answers: bool = True
    review_show_explanations: bool = True
    #: 切屏: not counted, only counted, or counted and submitting at ``leave_limit``.
    leave_policy: LeavePolicy = LeavePolicy.OFF
    leave_limit: int | None = None
    #: None: the kind's default (RankingWhen.default_for).
    ranking_when: RankingWhen | None = None
    ranking_personal: bool = True
    fixed_questions: list[Question] = field(default_factory=list)
    rules: list[RuleData] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    roster: list[Member] = field(default_factory=list)


def _check(data: QuizData) -> list[str]:
    problems = []
    if not data.title.strip():
        problems.append("请填写标题")
    elif len(data.title) > 100:
        problems.append("标题不能超过 100 字")
    problems += windows.window_problems(data.opens_at, data.closes_at)
    if data.time_limit_minutes is not None and not 1 <= data.time_limit_minutes <= 600:
        problems.append("答题时长应为 1 至 600 分钟")
    if not 1 <= data.attempts_allowed <= 20:
        problems.append("答题次数应为 1 至 20 次")
    if not 0 <= data.pass_percent <= 100:
        problems.append("及格线应为 0 至 100 之间的百分数")
    if data.leave_policy == LeavePolicy.SUBMIT and (
        data.leave_limit is None or not 1 <= data.leave_limit <= 50
    ):
        problems.append("达到 N 次自动交卷时，切屏次数上限 N 应为 1 至 50 次")
    for qtype in all_types():
        value = data.points.get(qtype.code)
        if value is None or not 0 < value <= 100:
            problems.append(f"{qtype.label}题每题分值应在 0 至 100 之间")
    for rule in data.rules:
        if find_type(rule.type) is None:
            problems.append("抽题规则的题型有误")
        if not 1 <= rule.count <= MAX_QUESTIONS:
            problems.append("每条抽题规则应抽 1 至 200 道题")
        if not 1 <= rule.difficulty_min <= rule.difficulty_max <= 5:
            problems.append("抽题规则的难度范围有误")
    if any(not q.is_active for q in data.fixed_questions):
        problems.append("指定题目中有已停用的题目")
    total = len(data.fixed_questions) + sum(rule.count for rule in data.rules)
    if total == 0:
        problems.append("试卷中没有题目：请指定题目或添加抽题规则")
    elif total > MAX_QUESTIONS:
        problems.append(f"一份试卷最多 {MAX_QUESTIONS} 道题")
    return problems


def _check_pool(data: QuizData) -> list[str]:
    problems = []
    fixed = {q.id for q in data.fixed_questions}
    for rule in data.rules:
        qtype = find_type(rule.type)
        if qtype is None:
            continue
        available = db.session.scalar(
            select(func.count()).select_from(
                draw.candidates_query(rule, fixed, data.kind.value).subquery()
            )
        )
        if available < rule.count:
            where = f"「{rule.category.name}」中" if rule.category else "题库中"
            problems.append(
                f"{where}难度 {rule.difficulty_min}–{rule.difficulty_max} 的"
                f"{qtype.label}题只有 {available} 道，不够抽取 {rule.count} 道"
            )
    return problems


def save_quiz(actor: Member, data: QuizData, quiz: Quiz | None = None) -> Quiz:
    """Create a quiz owned by the actor's subtree, or update one the actor manages."""
    root = access.owner_root(
        actor, quiz, refused="只有管理员可以创建测试。", not_yours="您无权修改该测试。"
    )
    problems = _check(data)
    if quiz is not None:
        problems += _check_change(quiz, data)
    if not problems:
        problems = _check_pool(data)
    refuse(problems)
    audience = build_audience(
        actor, data.branches, data.statuses, data.roster, quiz.audience if quiz else None
    )
    if quiz is None:
        quiz = Quiz(owner_branch=root, created_by_id=actor.id, status=QuizStatus.DRAFT.value)
    old_closes_at, old_limit = quiz.closes_at, quiz.time_limit_minutes
    quiz.audience = audience
    for name in (
        "title",
        "description",
        "opens_at",
        "closes_at",
        "time_limit_minutes",
        "attempts_allowed",
        "pass_percent",
        "partial_credit",
        "shuffle_questions",
        "shuffle_options",
        "review_show_answers",
        "review_show_explanations",
        "ranking_personal",
    ):
        setattr(quiz, name, getattr(data, name))
    quiz.ranking_when = (data.ranking_when or RankingWhen.default_for(data.kind.value)).value
    quiz.leave_policy = data.leave_policy.value
    # The limit means something only when reaching it submits.
    quiz.leave_limit = data.leave_limit if data.leave_policy == LeavePolicy.SUBMIT else None
    quiz.title = data.title.strip()
    quiz.kind = data.kind.value
    quiz.counting = data.counting.value
    quiz.review_when = data.review_when.value
    quiz.points = {t.code: float(data.points[t.code]) for t in all_types()}
    quiz.fixed_questions = [
        QuizQuestion(question=q, position=i) for i, q in enumerate(data.fixed_questions)
    ]
    quiz.draw_rules = [
        DrawRule(
            type=r.type,
            category=r.category,
            difficulty_min=r.difficulty_min,
            difficulty_max=r.difficulty_max,
            count=r.count,
        )
        for r in data.rules
    ]
    db.session.add(quiz)
    db.session.flush()
    discard_prepared_papers(quiz)
    if quiz.is_published:
        reservations.reserve_fixed(quiz)
        if quiz.closes_at != old_closes_at:  # stopping the quiz, or giving it longer
            close_moved.send(quiz, old_closes_at=old_closes_at, old_limit=old_limit)
    return quiz


def _check_change(quiz: Quiz, data: QuizData) -> list[str]:
    """Refuse the changes that would end an exam's reservations while it is in use."""
    problems = []
    if quiz.is_published and data.kind.value != quiz.kind:
        problems.append(f"已发布的{quiz.kind_enum.label}不能更改类型；如需更改，请先撤回为草稿")
    if quiz.practice_released_at is not None and (
        data.opens_at != quiz.opens_at or data.closes_at != quiz.closes_at
    ):
        problems.append("本场题目已开放练习，不能再修改开始和结束时间；如需再考，请新建一场")
    return problems


def discard_prepared_papers(quiz: Quiz) -> None:
    """Drop the papers drawn ahead for ``quiz``: its rules or audience may have changed."""
    db.session.execute(
        delete(PreparedPaper)
        .where(PreparedPaper.quiz_id == quiz.id)
        .execution_options(synchronize_session=False)
    )


def can_manage_quiz(actor: Member, quiz: Quiz) -> bool:
    """Tell whether ``actor`` manages the subtree that owns ``quiz``."""
    return access.can_manage_branch(actor, quiz.owner_branch)


def set_published(actor: Member, quiz: Quiz, published: bool) -> None:
    """Publish a quiz (members in its audience see it) or take it back to draft."""
    if not can_manage_quiz(actor, quiz):
        raise DomainError("您无权发布或撤回该测试。")
    if not published:
        started = db.session.scalar(select(func.count()).where(Attempt.quiz_id == quiz.id))
        if started:
            raise DomainError(f"已有 {started} 份答卷，不能撤回；如需停止，请修改结束时间。")
    else:
        problems = _check_pool(_rules_of(quiz))
        refuse(problems)
    quiz.status = (QuizStatus.PUBLISHED if published else QuizStatus.DRAFT).value
    if published:
        reservations.reserve_fixed(quiz)
    else:
        discard_prepared_papers(quiz)
        reservations.unreserve(quiz)
    db.session.flush()


def _rules_of(quiz: Quiz) -> QuizData:
    return QuizData(
        title=quiz.title,
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        fixed_questions=[fq.question for fq in quiz.fixed_questions],
        rules=[
            RuleData(r.type, r.count, r.category, r.difficulty_min, r.difficulty_max)
            for r in quiz.draw_rules
        ],
    )


def status_of(quiz: Quiz, now: datetime) -> str:
    """Return upcoming, open or closed for a published quiz at ``now``."""
    return windows.phase(quiz.opens_at, quiz.closes_at, now)

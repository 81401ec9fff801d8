"""Demo 简答: a unit's test with written answers, some marked and some waiting (待阅卷), and
the demo member m0001 named its marker (阅卷 in their 待办)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from quizapp import db
from quizapp.bank.models import Question
from quizapp.demo.quizzes import _sit, unit_members
from quizapp.marking import services as marking
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import QuizKind
from quizapp.quizzes.services import QuizData, save_quiz, set_published

#: The starter bank's questions the demo test holds: two 单选 and two 简答 (questions/).
KEYS = ["jlcf2023-001", "jlcf2023-002", "jd-001", "jd-002"]


def build_marking_demo(organiser: Member, now: datetime, rng: random.Random) -> str:
    """Create the unit's 简答 test, its sittings and marks; return a summary."""
    unit = organiser.scope_branch
    questions = list(db.session.scalars(select(Question).where(Question.key.in_(KEYS))))
    questions.sort(key=lambda q: KEYS.index(q.key))
    quiz = save_quiz(
        organiser,
        QuizData(
            title=f"{unit.name}党纪学习简答测试",
            kind=QuizKind.TEST,
            description="两道单选、两道简答。简答题由支部阅卷后计入成绩。",
            opens_at=now - timedelta(days=4),
            closes_at=now + timedelta(days=3),
            time_limit_minutes=30,
            attempts_allowed=1,
            fixed_questions=questions,
            branches=[unit],
        ),
    )
    set_published(organiser, quiz, True)
    m0001 = db.session.scalar(select(Member).where(Member.police_no == "m0001"))
    marking.add_marker(organiser, quiz, m0001, now)
    members = unit_members(unit, organiser)
    # m0001 sits it too (rng first: the draw stays): a named marker marks once nothing of
    # the quiz is left for them to sit.
    takers = [m for m in members if rng.random() < 0.4 or m.id == m0001.id]
    for member in takers:
        _sit(member, quiz, quiz.opens_at + timedelta(hours=rng.randint(1, 60)), 0.8, rng)
    db.session.flush()
    # The organiser has marked about half of the papers so far; the rest wait.
    marked = 0
    papers = db.session.scalars(
        select(Attempt).where(Attempt.quiz_id == quiz.id).order_by(Attempt.id)
    )
    for attempt in list(papers)[: len(takers) // 2]:
        for answer in attempt.answers:
            if answer.mark is None:
                points = rng.randint(int(answer.points), int(answer.points) * 2) / 2
                comment = rng.choice([None, "要点齐全。", "漏答部分要点。"])
                marking.mark_answer(organiser, answer, f"{points:g}", comment, 0, now)
        marked += 1
    return f"a 简答 test with {len(takers)} papers, {marked} marked"

"""Demo quizzes: an open test, an upcoming exam and a finished competition with results."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from quizapp import PROJECT_ROOT, db
from quizapp.attempts import services as attempts
from quizapp.audiences.services import includes
from quizapp.bank.formats.yaml_files import read
from quizapp.bank.imports import import_drafts
from quizapp.bank.models import Category
from quizapp.bank.types import default_points, get_type
from quizapp.deferrals import services
from quizapp.members.models import Member, PoliticalStatus
from quizapp.org.models import Branch
from quizapp.quizzes.models import Counting, LeavePolicy, QuizKind, ReviewWhen
from quizapp.quizzes.reservations import release_to_practice
from quizapp.quizzes.services import QuizData, RuleData, save_quiz, set_published

QUESTIONS = PROJECT_ROOT / "questions"
#: The statuses of the demo's audiences "for party members" (党员: 正式党员、预备党员).
PARTY = [PoliticalStatus.FULL.value, PoliticalStatus.PROBATIONARY.value]


def load_starter_bank(root: Branch, folder: Path = QUESTIONS) -> int:
    """Import the starter bank from questions/; return how many questions it holds."""
    drafts = []
    for file in sorted(folder.glob("*.y*ml")):
        drafts += read(file.name, file.read_bytes())[0]
    result = import_drafts(root.id, drafts)
    return result.created + result.updated + result.unchanged


def _sit(member: Member, quiz, started: datetime, skill: float, rng: random.Random) -> None:
    """Take the quiz as a member of the given skill would (responses set directly: demo only).

    Some leave the page now and then (切屏, recorded), and a few let the time run out.
    """
    attempt, _ = attempts.start_attempt(member, quiz, started, rng)
    if quiz.counts_leaves and rng.random() < 0.25:
        attempt.leave_count = rng.randint(1, 3)
    moment = started
    for seq, answer in enumerate(attempt.answers, start=1):
        moment += timedelta(seconds=rng.randint(15, 60))
        question = answer.question
        correct = rng.random() < skill
        answer.response = get_type(question.type).sample_response(
            question.answer, question.options, correct=correct, rng=rng
        )
        answer.seq, answer.answered_at = seq, moment
    db.session.flush()
    if rng.random() < 0.1:  # never pressed 交卷: the server submits at the deadline
        later = attempt.deadline_at + attempts.GRACE + timedelta(minutes=1)
        attempts.submit_attempt(attempt, later, reason=attempts.deadline_reason(attempt))
    else:
        attempts.submit_attempt(attempt, min(moment + timedelta(seconds=30), attempt.deadline_at))


def build_quiz_demo(admin: Member, root: Branch, now: datetime, rng: random.Random) -> str:
    """Create the demo bank and quizzes; return a summary."""
    count = load_starter_bank(root)
    common = dict(points=default_points())

    test = save_quiz(
        admin,
        QuizData(
            title="《纪律处分条例》学习自测",
            kind=QuizKind.TEST,
            description="检验对2023年修订的《中国共产党纪律处分条例》的掌握情况，可答三次，取最高分。",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=14),
            time_limit_minutes=15,
            attempts_allowed=3,
            counting=Counting.HIGHEST,
            rules=[
                RuleData("single", 5),
                RuleData("multiple", 2),
                RuleData("truefalse", 2),
                RuleData("fill", 1),
            ],
            branches=[root],
            **common,
        ),
    )
    # The exam draws from one topic: its papers are kept out of practice (仅用于考试) from
    # when they are drawn, and the rest of the bank stays open to practise.
    regulations = db.session.scalar(select(Category).where(Category.name == "纪律处分条例"))
    exam = save_quiz(
        admin,
        QuizData(
            title="党规党纪知识考试",
            kind=QuizKind.EXAM,
            description="全局党员参加。限时30分钟，离开答题页面3次自动交卷，考试结束后公布成绩。",
            opens_at=now + timedelta(days=3),
            closes_at=now + timedelta(days=3, hours=4),
            time_limit_minutes=30,
            attempts_allowed=1,
            review_when=ReviewWhen.AFTER_CLOSE,
            leave_policy=LeavePolicy.SUBMIT,
            leave_limit=3,
            rules=[
                RuleData("single", 10, regulations),
                RuleData("multiple", 5, regulations),
                RuleData("truefalse", 5, regulations),
                RuleData("fill", 5, regulations),
            ],
            branches=[root],
            statuses=PARTY,
            **common,
        ),
    )
    contest = save_quiz(
        admin,
        QuizData(
            title="“学党纪、明规矩”知识竞赛",
            kind=QuizKind.COMPETITION,
            description="各支部党员参加，按得分和用时排名。离开答题页面的次数会被记录。",
            opens_at=now - timedelta(days=10),
            closes_at=now - timedelta(days=3),
            time_limit_minutes=20,
            attempts_allowed=1,
            leave_policy=LeavePolicy.RECORD,
            shuffle_questions=True,
            # Half of each type from the hard questions (levels 4-5), half from the rest.
            rules=[
                RuleData("single", 4, difficulty_max=3),
                RuleData("single", 4, difficulty_min=4),
                RuleData("multiple", 2, difficulty_max=3),
                RuleData("multiple", 2, difficulty_min=4),
                RuleData("truefalse", 2, difficulty_max=3),
                RuleData("truefalse", 2, difficulty_min=4),
                RuleData("fill", 2, difficulty_max=3),
                RuleData("fill", 2, difficulty_min=4),
            ],
            branches=[root],
            statuses=PARTY,
            **common,
        ),
    )
    for quiz in (test, exam, contest):
        set_published(admin, quiz, True)

    members = list(
        db.session.scalars(
            select(Member)
            .where(
                Member.is_active.is_(True),
                Member.political_status.in_(PARTY),
                Member.police_no != "m0001",
            )
            .order_by(Member.id)
        )
    )
    takers = [m for m in members if rng.random() < 0.7]
    for member in takers:
        started = contest.opens_at + timedelta(hours=rng.randint(1, 150))
        _sit(member, contest, started, rng.uniform(0.45, 0.95), rng)
    # The demo member m0001 took part too (with a generator of its own, so the rest of the
    # demo stays as it was): their result page shows their rank and the branches' table.
    m0001 = db.session.scalar(select(Member).where(Member.police_no == "m0001"))
    _sit(m0001, contest, contest.opens_at + timedelta(hours=30), 0.8, random.Random(14))
    # After the competition the organiser opened its questions to practice again.
    release_to_practice(admin, contest, contest.closes_at + timedelta(hours=2))
    return (
        f"{count} questions, 3 quizzes (open test, upcoming exam, finished competition "
        f"with {len(takers) + 1} results)"
    )


def unit_members(unit: Branch, organiser: Member) -> list[Member]:
    """The active members of ``unit`` who sit its demo quizzes: all but its organiser and
    m0001 (whose own demo pages are set up apart)."""
    return list(
        db.session.scalars(
            select(Member)
            .join(Branch, Branch.id == Member.branch_id)
            .where(
                Member.is_active.is_(True),
                Branch.path.startswith(unit.path),
                Member.police_no.not_in(["m0001", organiser.police_no]),
            )
            .order_by(Member.id)
        )
    )


def build_unit_quiz(organiser: Member, now: datetime, rng: random.Random) -> str:
    """Create a quiz of the organiser's own unit, running, half its members through it: beside
    the bureau's quizzes (read-only to them), one they manage."""
    unit = organiser.scope_branch
    quiz = save_quiz(
        organiser,
        QuizData(
            title=f"{unit.name}党规党纪周测",
            kind=QuizKind.TEST,
            description="本分局党员参加，每周一测，取最高分。",
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=5),
            time_limit_minutes=15,
            attempts_allowed=2,
            rules=[RuleData("single", 5), RuleData("truefalse", 5)],
            branches=[unit],
            statuses=PARTY,
            points=default_points(),
        ),
    )
    set_published(organiser, quiz, True)
    members = [m for m in unit_members(unit, organiser) if includes(quiz.audience, m)]
    takers = [m for m in members if rng.random() < 0.5]
    for member in takers:
        started = quiz.opens_at + timedelta(hours=rng.randint(1, 40))
        _sit(member, quiz, started, rng.uniform(0.5, 0.95), rng)
    absent = [m for m in members if m not in takers]
    return f"a quiz of {unit.name} with {len(takers)} results" + _deferrals(
        organiser, quiz, absent, now
    )


def _deferrals(organiser: Member, quiz, absent: list[Member], now: datetime) -> str:
    """Two members on duty asked for 缓考: one approved (a personal window after the close),
    one waiting in the organiser's 缓考审批."""
    if len(absent) < 2:
        return ""
    approved = services.request_deferral(absent[0], quiz, "duty", "周末值班", now)
    start = quiz.closes_at + timedelta(days=1)
    services.approve_deferral(
        organiser, approved, start, start + timedelta(days=3), "", now + timedelta(minutes=5)
    )
    services.request_deferral(absent[1], quiz, "call_out", "", now)
    return ", 2 缓考 requests (one approved, one pending)"

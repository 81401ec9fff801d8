"""The benchmark bureau's four campaigns (two finished, one running, a training class), each
with required materials and a quiz, as the generator keeps them for the activity."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from quizapp import db
from quizapp.bank.models import Question
from quizapp.benchdata.bureau import PARTY, Bureau, Person, china_day, china_moment
from quizapp.campaigns import services as campaigns
from quizapp.campaigns.models import Campaign, CampaignKind
from quizapp.demo.quizzes import load_starter_bank
from quizapp.members.models import Member
from quizapp.quizzes import services as quizzes
from quizapp.quizzes.models import Counting, Quiz, QuizKind
from quizapp.study.models import Material

QUESTIONS_PER_QUIZ = 10


@dataclass
class Drive:
    """A campaign as the generator needs it: its objects and who it is for."""

    campaign: Campaign
    quiz: Quiz
    questions: list[Question]
    #: None: the statuses of a campaign for everyone; else the statuses or the roster ids.
    statuses: list[str] | None
    roster: set[int] | None

    def includes(self, person: Person) -> bool:
        if self.roster is not None:
            return person.id in self.roster
        return self.statuses is None or person.status in self.statuses

    def last_day(self, today: date) -> date:
        """The last day with activity so far: the end, or yesterday for a running one."""
        return min(self.campaign.ends_on, today - timedelta(days=1))

    def elapsed(self, today: date) -> float:
        c = self.campaign
        return max(0, (self.last_day(today) - c.starts_on).days + 1) / (
            (c.ends_on - c.starts_on).days + 1
        )


def build_campaigns(bureau: Bureau, materials: list[Material], rng: random.Random) -> list[Drive]:
    """Two finished campaigns, a running one and a training class, each with its quiz."""
    first, today, span = bureau.first, bureau.today, (bureau.today - bureau.first).days + 1
    load_starter_bank(bureau.root)
    bank = list(
        db.session.scalars(
            select(Question).where(Question.is_active.is_(True)).order_by(Question.id)
        )
    )
    learners = [
        p for p in bureau.people if p.status in ("activist", "candidate") and p.stays[-1][2] is None
    ]
    roster = rng.sample(learners, min(300, len(learners)))
    year = today.year

    def at(percent: int) -> date:  # a day that far into the bureau's history
        return first + timedelta(days=span * percent // 100)

    def recent(percent: int) -> date:  # a day that far before today, within the history
        return max(first, today - timedelta(days=span * percent // 100))

    def ahead(days: int) -> date:
        return today + timedelta(days=days)

    drive, course = CampaignKind.CAMPAIGN, CampaignKind.TRAINING_CLASS
    # title, kind, start, end, minutes, materials, must pass, offline, reflections, statuses
    plans = [
        ("党纪学习教育专题学习", drive, at(15), at(40), 240, 3, True, 1, 1, PARTY),
        ("主题教育读书班", drive, at(55), at(72), 120, 2, False, 0, 0, None),
        (f"{year}年度全警政治轮训", drive, recent(12), ahead(20), 180, 3, True, 1, 1, PARTY),
        (f"{year}年入党积极分子培训班", course, recent(6), ahead(10), 60, 2, True, 0, 0, None),
    ]
    opened = [china_day(m) for m in materials]
    drives = []
    for title, kind, starts, ends, minutes, count, must_pass, offline, written, statuses in plans:
        available = [m for m, day in zip(materials, opened, strict=True) if day <= starts]
        picks = rng.sample(bank, min(QUESTIONS_PER_QUIZ, len(bank)))
        members = (
            list(db.session.scalars(select(Member).where(Member.id.in_([p.id for p in roster]))))
            if kind == CampaignKind.TRAINING_CLASS
            else []
        )
        quiz = quizzes.save_quiz(
            bureau.admin,
            quizzes.QuizData(
                title=f"{title}测试",
                kind=QuizKind.EXAM,
                opens_at=china_moment(starts, 8),
                closes_at=china_moment(ends, 22),
                time_limit_minutes=30,
                attempts_allowed=2,
                counting=Counting.HIGHEST,
                shuffle_questions=False,
                shuffle_options=False,
                fixed_questions=picks,
                branches=[] if members else [bureau.root],
                statuses=statuses or [],
                roster=members,
            ),
        )
        quizzes.set_published(bureau.admin, quiz, True)
        campaign = campaigns.save_campaign(
            bureau.admin,
            campaigns.CampaignData(
                title=title,
                kind=kind,
                starts_on=starts,
                ends_on=ends,
                minute_target=minutes,
                offline_sessions_required=offline,
                reflections_required=written,
                materials=available[-count:],
                quizzes=[(quiz, must_pass)],
                branches=[] if members else [bureau.root],
                statuses=statuses or [],
            ),
        )
        if members:
            campaigns.enrol_members(bureau.admin, campaign, members)
        campaigns.set_published(bureau.admin, campaign, True)
        drives.append(
            Drive(campaign, quiz, picks, statuses, {m.id for m in members} if members else None)
        )
    return drives

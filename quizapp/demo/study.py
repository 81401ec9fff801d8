"""Demo study data: materials, a running campaign, a training class of activists, an
offline session, reflections and four weeks of study history."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from quizapp import db
from quizapp.audiences.services import build_audience
from quizapp.campaigns.models import Campaign, CampaignKind, CampaignQuiz
from quizapp.clock import china_today
from quizapp.demo.quizzes import PARTY
from quizapp.members.models import Member, PoliticalStatus
from quizapp.notices.services import send_notice
from quizapp.offline.models import OfflineKind, OfflineSession
from quizapp.org.models import Branch
from quizapp.quizzes.models import Quiz, QuizKind
from quizapp.quizzes.services import QuizData, RuleData, save_quiz, set_published
from quizapp.reflections.services import review_notice
from quizapp.study.models import (
    Material,
    MaterialStatus,
    Reflection,
    ReflectionStatus,
    StudyMinute,
)
from quizapp.study.sanitize import render_markdown

ARTICLES = Path(__file__).parent / "materials"
REFLECTION = (
    "通过学习《中国共产党纪律处分条例》关于五种纪律处分的规定，我对“把纪律挺在前面”有了更深的认识。"
    "警告、严重警告、撤销党内职务、留党察看、开除党籍，每一种处分都有明确的影响期，"
    "受到留党察看处分期间没有表决权、选举权和被选举权，受到开除党籍处分五年内不得重新入党。"
    "作为一名基层民警，我在执法执勤中要时刻对照条例检查自己的言行，不收受管理服务对象的礼品礼金，"
    "不参加可能影响公正执行公务的宴请，严格遵守工作纪律和生活纪律。"
    "今后我将坚持学原文、悟原理，把学习成果转化为遵规守纪的自觉行动，做到忠诚干净担当。"
    "同时，我也认识到纪律处分工作坚持惩前毖后、治病救人，实行惩戒与教育相结合，"
    "对身边同志要敢于提醒、善于提醒，让红红脸、出出汗成为常态，共同营造风清气正的工作环境。"
)


def _load_articles(root: Branch, admin: Member, now: datetime) -> list[Material]:
    audience = build_audience(admin, [root], [], [])
    materials = []
    for order, file in enumerate(sorted(ARTICLES.glob("*.md")), start=1):
        _, front, body = file.read_text(encoding="utf-8").split("---", 2)
        meta = yaml.safe_load(front)
        materials.append(
            Material(
                title=meta["title"],
                topic=meta["topic"],
                body_markdown=body.strip(),
                body_html=render_markdown(body.strip()),
                estimated_minutes=meta["minutes"],
                is_required=meta["required"],
                sort_order=order,
                status=MaterialStatus.PUBLISHED.value,
                opens_at=now - timedelta(days=40),
                audience=audience,
                owner_branch_id=root.id,
                created_by_id=admin.id,
            )
        )
    db.session.add_all(materials)
    db.session.flush()
    return materials


def sitting(member_id: int, material_id: int, day: date, start: datetime, seconds: int) -> dict:
    """Return the study-minute row of one sitting of ``seconds`` from ``start`` on the China
    ``day``, as its heartbeats leave it (the demo's and the benchmark's history)."""
    return dict(
        member_id=member_id,
        material_id=material_id,
        day=day,
        seconds=seconds,
        first_beat_at=start,
        last_beat_at=start + timedelta(seconds=seconds),
    )


def _history(
    members: list[Member], materials: list[Material], now: datetime, rng: random.Random
) -> int:
    """Four weeks of study: most members study on some days, a few never do."""
    today = china_today(now)
    rows = {}
    for member in members:
        diligence = 0.9 if member.police_no == "m0001" else rng.random()
        if diligence < 0.15:
            continue  # some have not studied at all: organisers must see them
        for days_ago in range(28, 0, -1):
            if rng.random() > diligence * 0.6:
                continue
            material = rng.choice(materials)
            day = today - timedelta(days=days_ago)
            seconds = rng.randint(5, 40) * 60
            moment = now - timedelta(days=days_ago, hours=rng.randint(0, 8))
            key = (member.id, material.id, day)
            if key in rows:
                rows[key].seconds += seconds
                continue
            rows[key] = StudyMinute(**sitting(member.id, material.id, day, moment, seconds))
    db.session.add_all(rows.values())
    return len(rows)


def build_study_demo(admin: Member, root: Branch, now: datetime, rng: random.Random) -> str:
    """Create the demo study data; return a summary."""
    today = china_today(now)
    materials = _load_articles(root, admin, now)
    members = list(
        db.session.scalars(select(Member).where(Member.is_active.is_(True)).order_by(Member.id))
    )
    m0001 = next(m for m in members if m.police_no == "m0001")
    rows = _history([m for m in members if m.branch.kind == "branch"], materials, now, rng)

    open_test = db.session.scalar(select(Quiz).where(Quiz.kind == QuizKind.TEST.value))
    campaign = Campaign(
        title="2026年党纪学习教育专题学习",
        kind=CampaignKind.CAMPAIGN.value,
        description="全体党员学习《纪律处分条例》等党内法规，完成必学资料、累计学习120分钟、"
        "参加一次线下学习并提交一篇心得体会。",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=20),
        audience=build_audience(admin, [root], PARTY, []),
        owner_branch_id=root.id,
        minute_target=120,
        offline_counts_as_minutes=True,
        offline_sessions_required=1,
        reflections_required=1,
        is_published=True,
        created_by_id=admin.id,
        materials=materials[:2],
        quizzes=[CampaignQuiz(quiz=open_test, must_pass=False)],
    )

    activists = [
        m
        for m in members
        if m.political_status in (PoliticalStatus.ACTIVIST.value, PoliticalStatus.CANDIDATE.value)
    ][:24]
    roster = build_audience(admin, [], [], activists)
    theory_test = save_quiz(
        admin,
        QuizData(
            title="入党积极分子理论知识测试",
            kind=QuizKind.EXAM,
            description="培训班结业测试，80分及格。",
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=14),
            time_limit_minutes=30,
            attempts_allowed=2,
            pass_percent=80,
            rules=[RuleData("single", 10), RuleData("truefalse", 5)],
            roster=activists,
            branches=[],
        ),
    )
    set_published(admin, theory_test, True)
    training = Campaign(
        title="2026年第二期入党积极分子培训班",
        kind=CampaignKind.TRAINING_CLASS.value,
        description="学习党章和党内法规，结业须通过理论知识测试。",
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=14),
        audience=roster,
        owner_branch_id=root.id,
        minute_target=60,
        is_published=True,
        created_by_id=admin.id,
        materials=[materials[1], materials[3]],
        quizzes=[CampaignQuiz(quiz=theory_test, must_pass=True)],
    )
    db.session.add_all([campaign, training])

    branch = m0001.branch
    session = OfflineSession(
        title="党纪学习教育专题党课",
        kind=OfflineKind.LECTURE.value,
        held_on=today - timedelta(days=5),
        duration_minutes=90,
        branch=branch,
        notes="支部书记讲授《纪律处分条例》学习要点。",
        recorded_by_id=admin.id,
        attendees=[
            m
            for m in members
            if (m.branch_id == branch.id and rng.random() < 0.85) or m.id == m0001.id
        ],
    )
    db.session.add(session)
    db.session.flush()
    db.session.add_all(
        [
            Reflection(
                member_id=m0001.id,
                campaign_id=campaign.id,
                material_id=materials[0].id,
                title="学习纪律处分条例的体会",
                body=REFLECTION,
                status=ReflectionStatus.SUBMITTED.value,
                submitted_at=now - timedelta(days=1),
            ),
        ]
    )
    # A reflection the branch secretary returned, with the notice m0001 got for it.
    returned = Reflection(
        member_id=m0001.id,
        material_id=materials[1].id,
        title="学习《准则》的几点认识",
        body=REFLECTION,
        status=ReflectionStatus.RETURNED.value,
        submitted_at=now - timedelta(days=3),
        reviewer_id=admin.id,
        review_comment="请结合本职工作，写一写今后的整改措施。",
        reviewed_at=now - timedelta(days=2),
    )
    db.session.add(returned)
    db.session.flush()
    send_notice(review_notice(returned), now - timedelta(days=2))
    return (
        f"{len(materials)} materials, {rows} days of study history, a campaign, "
        f"a training class of {len(activists)} activists, 1 offline session"
    )

"""A year of activity for the benchmark bureau, written in bulk.

Four campaigns over the year (:mod:`.campaigns`), then the facts their figures are counted
from: study minutes on most days for the diligent and on few for the rest (more during a
campaign, on its materials), monthly party days and a lecture per campaign in every branch with
their attendance, submitted and graded attempts with every answer, and reflections. Everything
happens while the member was in a branch, and nothing after ``now``.
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import insert

from quizapp import db
from quizapp.bank.types import get_type
from quizapp.benchdata.bureau import Bureau, Person, china_day, china_moment
from quizapp.benchdata.campaigns import Drive, build_campaigns
from quizapp.campaigns.models import Campaign
from quizapp.demo.study import REFLECTION, sitting
from quizapp.offline.models import OfflineAttendance, OfflineKind, OfflineSession
from quizapp.org.models import Branch
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus, EndReason
from quizapp.study.models import Material, Reflection, ReflectionStatus, StudyMinute

#: Rows per bulk INSERT: large enough to be fast, small enough to keep memory flat.
CHUNK = 20_000


def build_activity(bureau: Bureau, materials: list[Material], rng: random.Random) -> str:
    """Create the campaigns and a year of activity; return a summary."""
    drives = build_campaigns(bureau, materials, rng)
    minutes = _study(bureau, materials, drives, rng)
    sessions, attended = _offline(bureau, drives, rng)
    attempts, answers = _attempts(bureau, drives, rng)
    reflections = _reflections(bureau, drives, rng)
    return (
        f"{len(materials)} materials, {minutes} study-minute rows, {len(drives)} campaigns "
        f"with a quiz each, {sessions} offline sessions ({attended} attendances), "
        f"{attempts} attempts ({answers} answers), {reflections} reflections"
    )


def _insert(model: type, rows: list[dict]) -> int:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])
    return len(rows)


def _study(
    bureau: Bureau, materials: list[Material], drives: list[Drive], rng: random.Random
) -> int:
    """Study minutes: a chance each day that grows with diligence and during campaigns."""
    opened = [china_day(m) for m in materials]
    rows: list[dict] = []
    written = 0
    for person in bureau.people:
        window = person.window(bureau.first, bureau.today)
        if not person.diligence or window is None:
            continue
        mine = [d.campaign for d in drives if d.includes(person)]
        day = window[0]
        while day <= window[1]:
            chance = 0.3 * person.diligence * (0.5 if day.weekday() >= 5 else 1.0)
            running = next((c for c in mine if c.starts_on <= day <= c.ends_on), None)
            if running is not None:
                chance = min(0.9, chance * 2.2)
            if rng.random() < chance:
                rows += _study_day(
                    person, day, running, materials, bisect.bisect_right(opened, day), rng
                )
            day += timedelta(days=1)
        if len(rows) >= CHUNK:
            written += _insert(StudyMinute, rows)
            rows = []
    return written + _insert(StudyMinute, rows)


def _study_day(
    person: Person,
    day: date,
    running: Campaign | None,
    materials: list[Material],
    opened: int,
    rng: random.Random,
) -> list[dict]:
    rows, seen = [], set()
    for _ in range(1 if rng.random() < 0.7 else 2):
        if running is not None and running.materials and rng.random() < 0.6:
            material = rng.choice(running.materials)
        else:
            material = materials[rng.randrange(max(1, opened))]
        if material.id in seen:
            continue
        seen.add(material.id)
        seconds = rng.randint(3, 30) * 60
        start = china_moment(day, rng.randint(7, 21), rng.randint(0, 59))
        rows.append(sitting(person.id, material.id, day, start, seconds))
    return rows


def _offline(bureau: Bureau, drives: list[Drive], rng: random.Random) -> tuple[int, int]:
    """A party day about monthly in every branch, and a lecture per campaign needing one."""
    residents: dict[int, list[Person]] = defaultdict(list)
    for person in bureau.people:
        for branch_id in {stay[0] for stay in person.stays}:
            residents[branch_id].append(person)
    lectures = [d.campaign for d in drives if d.campaign.offline_sessions_required]
    sessions = []

    def session(branch: Branch, title: str, kind: OfflineKind, held_on: date, minutes: int):
        return dict(
            title=title,
            kind=kind.value,
            held_on=held_on,
            duration_minutes=minutes,
            branch_id=branch.id,
            notes="",
            recorded_by_id=bureau.admin.id,
        )

    for branch in bureau.branches:
        day = bureau.first + timedelta(days=rng.randint(0, 27))
        while day < bureau.today:
            sessions.append(
                session(branch, f"{day.month}月主题党日", OfflineKind.PARTY_DAY, day, 90)
            )
            day += timedelta(days=rng.randint(26, 35))
        for campaign in lectures:
            last = min(campaign.ends_on, bureau.today - timedelta(days=1))
            if last >= campaign.starts_on:
                held = campaign.starts_on + timedelta(
                    days=rng.randint(0, (last - campaign.starts_on).days)
                )
                title = f"{campaign.title}专题党课"
                sessions.append(session(branch, title, OfflineKind.LECTURE, held, 60))
    ids = (
        db.session.scalars(
            insert(OfflineSession).returning(OfflineSession.id, sort_by_parameter_order=True),
            sessions,
        ).all()
        if sessions
        else []
    )
    attendance = [
        dict(session_id=session_id, member_id=person.id)
        for session_id, session in zip(ids, sessions, strict=True)
        for person in residents[session["branch_id"]]
        if person.branch_on(session["held_on"]) == session["branch_id"]
        and rng.random() < 0.5 + 0.45 * person.diligence
    ]
    return len(sessions), _insert(OfflineAttendance, attendance)


def _attempts(bureau: Bureau, drives: list[Drive], rng: random.Random) -> tuple[int, int]:
    """Each campaign's quiz, sat once or twice by most of its members, graded."""
    papers, sittings = [], []
    for drive in drives:
        quiz, last = drive.quiz, drive.last_day(bureau.today)
        points = [float(quiz.points[q.type]) for q in drive.questions]
        elapsed = drive.elapsed(bureau.today)
        for person in bureau.people:
            window = person.window(drive.campaign.starts_on, last)
            if (
                window is None
                or not drive.includes(person)
                or rng.random() >= (0.3 + 0.65 * person.diligence) * elapsed
            ):
                continue
            day = window[0] + timedelta(days=rng.randint(0, (window[1] - window[0]).days))
            hour = rng.randint(8, 19)
            for number in range(1, 3 if rng.random() < 0.25 else 2):
                started = china_moment(day, hour + number - 1, rng.randint(0, 20))
                submitted = started + timedelta(minutes=rng.randint(8, 28))
                right = [rng.random() < person.skill for _ in drive.questions]
                score = sum(p for p, ok in zip(points, right, strict=True) if ok)
                papers.append(
                    dict(
                        quiz_id=quiz.id,
                        member_id=person.id,
                        number=number,
                        status=AttemptStatus.SUBMITTED.value,
                        started_at=started,
                        deadline_at=started + timedelta(minutes=30),
                        submitted_at=submitted,
                        end_reason=EndReason.MEMBER.value,
                        score=score,
                        max_score=sum(points),
                        leave_count=0,
                        passed=score >= sum(points) * quiz.pass_percent / 100 - 1e-9,
                    )
                )
                sittings.append((drive, right, submitted))
    ids = []
    for start in range(0, len(papers), CHUNK):
        ids += db.session.scalars(
            insert(Attempt).returning(Attempt.id, sort_by_parameter_order=True),
            papers[start : start + CHUNK],
        ).all()
    answers = []
    for attempt_id, (drive, right, submitted) in zip(ids, sittings, strict=True):
        for position, (question, ok) in enumerate(zip(drive.questions, right, strict=True)):
            points = float(drive.quiz.points[question.type])
            answers.append(
                dict(
                    attempt_id=attempt_id,
                    question_id=question.id,
                    position=position,
                    option_order=list(range(len(question.options or []))),
                    points=points,
                    response=get_type(question.type).sample_response(
                        question.answer, question.options, correct=ok, rng=rng
                    ),
                    seq=position + 1,
                    answered_at=submitted - timedelta(minutes=1),
                    mark=points if ok else 0.0,
                )
            )
    return len(papers), _insert(AttemptAnswer, answers)


def _reflections(bureau: Bureau, drives: list[Drive], rng: random.Random) -> int:
    """Reflections for the campaigns that require one: most accepted, some waiting or returned."""
    rows = []
    for drive in drives:
        campaign, last = drive.campaign, drive.last_day(bureau.today)
        if not campaign.reflections_required:
            continue
        for person in bureau.people:
            window = person.window(campaign.starts_on, last)
            if (
                window is None
                or not drive.includes(person)
                or rng.random() >= (0.15 + 0.75 * person.diligence) * drive.elapsed(bureau.today)
            ):
                continue
            day = window[0] + timedelta(days=rng.randint(0, (window[1] - window[0]).days))
            status = rng.choices(
                (ReflectionStatus.ACCEPTED, ReflectionStatus.SUBMITTED, ReflectionStatus.RETURNED),
                (80, 12, 8),
            )[0]
            reviewed = day + timedelta(days=1)
            if reviewed >= bureau.today:
                status = ReflectionStatus.SUBMITTED
            done = status != ReflectionStatus.SUBMITTED
            rows.append(
                dict(
                    member_id=person.id,
                    material_id=None,
                    campaign_id=campaign.id,
                    title=f"学习“{campaign.title}”的心得体会",
                    body=REFLECTION,
                    status=status.value,
                    reviewer_id=bureau.admin.id if done else None,
                    review_comment="请结合本职工作再谈具体认识。"
                    if status == ReflectionStatus.RETURNED
                    else "",
                    submitted_at=china_moment(day, 20),
                    reviewed_at=china_moment(reviewed, 9) if done else None,
                )
            )
    return _insert(Reflection, rows)

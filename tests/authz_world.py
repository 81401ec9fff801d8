"""The world the authorisation matrix acts on, and how its cases are written.

Shared by tests/test_authz_matrix.py and the per-feature case lists (tests/authz_*.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from quizapp import db
from quizapp.audiences.services import build_audience
from quizapp.bank.models import Question
from quizapp.campaigns import services as campaign_services
from quizapp.campaigns.models import Campaign
from quizapp.members.models import Member
from quizapp.offline import services as offline_services
from quizapp.offline.models import OfflineSession
from quizapp.org.models import Branch
from quizapp.quizzes import services as quiz_services
from quizapp.quizzes.models import Quiz, QuizKind
from quizapp.reflections import services as reflection_services
from quizapp.study import services as material_services
from quizapp.study.models import Material, Reflection
from tests.conftest import TODAY, Org

LOGIN_IDS = {"member": "m1", "outsider": "org2", "organiser": "org1", "admin": "admin"}
ACTORS = ("anonymous", *LOGIN_IDS)

#: Text that only U1's branches and people put on a page; an outsider must never see it.
U1_TEXT = ("第一分局", "一所党支部", "二所党支部", "普通党员", "一分局管理员")

NEW_MEMBER = "x9001"


@dataclass
class World:
    """The conftest organisation plus an empty unit under U1 to move B12 into."""

    org: Org
    u1x: Branch
    q1: Question  # a question of the bank kept by U1

    def __getattr__(self, name: str):
        return getattr(self.org, name)


def _fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def _member_exists(police_no: str) -> bool:
    return db.session.scalar(select(Member.id).where(Member.police_no == police_no)) is not None


def _roster(w: World) -> dict:
    csv = f"姓名,警号,手机号,所属支部,政治面貌\r\n导入人员,{NEW_MEMBER},,B11,正式党员\r\n"
    return {"file": (io.BytesIO(csv.encode("utf-8")), "roster.csv")}


def _new_member_form(w: World) -> dict:
    return {
        "name": "新同志",
        "police_no": NEW_MEMBER,
        "phone": "",
        "branch_id": w.b11.id,
        "political_status": "full",
        "role": "member",
        "initial_password": "Start2026x",
    }


def _question_by_stem(stem: str) -> Question | None:
    return db.session.scalar(select(Question).where(Question.stem == stem))


def _kept_outside_u2(stem: str) -> bool:
    """Whether the question exists and is not U2's: org2 may add questions, but as U2's."""
    question = _question_by_stem(stem)
    return question is not None and question.owner_branch_id != _u2_id()


def _u2_id() -> int:
    return db.session.scalar(select(Branch.id).where(Branch.code == "U2"))


def _question_file(w: World) -> dict:
    text = (
        "questions:\n  - key: mx-001\n    type: 判断\n    stem: 矩阵测试：导入的判断题。\n"
        "    answer: 对\n"
    )
    return {"format": "yaml", "file": (io.BytesIO(text.encode("utf-8")), "mx.yaml")}


def _m1_form(w: World) -> dict:
    # The fixture's 警号 "m1" is too short for the form's rules, so the edit gives a valid one.
    return {
        "name": "改名同志",
        "police_no": "m0001",
        "phone": "",
        "branch_id": w.b11.id,
        "political_status": "full",
        "role": "member",
    }


@dataclass(frozen=True)
class Case:
    """One request to a management route and what each actor gets from it."""

    endpoint: str
    method: str
    url: Callable[[World], str]
    form: Callable[[World], dict] = field(default=lambda w: {})
    #: What org2 (organiser of U2) gets; on a 200 the page must show nothing of U1.
    outsider: int = 404
    #: What org1 and the admin get.
    allowed: int = 200
    #: What org1 gets when it differs from the admin (changes only admins may make).
    organiser: int | None = None
    #: For POSTs: whether the change happened (true after allowed actors, false otherwise).
    done: Callable[[World], bool] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint} {self.url.__doc__ or ''}".strip()


def url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the world's objects' ids."""

    def build(w: World) -> str:
        return template.format(
            u1=w.u1.id,
            b11=w.b11.id,
            b12=w.b12.id,
            m1=w.m1.id,
            q1=w.q1.id,
        )

    build.__doc__ = template
    return build


#: U1's quiz, made on first use by the quiz rows (its title names nothing of U1).
U1_QUIZ = "矩阵测试：原有的测试"


def _u1_quiz(w: World) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.title == U1_QUIZ))
    if quiz is None:
        opens = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
        quiz = quiz_services.save_quiz(
            w.org1,
            quiz_services.QuizData(
                title=U1_QUIZ,
                opens_at=opens,
                closes_at=opens + timedelta(days=7),
                fixed_questions=[w.q1],
                branches=[w.b11],
            ),
        )
        db.session.commit()
    return quiz


#: U1's exam, closed long ago: its questions wait to be released to practice.
U1_EXAM = "矩阵测试：已结束的考试"


def _u1_exam(w: World) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.title == U1_EXAM))
    if quiz is None:
        opens = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
        quiz = quiz_services.save_quiz(
            w.org1,
            quiz_services.QuizData(
                title=U1_EXAM,
                kind=QuizKind.EXAM,
                opens_at=opens,
                closes_at=opens + timedelta(hours=2),
                fixed_questions=[w.q1],
                branches=[w.b11],
            ),
        )
        quiz_services.set_published(w.org1, quiz, True)
        db.session.commit()
    return quiz


def exam_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of U1's closed exam."""

    def build(w: World) -> str:
        return template.format(exam=_u1_exam(w).id)

    build.__doc__ = template
    return build


def quiz_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of U1's quiz."""

    def build(w: World) -> str:
        return template.format(quiz=_u1_quiz(w).id)

    build.__doc__ = template
    return build


def _quiz_form(w: World, title: str = U1_QUIZ, description: str = "") -> dict:
    return {
        "title": title,
        "description": description,
        "kind": "test",
        "opens_at": "2026-11-21T10:00",
        "closes_at": "2026-11-28T10:00",
        "attempts_allowed": "1",
        "counting": "highest",
        "pass_percent": "60",
        "points-single": "2",
        "points-multiple": "3",
        "points-truefalse": "1",
        "points-fill": "2",
        "review_when": "immediately",
        "branch_ids": str(w.b11.id),
        "question_keys": w.q1.key,
    }


def _quiz_exists(title: str) -> bool:
    return db.session.scalar(select(Quiz.id).where(Quiz.title == title)) is not None


#: U1's material (with a PDF), made on first use by the material rows.
U1_MATERIAL = "矩阵测试：原有的资料"


def _u1_material(w: World) -> Material:
    material = db.session.scalar(select(Material).where(Material.title == U1_MATERIAL))
    if material is None:
        material = material_services.save_material(
            w.org1,
            material_services.MaterialData(
                title=U1_MATERIAL, topic="矩阵测试专题", body_markdown="正文", branches=[w.b11]
            ),
        )
        material_services.store_pdf(material, "资料.pdf", b"%PDF-1.4 matrix")
        db.session.commit()
    return material


def material_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of U1's material."""

    def build(w: World) -> str:
        return template.format(material=_u1_material(w).id, m1=w.m1.id)

    build.__doc__ = template
    return build


def _material_form(w: World, title: str = U1_MATERIAL, body: str = "正文") -> dict:
    return {
        "title": title,
        "topic": "矩阵测试专题",
        "body_markdown": body,
        "estimated_minutes": "10",
        "sort_order": "0",
        "branch_ids": str(w.b11.id),
    }


def _material_exists(title: str) -> bool:
    return db.session.scalar(select(Material.id).where(Material.title == title)) is not None


#: U1's offline session (held by B11, attended by m1), made on first use by the offline rows.
U1_SESSION = "矩阵测试：原有的活动"
#: A day in the past whatever the clock says when the matrix runs.
HELD_ON = date(2026, 11, 1)


def _u1_session(w: World) -> OfflineSession:
    session = db.session.scalar(select(OfflineSession).where(OfflineSession.title == U1_SESSION))
    if session is None:
        session = offline_services.create_session(
            w.org1,
            offline_services.SessionData(
                title=U1_SESSION,
                kind="lecture",
                held_on=HELD_ON,
                duration_minutes=60,
                branch=w.b11,
                attendees=[w.m1],
            ),
            HELD_ON,
        )
        db.session.commit()
    return session


def session_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of U1's offline session."""

    def build(w: World) -> str:
        return template.format(session=_u1_session(w).id)

    build.__doc__ = template
    return build


def _session_form(w: World, title: str = U1_SESSION) -> dict:
    return {
        "title": title,
        "kind": "seminar",
        "held_on": HELD_ON.isoformat(),
        "duration_minutes": "90",
        "branch_id": str(w.b11.id),
        "notes": "",
        "member_ids": [str(w.m1.id)],
        "action": "save",
    }


def _session_exists(title: str) -> bool:
    return (
        db.session.scalar(select(OfflineSession.id).where(OfflineSession.title == title))
        is not None
    )


#: m1's reflection on a material for U1, made on first use by the reflection rows.
M1_REFLECTION = "矩阵测试：原有的心得"


def _m1_reflection(w: World) -> Reflection:
    reflection = db.session.scalar(select(Reflection).where(Reflection.title == M1_REFLECTION))
    if reflection is None:
        audience = build_audience(w.admin, [w.u1], [], [])
        material = Material(
            title="矩阵测试：心得所学资料",
            topic="矩阵测试专题",
            body_markdown="正文",
            body_html="<p>正文</p>",
            audience=audience,
            owner_branch_id=w.u1.id,
            status="published",
            estimated_minutes=10,
        )
        db.session.add(material)
        db.session.flush()
        reflection = reflection_services.submit_reflection(
            w.m1,
            material,
            reflection_services.ReflectionData(M1_REFLECTION, "学" * 300),
            datetime.now(UTC),
        )
        db.session.commit()
    return reflection


def reflection_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of m1's reflection."""

    def build(w: World) -> str:
        return template.format(reflection=_m1_reflection(w).id)

    build.__doc__ = template
    return build


#: U1's training class (m1 enrolled), made on first use by the campaign rows.
U1_CAMPAIGN = "矩阵测试：原有的培训班"


def _u1_campaign(w: World) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == U1_CAMPAIGN))
    if campaign is None:
        campaign = campaign_services.save_campaign(
            w.org1,
            campaign_services.CampaignData(
                title=U1_CAMPAIGN,
                kind="training_class",
                starts_on=TODAY,
                ends_on=TODAY + timedelta(days=7),
                minute_target=30,
            ),
        )
        campaign_services.enrol_members(w.org1, campaign, [w.m1])
        db.session.commit()
    return campaign


def campaign_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of U1's training class."""

    def build(w: World) -> str:
        return template.format(campaign=_u1_campaign(w).id)

    build.__doc__ = template
    return build


def _campaign_form(
    w: World, title: str = U1_CAMPAIGN, description: str = "", kind: str = "training_class"
) -> dict:
    return {
        "title": title,
        "description": description,
        "kind": kind,
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=7)).isoformat(),
        "minute_target": "30",
        "offline_sessions_required": "0",
        "reflections_required": "0",
        "branch_ids": str(w.b11.id),
    }


def _campaign_exists(title: str) -> bool:
    return db.session.scalar(select(Campaign.id).where(Campaign.title == title)) is not None


def _on_class_roster(w: World, member: Member) -> bool:
    return member.id in {m.id for m in _u1_campaign(w).audience.roster}

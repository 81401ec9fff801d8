"""The world the authorisation matrix acts on, and how its cases are written.

Shared by tests/test_authz_matrix.py and the per-feature case lists (tests/authz_*.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from quizapp import db
from quizapp.bank.models import Question
from quizapp.campaigns import services as campaign_services
from quizapp.campaigns.models import Campaign
from quizapp.members.models import Member
from quizapp.offline.models import OfflineSession
from quizapp.org.models import Branch
from quizapp.quizzes.models import Quiz, QuizKind
from quizapp.reflections import services as reflection_services
from quizapp.study import files
from quizapp.study import services as material_services
from quizapp.study.models import Material, Reflection
from tests.conftest import TODAY, Org
from tests.factories import make_campaign, make_material, make_quiz, make_session, quiz_form

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


def _member_exists(police_no: str) -> bool:
    return exists(Member.police_no, police_no)


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
    return {"file": (io.BytesIO(text.encode("utf-8")), "mx.yaml")}


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
class Request:
    """The request of a matrix row; ``id`` names the row after it."""

    endpoint: str
    method: str
    url: Callable[[World], str]
    form: Callable[[World], dict] = field(default=lambda w: {})
    #: For POSTs: whether the change happened (true after the actors allowed it, false otherwise).
    done: Callable[[World], bool] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint} {self.url.__doc__ or ''}".strip()


@dataclass(frozen=True)
class Case(Request):
    """One request to a management route and what each actor gets from it."""

    #: What org2 (organiser of U2) gets; on a 200 the page must show nothing of U1.
    outsider: int = 404
    #: What org1 and the admin get.
    allowed: int = 200
    #: What org1 gets when it differs from the admin (changes only admins may make).
    organiser: int | None = None


def post(endpoint: str, url: Callable[[World], str], **fields) -> Case:
    """A change: the allowed actors are redirected (302) unless ``allowed`` says otherwise."""
    return Case(endpoint, "POST", url, **({"allowed": 302} | fields))


def form_page(endpoint: str, url: Callable[[World], str], **fields) -> tuple[Case, Case]:
    """A form's page and its submission to the same URL; ``outsider`` applies to both."""
    outsider = {"outsider": fields["outsider"]} if "outsider" in fields else {}
    return Case(endpoint, "GET", url, **outsider), post(endpoint, url, **fields)


def url_of(template: str, ids: Callable[[Any], dict]) -> Callable[[Any], str]:
    """Build a row's URL: ``template`` formatted with the ``ids(world)``; the template, as the
    builder's docstring, names the row."""

    def build(w) -> str:
        return template.format(**ids(w))

    build.__doc__ = template
    return build


def url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the world's objects' ids."""
    return url_of(
        template,
        lambda w: {"u1": w.u1.id, "b11": w.b11.id, "b12": w.b12.id, "m1": w.m1.id, "q1": w.q1.id},
    )


def made_once(model, title: str, make: Callable[[], Any]):
    """The ``model`` row titled ``title``, made by ``make()`` and committed on first use."""
    found = db.session.scalar(select(model).where(model.title == title))
    if found is None:
        found = make()
        db.session.commit()
    return found


def exists(column, value) -> bool:
    """Whether a row has ``value`` in ``column``."""
    return db.session.scalar(select(column).where(column == value)) is not None


#: U1's quiz, made on first use by the quiz rows (its title names nothing of U1).
U1_QUIZ = "矩阵测试：原有的测试"


def _u1_quiz_of(w: World, title: str, opens: datetime, lasts: timedelta, **options) -> Quiz:
    """U1's quiz ``title`` (question q1, for B11, opening at ``opens``), made on first use."""

    def make() -> Quiz:
        return make_quiz(
            w.org1,
            [w.b11],
            questions=[w.q1],
            now=opens,
            opens_in=timedelta(0),
            lasts=lasts,
            title=title,
            **options,
        )

    return made_once(Quiz, title, make)


def _u1_quiz(w: World) -> Quiz:
    opens = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    return _u1_quiz_of(w, U1_QUIZ, opens, timedelta(days=7), publish=False)


#: U1's exam, closed long ago: its questions wait to be released to practice.
U1_EXAM = "矩阵测试：已结束的考试"


def _u1_exam(w: World) -> Quiz:
    opens = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    return _u1_quiz_of(w, U1_EXAM, opens, timedelta(hours=2), kind=QuizKind.EXAM)


def exam_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of U1's closed exam."""
    return url_of(template, lambda w: {"exam": _u1_exam(w).id})


def quiz_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of U1's quiz."""
    return url_of(template, lambda w: {"quiz": _u1_quiz(w).id})


def _quiz_form(w: World, title: str = U1_QUIZ, description: str = "") -> dict:
    return quiz_form(title, str(w.b11.id), w.q1.key, description=description)


def _quiz_exists(title: str) -> bool:
    return exists(Quiz.title, title)


#: U1's material (with a PDF), made on first use by the material rows.
U1_MATERIAL = "矩阵测试：原有的资料"


def _u1_material(w: World) -> Material:
    def make() -> Material:
        material = material_services.save_material(
            w.org1,
            material_services.MaterialData(
                title=U1_MATERIAL, topic="矩阵测试专题", body_markdown="正文", branches=[w.b11]
            ),
        )
        files.store_pdf(material, "资料.pdf", b"%PDF-1.4 matrix")
        return material

    return made_once(Material, U1_MATERIAL, make)


def material_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of U1's material (and m1's)."""
    return url_of(template, lambda w: {"material": _u1_material(w).id, "m1": w.m1.id})


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
    return exists(Material.title, title)


#: U1's offline session (held by B11, attended by m1), made on first use by the offline rows.
U1_SESSION = "矩阵测试：原有的活动"
#: A day in the past whatever the clock says when the matrix runs.
HELD_ON = date(2026, 11, 1)


def _u1_session(w: World) -> OfflineSession:
    def make() -> OfflineSession:
        return make_session(
            w.org1,
            w.b11,
            [w.m1],
            title=U1_SESSION,
            kind="lecture",
            held_on=HELD_ON,
            minutes=60,
            today=HELD_ON,
        )

    return made_once(OfflineSession, U1_SESSION, make)


def session_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of U1's offline session."""
    return url_of(template, lambda w: {"session": _u1_session(w).id})


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
    return exists(OfflineSession.title, title)


#: m1's reflection on a material for U1, made on first use by the reflection rows.
M1_REFLECTION = "矩阵测试：原有的心得"


def _m1_reflection(w: World) -> Reflection:
    def make() -> Reflection:
        material = make_material(
            w, "矩阵测试：心得所学资料", branches=[w.u1], owner=w.u1, topic="矩阵测试专题"
        )
        return reflection_services.submit_reflection(
            w.m1,
            material,
            reflection_services.ReflectionData(M1_REFLECTION, "学" * 300),
            datetime.now(UTC),
        )

    return made_once(Reflection, M1_REFLECTION, make)


def reflection_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of m1's reflection."""
    return url_of(template, lambda w: {"reflection": _m1_reflection(w).id})


#: U1's training class (m1 enrolled), made on first use by the campaign rows.
U1_CAMPAIGN = "矩阵测试：原有的培训班"


def _u1_campaign(w: World) -> Campaign:
    def make() -> Campaign:
        week = TODAY + timedelta(days=7)
        campaign = make_campaign(w.org1, U1_CAMPAIGN, TODAY, week, 30, kind="training_class")
        campaign_services.enrol_members(w.org1, campaign, [w.m1])
        return campaign

    return made_once(Campaign, U1_CAMPAIGN, make)


def campaign_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of U1's training class."""
    return url_of(template, lambda w: {"campaign": _u1_campaign(w).id})


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
    return exists(Campaign.title, title)


def _on_class_roster(w: World, member: Member) -> bool:
    return member.id in {m.id for m in _u1_campaign(w).audience.roster}

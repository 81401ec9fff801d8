"""Who may use each member JSON API: every /api and /practice/api route × every kind of actor.

The management pages have their matrix (tests/test_authz_matrix.py); this is the members'.
A JSON route without a row here makes ``test_every_member_api_is_in_the_matrix`` fail.
For each endpoint the question is "what can this reveal, or change, to whom, when?":

- anonymous: 401 in JSON, nothing revealed;
- owner: m1, whose attempt, daily question and study page these are: allowed;
- colleague: m2, a member of the same branch: 404 for m1's things (as if they did not exist);
- outsider: org2, organiser of U2, outside the quiz's audience: 404 (organisers manage
  through /manage; the member APIs give them nothing of anyone else's);
- admin: 404 too, for the same reason.
Answers are never revealed: the practice API refuses the questions on m1's running paper,
another unit's questions and questions an exam uses, to every actor.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.attempts import services as attempts
from quizapp.bank.services import QuestionData, save_question
from quizapp.practice import services as practice
from quizapp.practice.models import DailyQuestion
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer
from quizapp.quizzes.models import LeavePolicy
from quizapp.study import minutes
from quizapp.study.models import StudyMinute
from quizapp.wrongbook.models import WrongAnswer
from tests.authz_world import url_of
from tests.conftest import PASSWORD
from tests.factories import NOW, QuizKind, make_material, make_questions, make_quiz

ACTORS = ("anonymous", "owner", "colleague", "outsider", "admin")
LOGIN_IDS = {"owner": "m1", "colleague": "m2", "outsider": "org2", "admin": "admin"}


@dataclass
class World:
    quiz: object
    attempt: Attempt
    on_paper: int  # a question on m1's running paper
    free: int  # a bureau question no exam uses
    foreign: int  # a question of U2's bank
    reserved: int  # a question a U2 exam uses
    daily: int  # one of m1's daily questions today
    token: str  # m1's study token for a material


@pytest.fixture()
def world(org, make_member, time_machine) -> World:
    time_machine.move_to(NOW, tick=False)
    make_member("m2", org.b11, name="同支部党员")
    bank = make_questions(org.admin)
    quiz = make_quiz(
        org.admin,
        [org.u1],
        questions=[bank["single"][0], bank["truefalse"][0]],
        leave_policy=LeavePolicy.RECORD,  # the leave endpoint counts
    )
    foreign = save_question(
        org.org2,
        QuestionData(
            type="truefalse",
            stem="二分局题库的判断题。",
            options=[],
            answer=True,
            category_path="党章",
        ),
    )
    make_quiz(
        org.org2, [org.u2], kind=QuizKind.EXAM, questions=[bank["multiple"][2]], title="二分局考试"
    )
    attempt, _ = attempts.start_attempt(org.m1, quiz, NOW, random.Random(1))
    daily = practice.draw_daily_questions(org.m1, NOW)[0].question_id
    material = make_material(org)
    db.session.commit()
    return World(
        quiz,
        attempt,
        bank["single"][0].id,
        bank["single"][1].id,
        foreign.id,
        bank["multiple"][2].id,
        daily,
        minutes.issue_token(org.m1.id, material),
    )


def _saved(w: World) -> bool:
    answer = db.session.get(AttemptAnswer, (w.attempt.id, w.on_paper))
    return answer.seq > 0


@dataclass
class Case:
    endpoint: str
    method: str
    path: Callable[[World], str]
    body: Callable[[World], dict] = field(default=lambda w: {})
    #: What each logged-in actor gets (missing: 404); anonymous always gets 401.
    expect: dict[str, int] = field(default_factory=dict)
    #: Whether the request changed something (true after allowed actors only).
    done: Callable[[World], bool] | None = None
    #: Text that must never be in a refused response (an answer, say).
    secret: str | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint} {self.path.__doc__ or ''}".strip()


def p(template: str) -> Callable[[World], str]:
    """Build the path from ``template`` formatted with the world's ids."""
    return url_of(
        template,
        lambda w: {
            "quiz": w.quiz.id,
            "attempt": w.attempt.id,
            "on_paper": w.on_paper,
            "free": w.free,
            "foreign": w.foreign,
            "reserved": w.reserved,
            "daily": w.daily,
        },
    )


EVERYONE = {"owner": 200, "colleague": 200, "outsider": 200, "admin": 200}


def practise(question: str, response, expect: dict[str, int], **fields) -> Case:
    """An answer to the practice question ``question`` (the World's field naming it)."""
    path = p(f"/practice/api/questions/{{{question}}}/answer")
    body = {"response": response}
    return Case(
        "practice.answer_question", "POST", path, body=lambda w: body, expect=expect, **fields
    )


CASES = [
    # Attempts: only the owner's own; a start only inside the quiz's audience.
    Case(
        "api.start",
        "POST",
        p("/api/quizzes/{quiz}/attempts"),
        expect={"owner": 200, "colleague": 201},
    ),
    Case("api.show", "GET", p("/api/attempts/{attempt}"), expect={"owner": 200}),
    Case(
        "api.save_answer",
        "PUT",
        p("/api/attempts/{attempt}/answers/{on_paper}"),
        body=lambda w: {"seq": 5, "response": 1},
        expect={"owner": 200},
        done=_saved,
    ),
    Case(
        "api.leave",
        "POST",
        p("/api/attempts/{attempt}/leave"),
        expect={"owner": 200},
        done=lambda w: db.session.get(Attempt, w.attempt.id).leave_count == 1,
    ),
    Case(
        "api.submit",
        "POST",
        p("/api/attempts/{attempt}/submit"),
        expect={"owner": 200},
        done=lambda w: db.session.get(Attempt, w.attempt.id).status == "submitted",
    ),
    # Study: the token names its member; anyone else's heartbeat is refused (409).
    Case(
        "study_api.heartbeat",
        "POST",
        p("/api/study/heartbeat"),
        body=lambda w: {"token": w.token},
        expect={"owner": 200, "colleague": 409, "outsider": 409, "admin": 409},
        done=lambda w: db.session.scalar(select(func.count()).select_from(StudyMinute)) > 0,
    ),
    # Practice: what each may practise; never an answer from the running paper, another
    # unit's bank or an exam.
    practise("free", 0, EVERYONE),
    practise("on_paper", 0, {"colleague": 200, "outsider": 200, "admin": 200}, secret="正确答案"),
    practise("foreign", True, {"outsider": 200}, secret="正确答案"),
    practise(
        "reserved",
        [0],
        {},
        secret="正确答案",
        done=lambda w: (
            db.session.scalar(
                select(func.count())
                .select_from(WrongAnswer)
                .where(WrongAnswer.question_id == w.reserved)
            )
            > 0
        ),
    ),
    # Daily: only the member's own questions of today.
    Case(
        "practice.answer_daily",
        "POST",
        p("/practice/api/daily/{daily}/answer"),
        body=lambda w: {"response": None},
        expect={"owner": 400},
    ),
]


def test_every_member_api_is_in_the_matrix(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if "/api/" in rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == {(case.endpoint, case.method) for case in CASES}


def _login(client, actor: str) -> None:
    response = client.post("/login", data={"login_id": LOGIN_IDS[actor], "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_member_api_matrix(client, world, case, actor):
    if actor != "anonymous":
        _login(client, actor)
    response = client.open(case.path(world), method=case.method, json=case.body(world))
    expected = 401 if actor == "anonymous" else case.expect.get(actor, 404)
    assert response.status_code == expected, response.get_data(as_text=True)
    body = response.get_json()
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert body["status"] == response.status_code and body["error"] and body["message"]
        if case.secret:
            assert case.secret not in response.get_data(as_text=True)
            assert "right" not in body and "feedback_html" not in body
    if case.done is not None:
        db.session.expire_all()
        allowed = actor != "anonymous" and expected < 300
        assert bool(case.done(world)) is allowed


def test_daily_question_of_another_member_is_not_today_s(client, world, org):
    _login(client, "colleague")
    response = client.post(f"/practice/api/daily/{world.daily}/answer", json={"response": 0})
    assert response.status_code == 404
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(DailyQuestion)
            .where(DailyQuestion.answered_at.is_not(None))
        )
        == 0
    )

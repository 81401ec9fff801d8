"""The question-type registry: a type is one place (class, input macro, script), the database
no longer lists the types, and a type no longer registered fails with a clear message."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import inspect, select, text

from quizapp import PROJECT_ROOT, db, migrate
from quizapp.attempts import services as attempts
from quizapp.bank.models import Question
from quizapp.bank.services import QuestionData, save_question
from quizapp.bank.types import (
    AnswerFormatError,
    QuestionType,
    UnknownQuestionType,
    all_types,
    default_points,
    get_type,
    register,
    type_choices,
    unregister,
)
from quizapp.errors import DomainError
from quizapp.practice import services as practice
from quizapp.quizzes.attempt_models import Attempt
from quizapp.results.items import item_statistics
from tests.factories import NOW, make_questions, make_quiz


class NumberAnswer(QuestionType):
    """A toy type: the answer is a number, typed into one input."""

    code = "number"
    label = "数值"
    default_points = 4

    def answer_problems(self, stem: str, options: list[str], answer: Any) -> list[str]:
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            return ["数值题的答案应为数字"]
        return []

    def answer_from_text(self, text: str, options: list[str], stem: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"数值题的答案「{text}」应为数字") from None

    def answer_to_text(self, answer: float, options: list[str]) -> str:
        return f"{answer:g}"

    def parse_response(self, raw: Any, options: list[str], stem: str) -> float:
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise AnswerFormatError("请填写一个数字。") from None

    def grade(self, answer: float, response: Any, points: float, partial: bool = False) -> float:
        return float(points) if response is not None and abs(response - answer) < 1e-9 else 0.0


NUMBER_MACRO = """\
{% macro inputs(q, name, order, response, disabled) -%}
<p class="q-stem">{{ q.stem }}</p>
<input class="number-answer" type="text" inputmode="decimal" name="{{ name }}"
       value="{{ '%g' % response if response is not none else '' }}" {{ 'disabled' if disabled }}>
{%- endmacro %}
"""


@pytest.fixture()
def number_type(app, monkeypatch):
    """Register the toy type, its macro (a template of its own) and its script, for one test."""
    qtype = register(NumberAnswer())
    loader = ChoiceLoader([DictLoader({qtype.template: NUMBER_MACRO}), app.jinja_env.loader])
    monkeypatch.setattr(app.jinja_env, "loader", loader)
    yield qtype
    unregister(qtype.code)


def _number_question(actor) -> Question:
    data = QuestionData(type="number", stem="党的二十大于____年召开。", options=[], answer=2022.0)
    question = save_question(actor, data)
    db.session.commit()
    return question


# ---------------------------------------------------------------- the built-in types


def test_each_type_has_its_macro_and_script_and_the_defaults_come_from_it():
    assert [t.code for t in all_types()] == ["single", "multiple", "truefalse", "fill", "essay"]
    for qtype in all_types():
        assert (PROJECT_ROOT / "templates" / qtype.template).is_file()
        assert (PROJECT_ROOT / "static" / qtype.script).is_file()
    assert default_points() == {"single": 2, "multiple": 3, "truefalse": 1, "fill": 2, "essay": 10}
    assert type_choices("题")[0] == ("single", "单选题")


def test_the_shared_pages_never_name_a_type():
    """Pages and scripts ask the registry: no type's code appears outside its own files."""
    shared = [
        *(PROJECT_ROOT / "templates").rglob("*.html"),
        *(PROJECT_ROOT / "static" / "js").glob("*.js"),
        PROJECT_ROOT / "static" / "css" / "app.css",
    ]
    for path in shared:
        if path.parent.name == "types":
            continue
        text = path.read_text(encoding="utf-8")
        for code in ("single", "multiple", "truefalse", "fill"):
            for quoted in (f'"{code}"', f"'{code}'"):
                assert quoted not in text, f"{path.name} names the type {code}"


def test_a_question_of_an_unregistered_type_is_refused():
    with pytest.raises(DomainError, match="未知题型「audio」（应为 单选、多选、判断、填空、简答）"):
        Question(type="audio")


def test_the_database_no_longer_lists_the_types(app, org):
    """0009 drops the CHECK on questions.type (and keeps the table's other constraints and
    rows); its downgrade puts it back. SQLite copies the table, PostgreSQL alters it."""
    questions = make_questions(org.admin, n_each=1)
    quiz = make_quiz(org.admin, [org.u1], questions=[questions["single"][0]])
    attempts.start_attempt(org.m1, quiz, NOW)
    db.session.commit()
    db.session.close()  # the migration's connection must not wait on this session's locks

    def checks() -> set[str]:
        with db.get_engine(app).connect() as connection:
            found = inspect(connection).get_check_constraints("questions")
        return {check["name"] for check in found}

    assert checks() == {"ck_questions_difficulty"}
    try:
        migrate.downgrade(app, "0008")
        assert checks() == {"ck_questions_difficulty", "ck_questions_type"}
    finally:
        migrate.upgrade(app)
    assert checks() == {"ck_questions_difficulty"}
    assert len(db.session.scalars(select(Question)).all()) == 4
    assert db.session.scalar(select(Attempt)).answers[0].question.key == "s0"
    if db.session.get_bind().dialect.name == "sqlite":  # the copy kept every reference
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []


# ---------------------------------------------------------------- a type is one place


def test_a_toy_type_registered_once_works_in_forms_imports_attempts_and_grading(
    app, client, auth, org, number_type, time_machine
):
    time_machine.move_to(NOW, tick=False)
    auth.login("org1")

    # The bank form offers it, showing the inputs it uses; saving reads its answer.
    form = client.get("/manage/bank/new").get_data(as_text=True)
    assert 'value="number"' in form and 'data-parts="answer"' in form and "数值" in form
    created = client.post(
        "/manage/bank/new",
        data={"type": "number", "stem": "党的十八大于____年召开。", "answer": "2012"},
    )
    assert created.status_code == 302
    saved = db.session.scalar(select(Question).where(Question.type == "number"))
    assert saved.answer == 2012.0
    assert "2012" in client.get(f"/manage/bank/{saved.id}").get_data(as_text=True)

    # Imports read it by its label.
    upload = "questions:\n  - {key: n-yaml, type: 数值题, stem: 一年有____个月。, answer: 12}\n"
    body = client.post(
        "/manage/bank/import",
        data={"file": (io.BytesIO(upload.encode()), "题库.yaml")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "新增 1 道" in body

    # The quiz form gets a points input for it, with its default.
    quiz_form = client.get("/manage/quizzes/new").get_data(as_text=True)
    assert 'name="points-number"' in quiz_form and "数值题" in quiz_form

    # The attempt page draws its macro and loads its script; grading uses its class.
    question = _number_question(org.admin)
    quiz = make_quiz(org.admin, [org.u1], questions=[question])
    assert quiz.points["number"] == 4
    auth.switch_to("m1")
    client.post(f"/quizzes/{quiz.id}/start")
    attempt = db.session.scalar(select(Attempt).where(Attempt.quiz_id == quiz.id))
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert 'class="number-answer"' in page and f'name="q{question.id}"' in page
    assert "/static/js/types/number.js" in page and "数值" in page
    url = f"/api/attempts/{attempt.id}/answers/{question.id}"
    assert client.put(url, json={"seq": 1, "response": "x"}).status_code == 400
    assert client.put(url, json={"seq": 2, "response": "2022"}).get_json()["saved"]
    result = client.post(f"/api/attempts/{attempt.id}/submit").get_json()
    assert result["score"] == result["max_score"] == 4
    review = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "正确答案：<strong>2022</strong>" in review and "回答正确" in review

    # Practice grades it too, and item statistics take it (no options to count).
    assert practice.grade_response(question, "2022.0").is_correct
    assert item_statistics(quiz)[0].options == []


# ---------------------------------------------------------------- a type no longer registered


def test_a_quiz_holding_a_type_no_longer_registered_fails_with_a_clear_message(
    app, client, auth, org, number_type, time_machine
):
    time_machine.move_to(NOW, tick=False)
    question = _number_question(org.admin)
    started_quiz = make_quiz(org.admin, [org.u1], questions=[question], title="已开始的测试")
    attempt, _ = attempts.start_attempt(org.m1, started_quiz, NOW)
    fresh_quiz = make_quiz(org.admin, [org.u1], questions=[question], title="未开始的测试")
    bank = make_questions(org.admin, n_each=1)
    other_quiz = make_quiz(org.admin, [org.u1], questions=[bank["single"][0]], title="另一测试")
    other, _ = attempts.start_attempt(org.m1, other_quiz, NOW)
    db.session.commit()
    unregister("number")
    try:
        message = "题型「number」已不再支持，请联系管理员。"
        with pytest.raises(UnknownQuestionType, match=message):
            get_type("number")

        auth.login("m1")
        page = client.get(f"/attempts/{attempt.id}")
        assert page.status_code == 404 and message in page.get_data(as_text=True)
        saved = client.put(
            f"/api/attempts/{attempt.id}/answers/{question.id}", json={"seq": 1, "response": 1}
        )
        assert saved.status_code == 404
        assert saved.get_json()["error"] == "not_found" and message in saved.get_json()["message"]
        start = client.post(f"/quizzes/{fresh_quiz.id}/start", follow_redirects=True)
        assert message in start.get_data(as_text=True)
        api_start = client.post(f"/api/quizzes/{fresh_quiz.id}/attempts")
        assert api_start.status_code == 404 and message in api_start.get_json()["message"]
        assert api_start.get_json()["error"] == "not_found"
        assert db.session.scalar(select(Attempt).where(Attempt.quiz_id == fresh_quiz.id)) is None

        # The scheduler grades every other overdue attempt and leaves this one waiting.
        later = NOW + timedelta(hours=4)
        assert attempts.expire_overdue(later) == 1
        db.session.commit()
        assert db.session.get(Attempt, other.id).status == "submitted"
        assert db.session.get(Attempt, attempt.id).status == "in_progress"

        # Organisers still see the question listed, and a clear message where it is used.
        auth.switch_to("admin")
        listing = client.get("/manage/bank/").get_data(as_text=True)
        assert "「number」（已不再支持）" in listing
        shown = client.get(f"/manage/bank/{question.id}")
        assert shown.status_code == 404 and message in shown.get_data(as_text=True)
        preview = client.get(f"/manage/quizzes/{fresh_quiz.id}/preview")
        assert message in preview.get_data(as_text=True)
    finally:
        register(NumberAnswer())


def test_practice_refuses_a_type_no_longer_registered(org, number_type):
    question = _number_question(org.admin)
    unregister("number")
    try:
        with pytest.raises(UnknownQuestionType):
            practice.grade_response(question, "1")
    finally:
        register(NumberAnswer())


def test_a_type_registers_once():
    with pytest.raises(ValueError, match="registered already"):
        register(get_type("single"))
    assert [t.code for t in all_types()].count("single") == 1

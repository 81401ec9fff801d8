"""Exam integrity: no practice, daily or wrong-book route reveals an answer it must not.

- a question is practisable only in the member's own banks (bureau, unit, branch), and not
  while an exam or competition uses it (仅用于考试) or an organiser marked it exam-only;
- nothing on the paper of the member's attempt in progress can be practised;
- an attempt's wrong answers reach the wrong-answer book only when the quiz's review shows
  the answers, and from then on;
- daily questions are drawn from practisable questions only.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.attempts import autosave
from quizapp.attempts import services as attempts
from quizapp.attempts.papers import prepare_papers
from quizapp.auth.session_ref import SessionRef
from quizapp.bank.models import ReservedQuestion
from quizapp.bank.services import QuestionData, save_question
from quizapp.errors import DomainError
from quizapp.practice import queries as practice_queries
from quizapp.practice import services as practice
from quizapp.practice.models import DailyQuestion
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.reservations import release_to_practice
from quizapp.scheduler.jobs import book_reviewed_wrong_answers
from quizapp.wrongbook.models import WrongAnswer
from tests.factories import NOW, QuizKind, ReviewWhen, make_quiz

WRONG = {"single": 0, "multiple": [0, 1], "truefalse": False, "fill": ["惩前"]}


def _practise(client, question_id, response=0):
    return client.post(f"/practice/api/questions/{question_id}/answer", json={"response": response})


def _four(bank, index=0):
    return [bank[t][index] for t in ("single", "multiple", "truefalse", "fill")]


def _answer_wrong(attempt, now=NOW):
    for seq, answer in enumerate(attempt.answers, start=1):
        autosave.save_answer(
            SessionRef(attempt.member_id, 1),
            attempt.id,
            answer.question_id,
            WRONG[answer.question.type],
            seq,
            now,
        )


def _book(member_id):
    return set(
        db.session.scalars(
            select(WrongAnswer.question_id).where(WrongAnswer.member_id == member_id)
        )
    )


# --- the paper of a running attempt ---------------------------------------------------


def test_no_answer_to_a_question_on_the_running_paper(client, auth, org, bank, time_machine):
    time_machine.move_to(NOW, tick=False)
    quiz = make_quiz(org.admin, [org.u1], questions=_four(bank), time_limit_minutes=30)
    other = bank["single"][1]
    auth.login("m1")
    started = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()
    on_paper = [
        int(qid)
        for qid in client.get(f"/api/attempts/{started['attempt_id']}").get_json()["answers"]
    ]
    assert len(on_paper) == 4
    for question_id in on_paper:
        response = _practise(client, question_id)
        assert response.status_code == 404, question_id
        assert "right" not in response.get_json() and "不能练习" in response.get_json()["message"]
    assert _practise(client, other.id).status_code == 200  # not on the paper: practisable

    client.post(f"/api/attempts/{started['attempt_id']}/submit")
    # A test (测试) reserves nothing: once submitted, its questions are practice again.
    assert _practise(client, on_paper[0]).status_code == 200


def test_running_paper_is_left_out_of_category_and_wrong_book(org, bank):
    quiz = make_quiz(org.admin, [org.u1], questions=_four(bank))
    practice.record_result(org.m1.id, bank["single"][0].id, False, "practice", NOW)
    practice.record_result(org.m1.id, bank["single"][1].id, False, "practice", NOW)
    assert practice_queries.count_open_wrong_answers(org.m1) == 2
    attempts.start_attempt(org.m1, quiz, NOW, random.Random(1))
    db.session.commit()
    assert practice_queries.count_open_wrong_answers(org.m1) == 1
    assert practice_queries.pick_wrong_question(org.m1).id == bank["single"][1].id
    category = bank["single"][0].category
    assert practice_queries.count_category_questions(org.m1, category) == 12 - 4
    assert practice_queries.count_category_questions(org.org1, category) == 12  # others


# --- whose bank --------------------------------------------------------------------------


def test_another_units_questions_are_not_practisable(client, auth, org, bank):
    def own(actor, key):
        return save_question(
            actor,
            QuestionData(
                type="truefalse",
                stem=f"{key}：本单位的判断题。",
                options=[],
                answer=True,
                category_path="党章",
                key=key,
            ),
        )

    u1_question, u2_question = own(org.org1, "u1-q"), own(org.org2, "u2-q")
    db.session.commit()
    auth.login("m1")  # in B11 under U1
    assert _practise(client, u1_question.id, True).status_code == 200
    assert _practise(client, bank["truefalse"][0].id, True).status_code == 200  # bureau
    refused = _practise(client, u2_question.id, True)
    assert refused.status_code == 404 and "right" not in refused.get_json()
    index = client.get("/practice/").get_data(as_text=True)
    assert "党章" in index
    assert practice_queries.count_category_questions(org.m1, u1_question.category) == 1


# --- exams and competitions reserve their questions ---------------------------------------


def test_an_exam_reserves_its_papers_until_released_after_it_closes(org, bank):
    exam = make_quiz(
        org.admin,
        [org.u1],
        kind=QuizKind.EXAM,
        questions=[bank["fill"][0]],
        rules=[{"type": "single", "count": 2}],
        opens_in=timedelta(hours=6),
    )

    def reserved() -> set[int]:
        query = select(ReservedQuestion.question_id).where(ReservedQuestion.quiz_id == exam.id)
        return set(db.session.scalars(query))

    assert reserved() == {bank["fill"][0].id}  # the fixed question, from publishing
    assert get_practisable(org.m1, bank["fill"][0].id) is None

    prepare_papers(NOW, rng=random.Random(3))  # papers drawn ahead reserve what they hold
    drawn = reserved() - {bank["fill"][0].id}
    assert len(drawn) >= 2 and all(q in {s.id for s in bank["single"]} for q in drawn)
    for question_id in drawn:
        assert get_practisable(org.m1, question_id) is None
        assert get_practisable(org.org2, question_id) is None  # not in the audience either

    with pytest.raises(DomainError, match="结束后"):
        release_to_practice(org.admin, exam, NOW)
    with pytest.raises(DomainError, match="无权"):
        release_to_practice(org.org2, exam, exam.closes_at)
    assert release_to_practice(org.admin, exam, exam.closes_at) == len(drawn) + 1
    db.session.commit()
    assert reserved() == set() and exam.practice_released_at == exam.closes_at
    assert get_practisable(org.m1, bank["fill"][0].id) is not None


def test_a_question_two_exams_use_stays_reserved_by_the_other(org, bank):
    shared = bank["single"][0]
    first = make_quiz(org.admin, [org.u1], kind=QuizKind.EXAM, questions=[shared], title="第一场")
    make_quiz(
        org.admin,
        [org.u1],
        kind=QuizKind.COMPETITION,
        questions=[shared],
        title="第二场",
        opens_in=timedelta(days=2),
    )
    release_to_practice(org.admin, first, first.closes_at)
    db.session.commit()
    assert get_practisable(org.m1, shared.id) is None


def test_a_test_reserves_nothing_and_draft_exams_reserve_nothing(org, bank):
    make_quiz(org.admin, [org.u1], questions=[bank["single"][0]])  # kind test
    make_quiz(org.admin, [org.u1], kind=QuizKind.EXAM, questions=[bank["single"][1]], publish=False)
    assert db.session.scalar(select(func.count()).select_from(ReservedQuestion)) == 0


def test_exam_drawn_at_the_start_reserves_the_paper(org, bank):
    exam = make_quiz(
        org.admin, [org.u1], kind=QuizKind.EXAM, rules=[{"type": "truefalse", "count": 2}]
    )
    attempt, _ = attempts.start_attempt(org.m1, exam, NOW, random.Random(5))
    db.session.commit()
    on_paper = {a.question_id for a in attempt.answers}
    assert on_paper <= set(db.session.scalars(select(ReservedQuestion.question_id)))


def test_organiser_marks_a_question_exam_only(client, auth, org, bank):
    question = bank["truefalse"][2]
    auth.login("admin")
    response = client.post(
        f"/manage/bank/{question.id}/edit",
        data={
            "type": "truefalse",
            "stem": question.stem,
            "truth": "true",
            "difficulty": "2",
            "category": "测试/纪律",
            "exam_only": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert question.exam_only
    assert "仅用于考试" in client.get(f"/manage/bank/{question.id}").get_data(as_text=True)
    assert "仅用于考试" in client.get("/manage/bank/?q=判断题2").get_data(as_text=True)
    assert get_practisable(org.m1, question.id) is None
    for _ in range(3):  # the daily draw never picks it
        assert question.id not in practice._random_practisable_ids(org.m1, 50, [])


def test_release_from_the_quiz_page(client, auth, org, bank, time_machine):
    time_machine.move_to(NOW, tick=False)
    exam = make_quiz(org.org1, [org.u1], kind=QuizKind.EXAM, questions=_four(bank))
    auth.login("org1")
    page = client.get(f"/manage/quizzes/{exam.id}").get_data(as_text=True)
    assert "仅用于考试" in page and "目前 4 道" in page and "开放题目用于练习" not in page
    early = client.post(f"/manage/quizzes/{exam.id}/release-practice", follow_redirects=True)
    assert "考试结束后才能开放" in early.get_data(as_text=True)
    time_machine.move_to(exam.closes_at + timedelta(minutes=1), tick=False)
    assert "开放题目用于练习" in client.get(f"/manage/quizzes/{exam.id}").get_data(as_text=True)
    done = client.post(f"/manage/quizzes/{exam.id}/release-practice", follow_redirects=True)
    assert "已开放 4 道题用于练习" in done.get_data(as_text=True)
    assert "题目已于" in client.get(f"/manage/quizzes/{exam.id}").get_data(as_text=True)


# --- the wrong-answer book follows the review policy --------------------------------------


@pytest.mark.parametrize(
    "policy,show_answers,booked_at_submit,booked_after_close",
    [
        (ReviewWhen.IMMEDIATELY, True, True, True),
        (ReviewWhen.IMMEDIATELY, False, False, False),
        (ReviewWhen.AFTER_CLOSE, True, False, True),
        (ReviewWhen.NEVER, True, False, False),
    ],
)
def test_wrong_book_waits_for_the_review(
    org, bank, policy, show_answers, booked_at_submit, booked_after_close
):
    quiz = make_quiz(
        org.admin,
        [org.u1],
        questions=_four(bank),
        review_when=policy,
        review_show_answers=show_answers,
    )
    attempt, _ = attempts.start_attempt(org.m1, quiz, NOW, random.Random(2))
    _answer_wrong(attempt)
    attempts.submit_attempt(attempt, NOW + timedelta(minutes=5))
    db.session.commit()
    paper = {q.id for q in _four(bank)}
    assert (_book(org.m1.id) == paper) is booked_at_submit
    assert _book(org.m1.id) in (set(), paper)

    before_close = book_reviewed_wrong_answers(quiz.closes_at - timedelta(minutes=1))
    assert before_close == "wrong answers of 0 attempts booked"
    book_reviewed_wrong_answers(quiz.closes_at + timedelta(minutes=1))
    assert (_book(org.m1.id) == paper) is booked_after_close
    # Booked once: running the job again changes nothing.
    counts = dict(
        db.session.execute(
            select(WrongAnswer.question_id, WrongAnswer.wrong_count).where(
                WrongAnswer.member_id == org.m1.id
            )
        ).all()
    )
    book_reviewed_wrong_answers(quiz.closes_at + timedelta(hours=1))
    assert counts == dict(
        db.session.execute(
            select(WrongAnswer.question_id, WrongAnswer.wrong_count).where(
                WrongAnswer.member_id == org.m1.id
            )
        ).all()
    )
    assert all(count == 1 for count in counts.values())


def test_after_close_submissions_book_at_once(org, bank):
    quiz = make_quiz(
        org.admin,
        [org.u1],
        questions=_four(bank),
        review_when=ReviewWhen.AFTER_CLOSE,
        time_limit_minutes=10,
        lasts=timedelta(minutes=20),
    )
    attempt, _ = attempts.start_attempt(
        org.m1, quiz, quiz.closes_at - timedelta(minutes=5), random.Random(2)
    )
    _answer_wrong(attempt, quiz.closes_at - timedelta(minutes=4))
    # The scheduler submits it after the close: the review is open, so it books at once.
    attempts.expire_overdue(quiz.closes_at + timedelta(minutes=10))
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).wrong_answers_booked
    assert _book(org.m1.id) == {q.id for q in _four(bank)}


# --- daily questions -----------------------------------------------------------------------


def test_daily_questions_come_from_practisable_questions_only(client, auth, org, bank):
    exam = make_quiz(
        org.admin,
        [org.u1],
        kind=QuizKind.EXAM,
        questions=[bank[t][i] for t in bank for i in range(3)][:10],
    )
    foreign = save_question(
        org.org2,
        QuestionData(
            type="truefalse", stem="二分局的判断题。", options=[], answer=True, category_path="党章"
        ),
    )
    db.session.commit()
    allowed = {q.id for t in bank for q in bank[t]} - set(
        db.session.scalars(
            select(ReservedQuestion.question_id).where(ReservedQuestion.quiz_id == exam.id)
        )
    )
    rows = practice.draw_daily_questions(org.m1, NOW)
    db.session.commit()
    assert {row.question_id for row in rows} <= allowed and foreign.id not in allowed
    assert len(rows) == 2  # only two practisable questions are left


def test_daily_question_reserved_after_the_draw_is_hidden(client, auth, org, bank, time_machine):
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    assert client.post("/practice/daily").status_code == 302  # the day's draw
    rows = list(
        db.session.scalars(
            select(DailyQuestion)
            .where(DailyQuestion.member_id == org.m1.id)
            .order_by(DailyQuestion.position)
        )
    )
    first, second = rows[0].question, rows[1].question
    answered = client.post(
        f"/practice/api/daily/{first.id}/answer", json={"response": _right(first)}
    )
    assert answered.status_code == 200
    # An exam takes both questions later the same day.
    make_quiz(org.admin, [org.u2], kind=QuizKind.EXAM, questions=[first, second])
    refused = client.post(
        f"/practice/api/daily/{second.id}/answer", json={"response": _right(second)}
    )
    assert refused.status_code == 404 and "用于考试" in refused.get_json()["message"]
    page = client.get("/practice/daily").get_data(as_text=True)
    assert page.count("这道题目前用于考试") == 2
    assert first.stem not in page and second.stem not in page


def _right(question):
    return {
        "single": question.answer,
        "multiple": question.answer,
        "truefalse": question.answer,
        "fill": ["惩前毖后"],
    }[question.type]


def get_practisable(member, question_id):
    return practice_queries.get_practisable_question(member, question_id)


# --- found by probing: reviews, kind and window changes, hostile ?recent= ----------------


def test_a_test_never_draws_what_exams_keep_secret(org, bank):
    secret = bank["single"][0]
    secret.exam_only = True
    make_quiz(org.admin, [org.u2], kind=QuizKind.EXAM, questions=[bank["single"][1]])
    test = make_quiz(org.admin, [org.u1], rules=[{"type": "single", "count": 1}])
    from quizapp.quizzes.draw import draw_question_ids

    drawn = {q for paper in draw_question_ids(test, random.Random(4), 60) for q in paper}
    assert drawn == {bank["single"][2].id}


def test_review_withholds_answers_another_exam_or_a_running_paper_uses(
    client, auth, org, bank, time_machine
):
    time_machine.move_to(NOW, tick=False)
    shared = bank["truefalse"][0]
    test = make_quiz(org.admin, [org.u1], questions=[shared, bank["truefalse"][1]], title="自测")
    running = make_quiz(org.admin, [org.u1], questions=[shared], title="另一场测试")
    auth.login("m1")
    done = client.post(f"/api/quizzes/{test.id}/attempts").get_json()["attempt_id"]
    client.post(f"/api/attempts/{done}/submit")
    page = client.get(f"/attempts/{done}/result").get_data(as_text=True)
    assert page.count("正确答案：") == 2
    # While another attempt holding the same question runs, its answer is withheld.
    client.post(f"/api/quizzes/{running.id}/attempts")
    page = client.get(f"/attempts/{done}/result").get_data(as_text=True)
    assert page.count("正确答案：") == 1 and "暂不公布正确答案" in page
    # And while an exam (of any audience) reserves it.
    make_quiz(
        org.admin,
        [org.u2],
        kind=QuizKind.EXAM,
        questions=[bank["truefalse"][1]],
        title="二分局考试",
    )
    page = client.get(f"/attempts/{done}/result").get_data(as_text=True)
    assert page.count("正确答案：") == 0 and page.count("暂不公布正确答案") == 2


def test_a_published_exam_keeps_its_kind_and_a_released_one_its_window(org, bank):
    from quizapp.quizzes.services import QuizData, save_quiz

    exam = make_quiz(org.admin, [org.u1], kind=QuizKind.EXAM, questions=[bank["fill"][0]])

    def edit(**changes):
        values = (
            dict(
                title=exam.title,
                kind=QuizKind(exam.kind),
                opens_at=exam.opens_at,
                closes_at=exam.closes_at,
                fixed_questions=[bank["fill"][0]],
                branches=[org.u1],
            )
            | changes
        )
        return save_quiz(org.admin, QuizData(**values), exam)

    with pytest.raises(DomainError, match="不能更改类型"):
        edit(kind=QuizKind.TEST)
    db.session.rollback()
    release_to_practice(org.admin, exam, exam.closes_at)
    with pytest.raises(DomainError, match="不能再修改开始和结束时间"):
        edit(closes_at=exam.closes_at + timedelta(days=1))


def test_only_a_published_exam_is_released(org, bank):
    draft = make_quiz(
        org.admin, [org.u1], kind=QuizKind.EXAM, questions=[bank["fill"][0]], publish=False
    )
    with pytest.raises(DomainError, match="已发布"):
        release_to_practice(org.admin, draft, draft.closes_at)


@pytest.mark.parametrize("recent", ["²", "9" * 5000, "1-" + "9" * 30, "-" * 3000, "1-2-x-3"])
def test_hostile_recent_lists_are_ignored(client, auth, org, bank, recent):
    auth.login("m1")
    category = bank["single"][0].category
    response = client.get(f"/practice/category/{category.id}", query_string={"recent": recent})
    assert response.status_code == 200
    wrong = client.get("/practice/wrong/practice", query_string={"recent": recent})
    assert wrong.status_code == 200

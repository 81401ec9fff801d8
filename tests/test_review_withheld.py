"""The review of a submitted attempt never tells whether an answer to a withheld question was
right: a question another exam keeps secret, or on the paper of another attempt the member
has in progress, shows the member's own answer and no right/wrong mark, no points earned (for
a 判断题 the mark is the key). The attempt's total stays.
"""

from __future__ import annotations

from datetime import timedelta

from quizapp import db
from quizapp.deferrals.services import refuse_deferral, request_deferral
from quizapp.quizzes.reservations import release_to_practice
from tests.factories import NOW, QuizKind, make_quiz

KEPT = "本题正用于考试，暂不公布正确答案、判定结果和解析"  # also for a 缓考 not yet sat


def _item(page: str, question_id: int) -> str:
    """The review item of one question on a result page."""
    items = page.split('<div class="review-item')[1:]
    [item] = [chunk for chunk in items if f'data-question-id="{question_id}"' in chunk]
    return item.split("</section>")[0]


def _marked(item: str) -> bool:
    """Tell whether a review item says how the answer was marked."""
    return any(
        word in item for word in ("回答正确", "回答错误", "得 ", "feedback-right", "feedback-wrong")
    )


def _sit(client, quiz, responses: dict[int, object]) -> int:
    """Start an attempt at ``quiz``, answer it and return its id (left running)."""
    attempt_id = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()["attempt_id"]
    for seq, (question_id, response) in enumerate(responses.items(), start=1):
        saved = client.put(
            f"/api/attempts/{attempt_id}/answers/{question_id}",
            json={"seq": seq, "response": response},
        )
        assert saved.get_json()["saved"] is True
    return attempt_id


def _sit_test_a(client, auth, org, bank):
    """m1 sits and hands in test A: the 判断题 ``shared`` answered wrong, ``other`` right."""
    shared, other = bank["truefalse"][0], bank["truefalse"][1]
    test = make_quiz(org.admin, [org.u1], questions=[shared, other], title="自测A")
    auth.login("m1")
    done = _sit(client, test, {shared.id: False, other.id: True})
    submitted = client.post(f"/api/attempts/{done}/submit").get_json()
    assert submitted["review_available"] is True and submitted["score"] > 0
    page = client.get(f"/attempts/{done}/result").get_data(as_text=True)
    assert "回答错误" in _item(page, shared.id) and "回答正确" in _item(page, other.id)
    assert shared.stem in client.get("/practice/wrong").get_data(as_text=True)
    return done, shared, other


def _review_keeps(client, done: int, shared, other) -> None:
    page = client.get(f"/attempts/{done}/result").get_data(as_text=True)
    kept = _item(page, shared.id)
    assert not _marked(kept), kept
    assert "您的答案：错" in kept and KEPT in kept and "正确答案：" not in kept
    assert "回答正确" in _item(page, other.id)  # the rest of the paper as before
    assert 'class="score-big"' in page  # the total is the member's result: it stays
    # The wrong-answer book leaves it out too (its stem would say it was answered wrong).
    assert shared.stem not in client.get("/practice/wrong").get_data(as_text=True)


def _review_marks(client, done: int, shared) -> None:
    page = client.get(f"/attempts/{done}/result").get_data(as_text=True)
    item = _item(page, shared.id)
    assert "回答错误" in item and "得 0 / " in item and KEPT not in item
    assert shared.stem in client.get("/practice/wrong").get_data(as_text=True)


def test_no_mark_for_a_question_on_an_exam_the_member_is_sitting(
    client, auth, org, bank, time_machine
):
    time_machine.move_to(NOW, tick=False)
    done, shared, other = _sit_test_a(client, auth, org, bank)
    exam = make_quiz(org.admin, [org.u1], kind=QuizKind.EXAM, questions=[shared], title="考试B")
    running = _sit(client, exam, {})  # exam B in another tab
    _review_keeps(client, done, shared, other)

    # Handed in, exam B still keeps its question secret until an organiser releases it.
    client.post(f"/api/attempts/{running}/submit")
    _review_keeps(client, done, shared, other)

    time_machine.move_to(exam.closes_at + timedelta(minutes=1), tick=False)
    release_to_practice(org.admin, exam, exam.closes_at + timedelta(minutes=1))
    db.session.commit()
    _review_marks(client, done, shared)


def test_no_mark_for_a_question_on_another_running_paper(client, auth, org, bank, time_machine):
    time_machine.move_to(NOW, tick=False)
    done, shared, other = _sit_test_a(client, auth, org, bank)
    test_b = make_quiz(org.admin, [org.u1], questions=[shared], title="自测B")
    running = _sit(client, test_b, {shared.id: True})
    _review_keeps(client, done, shared, other)

    # A test reserves nothing: once B is handed in, A's review marks the answer again.
    client.post(f"/api/attempts/{running}/submit")
    _review_marks(client, done, shared)


def test_no_mark_for_a_question_a_deferral_not_yet_sat_withholds(
    client, auth, org, bank, time_machine
):
    time_machine.move_to(NOW, tick=False)
    done, shared, other = _sit_test_a(client, auth, org, bank)
    exam = make_quiz(org.admin, [org.u1], kind=QuizKind.EXAM, questions=[shared], title="考试C")
    row = request_deferral(org.m1, exam, "duty", "", NOW)
    db.session.commit()
    # Exam C has closed and its questions are released to practice, but m1 is still to sit
    # it: what those who sat it saw stays out of their review of A, as out of practice.
    after = exam.closes_at + timedelta(minutes=1)
    time_machine.move_to(after, tick=False)
    release_to_practice(org.admin, exam, after)
    db.session.commit()
    _review_keeps(client, done, shared, other)

    refuse_deferral(org.admin, row, "请按原定时间参加。", after)
    db.session.commit()
    _review_marks(client, done, shared)

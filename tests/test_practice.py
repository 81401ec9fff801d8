"""Practice by category, the wrong-answer book and daily questions: rules on the services,
flows through the HTTP client, and one page in a phone-sized browser."""

from __future__ import annotations

import itertools
import os
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape as html_unescape

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.bank.models import Question
from quizapp.bank.services import QuestionData, save_question
from quizapp.bank.types import AnswerFormatError, answer_text
from quizapp.errors import DomainError
from quizapp.practice import queries as practice_queries
from quizapp.practice import services
from quizapp.practice.models import DailyQuestion
from quizapp.wrongbook.models import WrongAnswer
from tests.browser import CHROMIUM
from tests.browser import fits_phone_width as _fits_phone_width
from tests.conftest import PASSWORD

#: 10:00 in China on 2026-11-21; the China day turns at 16:00 UTC.
NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
DAY = date(2026, 11, 21)

RIGHT = {"single": 1, "multiple": [2, 0], "truefalse": True, "fill": [" 惩前毖后 ", "治病救人"]}
WRONG = {"single": 0, "multiple": [0], "truefalse": False, "fill": ["惩前毖后", "错字"]}


def _data(qtype: str, n: int) -> QuestionData:
    if qtype == "single":
        return QuestionData(
            "single",
            f"单选题{n}：党的最高领导机关是？",
            ["党的全国代表大会", "党的全国代表大会和它所产生的中央委员会", "中央政治局"],
            1,
        )
    if qtype == "multiple":
        return QuestionData(
            "multiple",
            f"多选题{n}：下列哪些属于党的纪律？",
            ["政治纪律", "交通规则", "组织纪律", "天气预报"],
            [0, 2],
        )
    if qtype == "truefalse":
        return QuestionData("truefalse", f"判断题{n}：党员必须履行党员义务。", [], True)
    return QuestionData(
        "fill", f"填空题{n}：对犯错误的同志要___，___。", [], [["惩前毖后"], ["治病救人"]]
    )


@pytest.fixture()
def add_question(org):
    """Create an active question (type, category path) through the bank's service."""
    counter = itertools.count(1)

    def add(category: str = "党章", qtype: str = "single", *, active: bool = True):
        n = next(counter)
        data = _data(qtype, n)
        data.category_path = category
        data.explanation = f"第{n}题的解析。"
        data.source = "《中国共产党章程》第十条"
        question = save_question(org.admin, data)
        question.is_active = active
        db.session.commit()
        return question

    return add


def _daily_ids(rows):
    return [row.question_id for row in rows]


# --- grading -----------------------------------------------------------------------------


@pytest.mark.parametrize("qtype", ["single", "multiple", "truefalse", "fill"])
def test_grading_each_type(add_question, qtype):
    question = add_question(qtype=qtype)
    assert services.grade_response(question, RIGHT[qtype]).is_correct
    assert not services.grade_response(question, WRONG[qtype]).is_correct


def test_fill_marks_each_blank(add_question):
    question = add_question(qtype="fill")
    assert services.grade_response(question, ["惩前毖后", "x"]).blanks == [True, False]
    assert answer_text(question) == "惩前毖后；治病救人"


@pytest.mark.parametrize(
    ("qtype", "raw"),
    [
        ("single", 7),
        ("single", "1"),
        ("single", True),
        ("multiple", 1),
        ("truefalse", "对"),
        ("fill", ["只填一个空"]),
        ("single", None),
        ("multiple", []),
        ("fill", ["", " "]),
    ],
)
def test_malformed_or_empty_responses_are_refused(add_question, qtype, raw):
    question = add_question(qtype=qtype)
    with pytest.raises(AnswerFormatError):
        services.grade_response(question, raw)


# --- the wrong-answer book ---------------------------------------------------------------


def test_wrong_answer_book_lifecycle(add_question, org):
    question = add_question()
    member_id = org.m1.id
    later = [NOW + timedelta(minutes=i) for i in range(5)]

    entry = services.record_result(member_id, question.id, False, "practice", later[0])
    assert (entry.wrong_count, entry.streak, entry.resolved_at) == (1, 0, None)
    assert entry.origin == "practice" and entry.last_wrong_at == later[0]
    assert practice_queries.count_open_wrong_answers(org.m1) == 1

    entry = services.record_result(member_id, question.id, True, "practice", later[1])
    assert (entry.streak, entry.resolved_at) == (1, None)  # right once: still open
    assert practice_queries.count_open_wrong_answers(org.m1) == 1

    entry = services.record_result(member_id, question.id, True, "practice", later[2])
    assert (entry.streak, entry.resolved_at) == (2, later[2])  # right twice in a row: resolved
    assert practice_queries.count_open_wrong_answers(org.m1) == 0

    entry = services.record_result(member_id, question.id, True, "practice", later[3])
    assert (entry.streak, entry.resolved_at) == (2, later[2])  # a resolved entry stays so

    entry = services.record_result(member_id, question.id, False, "attempt", later[4])
    assert (entry.wrong_count, entry.streak, entry.resolved_at) == (2, 0, None)  # reopened
    assert entry.origin == "attempt" and entry.last_wrong_at == later[4]
    assert practice_queries.count_open_wrong_answers(org.m1) == 1


def test_a_wrong_answer_between_right_ones_restarts_the_streak(add_question, org):
    question = add_question()
    for correct in (False, True, False, True):
        entry = services.record_result(org.m1.id, question.id, correct, "practice", NOW)
    assert (entry.wrong_count, entry.streak, entry.resolved_at) == (2, 1, None)


def test_right_answer_without_an_entry_books_nothing(add_question, org):
    question = add_question()
    assert services.record_result(org.m1.id, question.id, True, "practice", NOW) is None
    assert db.session.scalar(select(func.count()).select_from(WrongAnswer)) == 0


def test_wrong_book_lists_open_entries_newest_first(add_question, org):
    first, second, resolved, retired = (add_question() for _ in range(4))
    services.record_result(org.m1.id, first.id, False, "practice", NOW)
    services.record_result(org.m1.id, second.id, False, "daily", NOW + timedelta(hours=1))
    services.record_result(org.m1.id, resolved.id, False, "practice", NOW)
    for _ in range(2):
        services.record_result(org.m1.id, resolved.id, True, "practice", NOW)
    services.record_result(org.m1.id, retired.id, False, "practice", NOW)
    retired.is_active = False
    services.record_result(org.org1.id, first.id, False, "practice", NOW)  # someone else's

    page = practice_queries.list_open_wrong_answers(org.m1)
    assert [e.question_id for e in page.items] == [second.id, first.id]
    assert practice_queries.pick_wrong_question(org.m1).id in {first.id, second.id}
    assert practice_queries.pick_wrong_question(org.m1, recent=[second.id]).id == first.id


def test_practice_answers_feed_the_wrong_book(add_question, org):
    question = add_question(qtype="truefalse")
    result = services.answer_practice(org.m1, question, False, NOW)
    assert not result.graded.is_correct and result.entry.origin == "practice"
    result = services.answer_practice(org.m1, question, True, NOW)
    assert result.graded.is_correct and result.entry.streak == 1

    question.is_active = False
    with pytest.raises(DomainError, match="已停用"):
        services.answer_practice(org.m1, question, True, NOW)


def test_practice_picks_from_the_category_and_its_subcategories(add_question, org):
    parent = add_question("党内法规")
    child = add_question("党内法规/纪律处分条例")
    add_question("党章")
    add_question("党内法规", active=False)

    rows = practice_queries.list_practice_categories(org.m1)
    assert [(r.category.name, r.depth, r.count) for r in rows] == [
        ("党内法规", 0, 2),
        ("纪律处分条例", 1, 1),
        ("党章", 0, 1),
    ]
    top = rows[0].category
    seen = {practice_queries.pick_practice_question(org.m1, top).id for _ in range(40)}
    assert seen == {parent.id, child.id}
    assert practice_queries.pick_practice_question(org.m1, top, recent=[parent.id]).id == child.id
    # Everything recent: a question all the same rather than none.
    assert (
        practice_queries.pick_practice_question(org.m1, top, recent=[parent.id, child.id])
        is not None
    )


# --- daily questions ---------------------------------------------------------------------


def test_daily_draws_five_once_per_china_day(add_question, org):
    for _ in range(12):
        add_question()
    rows = services.draw_daily_questions(org.m1, NOW)
    assert [r.position for r in rows] == [1, 2, 3, 4, 5]
    assert len(set(_daily_ids(rows))) == 5
    ids = _daily_ids(rows)

    # The same China day, from 00:00 to 23:59 Beijing time: the same five.
    for moment in (
        datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
        datetime(2026, 11, 21, 15, 59, 59, tzinfo=UTC),
    ):
        assert _daily_ids(services.draw_daily_questions(org.m1, moment)) == ids
    db.session.commit()
    # At 16:00 UTC it is tomorrow in China: five new ones.
    tomorrow = services.draw_daily_questions(org.m1, datetime(2026, 11, 21, 16, 0, tzinfo=UTC))
    assert tomorrow[0].day == date(2026, 11, 22)
    assert not set(_daily_ids(tomorrow)) & set(ids)
    assert db.session.scalar(select(func.count()).select_from(DailyQuestion)) == 10


def test_daily_questions_do_not_repeat_until_the_bank_runs_out(add_question, org):
    bank = {add_question().id for _ in range(12)}
    retired = add_question(active=False)
    days = [services.draw_daily_questions(org.m1, NOW + timedelta(days=d)) for d in range(4)]

    for rows in days:
        assert len(rows) == 5 and len(set(_daily_ids(rows))) == 5  # no repeat within a day
    drawn = [qid for rows in days[:3] for qid in _daily_ids(rows)]
    assert set(drawn[:12]) == bank and len(set(drawn[:12])) == 12  # every question once
    assert retired.id not in drawn
    # Day 3 took the last 2 of cycle 1 and started cycle 2 for the other 3.
    assert [r.cycle for r in days[2]] == [1, 1, 2, 2, 2]
    cycle_two = [r.question_id for rows in days[2:] for r in rows if r.cycle == 2]
    assert len(cycle_two) == 8 and len(set(cycle_two)) == 8  # cycle 2 repeats nothing either


def test_daily_with_fewer_than_five_active_questions(add_question, org):
    bank = {add_question().id for _ in range(3)}
    first = services.draw_daily_questions(org.m1, NOW)
    assert set(_daily_ids(first)) == bank and [r.cycle for r in first] == [1, 1, 1]
    second = services.draw_daily_questions(org.m1, NOW + timedelta(days=1))
    assert set(_daily_ids(second)) == bank and [r.cycle for r in second] == [2, 2, 2]


def test_daily_with_an_empty_bank_draws_nothing_until_there_are_questions(add_question, org):
    assert services.draw_daily_questions(org.m1, NOW) == []
    add_question()
    assert len(services.draw_daily_questions(org.m1, NOW)) == 1


def test_daily_double_request_keeps_the_first_draw(add_question, org, monkeypatch):
    for _ in range(12):
        add_question()
    first = _daily_ids(services.draw_daily_questions(org.m1, NOW))
    db.session.commit()
    db.session.expunge_all()  # the second request has a session of its own

    # The second request looked before the first had stored its draw.
    real = services.list_daily_questions
    looks = []

    def list_late(*args):
        looks.append(args)
        return [] if len(looks) == 1 else real(*args)

    monkeypatch.setattr(services, "list_daily_questions", list_late)
    rows = services.draw_daily_questions(org.m1, NOW)
    assert len(looks) == 2 and _daily_ids(rows) == first
    assert db.session.scalar(select(func.count()).select_from(DailyQuestion)) == 5


def test_daily_answers_once_and_feeds_the_wrong_book(add_question, org):
    questions = [add_question(qtype=t) for t in ("single", "multiple", "truefalse", "fill", "fill")]
    rows = services.draw_daily_questions(org.m1, NOW)
    by_id = {q.id: q for q in questions}
    right_q, wrong_q = (by_id[r.question_id] for r in rows[:2])

    result = services.answer_daily_question(org.m1, right_q.id, RIGHT[right_q.type], NOW)
    assert result.graded.is_correct and result.entry is None
    result = services.answer_daily_question(org.m1, wrong_q.id, WRONG[wrong_q.type], NOW)
    assert not result.graded.is_correct
    assert (result.entry.origin, result.entry.wrong_count) == ("daily", 1)

    with pytest.raises(services.AlreadyAnswered, match="已经答过"):
        services.answer_daily_question(org.m1, right_q.id, RIGHT[right_q.type], NOW)
    with pytest.raises(services.AlreadyAnswered):  # a different answer changes nothing
        services.answer_daily_question(org.m1, wrong_q.id, RIGHT[wrong_q.type], NOW)
    progress = practice_queries.get_daily_progress(org.m1.id, DAY)
    assert (progress.total, progress.answered, progress.correct) == (5, 2, 1)
    assert not progress.is_done


def test_daily_answer_must_be_todays(add_question, org):
    for _ in range(6):
        add_question()
    rows = services.draw_daily_questions(org.m1, NOW)
    others = {q.id for q in db.session.scalars(select(Question))} - set(_daily_ids(rows))
    with pytest.raises(services.NotTodaysQuestion):
        services.answer_daily_question(org.m1, others.pop(), 1, NOW)
    # Yesterday's question after midnight in China (16:00 UTC): refused, not graded.
    with pytest.raises(services.NotTodaysQuestion, match="刷新"):
        services.answer_daily_question(
            org.m1, rows[0].question_id, 1, datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
        )
    # Someone else's daily question is not mine.
    with pytest.raises(services.NotTodaysQuestion):
        services.answer_daily_question(org.org1, rows[0].question_id, 1, NOW)


# --- through the HTTP client ---------------------------------------------------------------


def _post(client, url, body):
    return client.post(url, json=body, headers={"Accept": "application/json"})


def test_anonymous_is_sent_to_login_or_refused(client, add_question):
    question = add_question()
    for path in (
        "/practice/",
        f"/practice/category/{question.category_id}",
        "/practice/daily",
        "/practice/wrong",
        "/practice/wrong/practice",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location, path
    for path in (
        f"/practice/api/questions/{question.id}/answer",
        f"/practice/api/daily/{question.id}/answer",
    ):
        response = client.post(path, json={"response": 1})
        assert response.status_code == 401 and "登录" in response.get_json()["message"]
        assert response.get_json()["error"] == "login_required"


def test_index_shows_categories_daily_and_wrong_book(client, auth, org, add_question, time_machine):
    time_machine.move_to(NOW, tick=False)
    add_question("党内法规")
    add_question("党内法规/纪律处分条例")
    add_question("党内法规/纪律处分条例")
    add_question("党章", active=False)  # no active question: not listed
    auth.login("m1")
    page = client.get("/practice/").get_data(as_text=True)
    assert "纪律处分条例" in page and "党章" not in page
    assert "3 题" in page and "2 题" in page
    assert "今日 5 题待完成" in page and "暂无错题" in page


def test_practice_a_category_and_get_feedback(client, auth, org, add_question, time_machine):
    time_machine.move_to(NOW, tick=False)
    question = add_question("党内法规/纪律处分条例", "multiple")
    auth.login("m1")
    page = client.get(f"/practice/category/{question.category.parent_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert question.stem in html and f"/practice/api/questions/{question.id}/answer" in html
    assert "js/practice.js" in html and "js/question.js" in html
    assert client.get("/practice/category/9999").status_code == 404

    url = f"/practice/api/questions/{question.id}/answer"
    wrong = _post(client, url, {"response": [0]}).get_json()
    assert wrong["correct"] is False and wrong["right"] == [0, 2]
    assert "回答错误" in wrong["feedback_html"] and "正确答案：<strong>AC" in wrong["feedback_html"]
    assert (
        "第1题的解析" in wrong["feedback_html"]
        and "《中国共产党章程》第十条" in wrong["feedback_html"]
    )
    assert "已记入错题本" in wrong["feedback_html"]
    assert wrong["wrong_book"] == {"open": True, "streak": 0, "wrong_count": 1}

    right = _post(client, url, {"response": [2, 0]}).get_json()
    assert right["correct"] is True and "回答正确" in right["feedback_html"]
    assert right["wrong_book"] == {"open": True, "streak": 1, "wrong_count": 1}
    assert "再答对 1 次" in right["feedback_html"]


def test_next_question_avoids_the_ones_just_seen(client, auth, org, add_question):
    ids = {add_question("党章").id for _ in range(4)}
    category_id = db.session.get(Question, min(ids)).category_id
    auth.login("m1")
    url, seen = f"/practice/category/{category_id}", []
    for _ in range(10):
        html = client.get(url).get_data(as_text=True)
        seen.append(int(re.search(r"/practice/api/questions/(\d+)/answer", html).group(1)))
        url = html_unescape(re.search(r'href="([^"]+)" data-next', html).group(1))
    assert set(seen) <= ids
    # With 4 questions the last 2 are avoided: no question comes back within 3 pages.
    assert all(len(set(seen[i : i + 3])) == 3 for i in range(len(seen) - 2))


@pytest.mark.parametrize(
    "body", [{"response": 5}, {"response": "A"}, {"answer": 1}, {"response": None}, [1], "not json"]
)
def test_malformed_answers_get_400_in_chinese(client, auth, org, add_question, body):
    question = add_question()
    auth.login("m1")
    if body == "not json":
        response = client.post(
            f"/practice/api/questions/{question.id}/answer",
            data="{oops",
            content_type="application/json",
        )
    else:
        response = _post(client, f"/practice/api/questions/{question.id}/answer", body)
    assert response.status_code == 400
    error = response.get_json()["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error)  # a message in Chinese
    assert db.session.scalar(select(func.count()).select_from(WrongAnswer)) == 0


def test_unknown_and_retired_questions(client, auth, org, add_question):
    retired = add_question(active=False)
    auth.login("m1")
    assert _post(client, "/practice/api/questions/9999/answer", {"response": 1}).status_code == 404
    response = _post(client, f"/practice/api/questions/{retired.id}/answer", {"response": 1})
    assert response.status_code == 404 and "不能练习" in response.get_json()["message"]
    assert response.get_json()["error"] == "not_found"


def test_wrong_book_flow(client, auth, org, add_question, time_machine):
    time_machine.move_to(NOW, tick=False)
    question = add_question(qtype="truefalse")
    url = f"/practice/api/questions/{question.id}/answer"
    auth.login("m1")
    assert "错题本是空的" in client.get("/practice/wrong").get_data(as_text=True)
    _post(client, url, {"response": False})

    book = client.get("/practice/wrong").get_data(as_text=True)
    assert question.stem in book and "答错 1 次" in book and "练习错题（1 题）" in book
    assert "1 道错题待巩固" in client.get("/practice/").get_data(as_text=True)
    drill = client.get("/practice/wrong/practice").get_data(as_text=True)
    assert question.stem in drill and url in drill

    _post(client, url, {"response": True})
    assert question.stem in client.get("/practice/wrong").get_data(as_text=True)
    second = _post(client, url, {"response": True}).get_json()
    assert second["wrong_book"]["open"] is False and "已移出错题本" in second["feedback_html"]
    assert "错题本是空的" in client.get("/practice/wrong").get_data(as_text=True)
    assert "错题本已经清空" in client.get("/practice/wrong/practice").get_data(as_text=True)


def test_daily_flow(client, auth, org, add_question, time_machine):
    time_machine.move_to(NOW, tick=False)
    questions = {
        q.id: q
        for q in (
            add_question(qtype=t)
            for t in ("single", "multiple", "truefalse", "fill", "single", "fill")
        )
    }
    auth.login("m1")
    before = client.get("/practice/daily").get_data(as_text=True)
    assert "开始今日答题" in before and practice_queries.list_daily_questions(org.m1.id, DAY) == []
    drawn = client.post("/practice/daily")
    assert drawn.status_code == 302 and drawn.headers["Location"] == "/practice/daily"
    page = client.get("/practice/daily").get_data(as_text=True)
    rows = practice_queries.list_daily_questions(org.m1.id, DAY)
    assert len(rows) == 5 and page.count('class="card practice-item"') == 5
    assert "已答 <strong>0</strong> 题" in page
    assert client.get("/practice/daily").get_data(as_text=True).count("practice-item") == 5
    assert client.post("/practice/daily").status_code == 302  # a second press draws nothing
    assert _daily_ids(practice_queries.list_daily_questions(org.m1.id, DAY)) == _daily_ids(rows)

    for i, row in enumerate(rows):
        q = questions[row.question_id]
        answer = WRONG[q.type] if i == 0 else RIGHT[q.type]
        data = _post(client, f"/practice/api/daily/{q.id}/answer", {"response": answer}).get_json()
        assert data["daily"]["answered"] == i + 1
    assert data["daily"] == {**data["daily"], "total": 5, "correct": 4, "done": True}
    assert "今日每日答题已完成" in data["daily"]["summary_html"]

    again = _post(
        client,
        f"/practice/api/daily/{rows[0].question_id}/answer",
        {"response": RIGHT[questions[rows[0].question_id].type]},
    )
    assert again.status_code == 409 and "已经答过" in again.get_json()["message"]
    assert again.get_json()["error"] == "conflict"
    entry = db.session.get(WrongAnswer, (org.m1.id, rows[0].question_id))
    assert entry.origin == "daily" and entry.wrong_count == 1

    done = client.get("/practice/daily").get_data(as_text=True)
    assert "今日每日答题已完成" in done and done.count("data-result=") == 5
    assert "回答错误" in done and done.count("回答正确") == 4
    assert "今日已完成，答对 4/5" in client.get("/practice/").get_data(as_text=True)


def test_members_only_see_their_own_practice_data(
    client, auth, org, add_question, make_member, time_machine
):
    time_machine.move_to(NOW, tick=False)
    for _ in range(8):
        add_question()
    mine = services.draw_daily_questions(org.m1, NOW)
    question = mine[0].question
    services.record_result(org.m1.id, question.id, False, "practice", NOW)
    make_member("m2", org.b12, name="另一名党员")
    db.session.commit()

    auth.login("m2")
    assert "错题本是空的" in client.get("/practice/wrong").get_data(as_text=True)
    assert "暂无错题" in client.get("/practice/").get_data(as_text=True)
    assert "错题本已经清空" in client.get("/practice/wrong/practice").get_data(as_text=True)
    response = _post(client, f"/practice/api/daily/{question.id}/answer", {"response": 1})
    assert response.status_code == 404  # m1's daily question, not one of m2's
    assert db.session.get(DailyQuestion, (org.m1.id, DAY, 1)).answered_at is None
    assert "今日 5 题待完成" in client.get("/practice/").get_data(as_text=True)


def test_answering_runs_few_statements(client, auth, org, add_question, queries):
    question = add_question()
    auth.login("m1")
    url = f"/practice/api/questions/{question.id}/answer"
    with queries() as statements:
        assert _post(client, url, {"response": 0}).status_code == 200
    # member, question, wrong-answer entry, its insert
    assert len(statements) <= 4

    for _ in range(20):
        add_question()
    with queries() as statements:
        assert client.post("/practice/daily").status_code == 302  # the day's draw
    assert len(statements) <= 8
    with queries() as statements:
        assert client.get("/practice/daily").status_code == 200  # later visits: read only
    # member, the day's questions, which of them an exam now hides
    assert len(statements) <= 3


# --- in a phone-sized browser ----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium not found at {CHROMIUM}")
def test_practise_a_category_on_a_phone(live_server, phone, org, add_question):
    question = add_question("党内法规/纪律处分条例", "single")
    phone.goto(f"{live_server}/login?next=/practice/")
    phone.fill("#login_id", "m1")
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/practice/")
    assert _fits_phone_width(phone)

    phone.click("text=纪律处分条例")
    phone.wait_for_url("**/practice/category/**")
    assert question.stem in phone.text_content(".q-stem")
    assert _fits_phone_width(phone)
    for target in phone.locator(".option, .practice-actions .button").all():
        assert target.bounding_box()["height"] >= 44

    # The network drops: a clear message, and the chosen answer is still there to resend.
    phone.route("**/practice/api/**", lambda route: route.abort())
    phone.click("label.option:has-text('中央政治局')")
    phone.click("button:has-text('提交答案')")
    error = phone.locator(".practice-error")
    error.wait_for(state="visible")
    assert "网络连接失败" in error.text_content()
    assert phone.is_checked("label.option:has-text('中央政治局') input")
    assert db.session.scalar(select(func.count()).select_from(WrongAnswer)) == 0

    phone.unroute("**/practice/api/**")
    phone.click("button:has-text('重新提交')")
    feedback = phone.locator(".feedback")
    feedback.wait_for()
    text = feedback.text_content()
    assert "回答错误" in text and "正确答案：B" in text and "已记入错题本" in text
    assert "第1题的解析" in text and "《中国共产党章程》第十条" in text
    assert error.is_hidden()
    assert "is-right" in phone.get_attribute(
        "label.option:has-text('它所产生的中央委员会')", "class"
    )
    assert "is-wrong" in phone.get_attribute("label.option:has-text('中央政治局')", "class")
    assert phone.is_disabled("label.option:has-text('中央政治局') input")
    assert phone.text_content("[data-next]") == "下一题"
    assert _fits_phone_width(phone)
    assert phone.dialogs == []

    db.session.expire_all()
    assert db.session.get(WrongAnswer, (org.m1.id, question.id)).wrong_count == 1

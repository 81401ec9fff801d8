"""How an attempt ends (本人交卷, 时间已到, 切屏达到上限, 测试结束自动交卷), the quiz's 切屏 policy
(不记录, 只记录不交卷, 达到 N 次自动交卷), and time on the member's pages: the closing time
instead of a days-long countdown, no 继续答题 after the deadline."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quizapp import db
from quizapp.attempts import autosave, services
from quizapp.auth.session_ref import SessionRef
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import LeavePolicy, Quiz
from tests.factories import NOW, fresh, make_quiz, quiz_form


@pytest.fixture()
def bank_size() -> int:
    return 2


def _quiz(org, bank, **options):
    """Two questions (single 2 points, true/false 1 point), open from NOW - 1 h for 3 h."""
    questions = [bank["single"][0], bank["truefalse"][0]]
    return make_quiz(org.admin, [org.u1], questions=questions, **options)


def _start(member, quiz, at=NOW) -> Attempt:
    attempt, _ = services.start_attempt(member, quiz, at)
    db.session.commit()
    return attempt


def _ended(attempt) -> tuple:
    done = fresh(attempt)
    return done.status, done.end_reason, done.submitted_at


# Why an attempt ended, on every path that ends one


def test_the_member_pressing_submit_is_recorded_as_such(org, bank):
    attempt = _start(org.m1, _quiz(org, bank, time_limit_minutes=10))
    services.submit_attempt(attempt, NOW + timedelta(minutes=3))
    db.session.commit()
    assert _ended(attempt) == ("submitted", "member", NOW + timedelta(minutes=3))
    assert not fresh(attempt).auto_submitted


def test_the_time_limit_running_out_is_time_up_on_every_server_path(org, bank, make_member):
    quiz = _quiz(org, bank, time_limit_minutes=10)
    deadline = NOW + timedelta(minutes=10)
    by_request = _start(org.m1, quiz)  # the next request (here: reading it) submits it
    by_save = _start(org.org1, quiz)
    by_scheduler = _start(make_member("x1", org.b11), quiz)
    late = deadline + timedelta(minutes=1)
    services.get_attempt(org.m1, by_request.id, late)
    with pytest.raises(services.AttemptClosed):
        autosave.save_answer(
            SessionRef(org.org1.id, 1), by_save.id, bank["single"][0].id, 1, 1, late
        )
    assert services.expire_overdue(late) == 1
    db.session.commit()
    for attempt in (by_request, by_save, by_scheduler):
        assert _ended(attempt) == ("submitted", "time_up", deadline)


def test_an_attempt_cut_short_by_the_quiz_closing_is_closed(org, bank):
    untimed = _quiz(org, bank)  # no time limit: the deadline is the close
    timed = _quiz(org, bank, time_limit_minutes=60, title="限时测试")
    late_start = timed.closes_at - timedelta(minutes=20)  # 20 minutes left, not 60
    a = _start(org.m1, untimed)
    b = _start(org.m1, timed, late_start)
    assert fresh(b).deadline_at == timed.closes_at
    assert services.expire_overdue(untimed.closes_at + timedelta(minutes=5)) == 2
    db.session.commit()
    assert _ended(a) == ("submitted", "closed", untimed.closes_at)
    assert _ended(b) == ("submitted", "closed", timed.closes_at)


def test_the_pages_countdown_at_zero_ends_the_attempt_by_time(
    client, auth, org, bank, time_machine
):
    quiz = _quiz(org, bank, time_limit_minutes=10)
    deadline = NOW + timedelta(minutes=10)
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    first = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()["attempt_id"]
    # The page's clock is read to the second: its 0:00 may come a little early.
    time_machine.move_to(deadline - timedelta(seconds=2), tick=False)
    data = client.post(f"/api/attempts/{first}/submit", json={"timed_out": True}).get_json()
    assert (data["status"], data["end_reason"], data["auto_submitted"]) == (
        "submitted",
        "time_up",
        True,
    )
    result = client.get(f"/attempts/{first}/result").get_data(as_text=True)
    assert "时间已到，系统已自动交卷" in result


def test_a_timed_out_claim_long_before_the_deadline_is_the_members_own_submit(
    client, auth, org, bank, time_machine
):
    quiz = _quiz(org, bank, time_limit_minutes=10)
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    attempt_id = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()["attempt_id"]
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    data = client.post(f"/api/attempts/{attempt_id}/submit", json={"timed_out": True})
    assert data.get_json()["end_reason"] == "member"
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "时间已到" not in page


def test_submitting_costs_the_same_statements_whatever_the_reason(org, bank, queries):
    quiz = _quiz(org, bank, time_limit_minutes=10)
    counts = []
    for member, when, reason in (
        (org.m1, NOW + timedelta(minutes=1), "member"),
        (org.org1, NOW + timedelta(minutes=12), "deadline"),
    ):
        attempt = _start(member, quiz)
        autosave.save_answer(SessionRef(member.id, 1), attempt.id, bank["single"][0].id, 0, 1, NOW)
        db.session.commit()
        attempt = fresh(attempt)
        with queries() as statements:
            if reason == "member":
                services.submit_attempt(attempt, when)
            else:
                services.submit_attempt(attempt, when, reason=services.deadline_reason(attempt))
        counts.append(len(statements))
    # Claim, the quiz, the answers, marks, score, the wrong-answer book (read, upsert), refresh.
    assert counts == [8, 8]


# 切屏: the quiz's policy


def test_leaving_is_not_counted_when_the_quiz_does_not_record_it(org, bank):
    attempt = _start(org.m1, _quiz(org, bank))
    assert services.record_leave(attempt, NOW).leave_count == 0


def test_record_only_counts_every_leaving_and_never_submits(org, bank):
    attempt = _start(org.m1, _quiz(org, bank, leave_policy=LeavePolicy.RECORD, leave_limit=2))
    for _ in range(5):
        services.record_leave(attempt, NOW)
    db.session.commit()
    done = fresh(attempt)
    assert (done.status, done.leave_count, done.quiz.leave_limit) == ("in_progress", 5, None)


def test_the_limit_submits_at_n_leavings(client, auth, org, bank, time_machine):
    quiz = _quiz(org, bank, leave_policy=LeavePolicy.SUBMIT, leave_limit=2)
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    attempt_id = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()["attempt_id"]
    once = client.post(f"/api/attempts/{attempt_id}/leave").get_json()
    assert (once["status"], once["leave_count"], once["leave_limit"]) == ("in_progress", 1, 2)
    twice = client.post(f"/api/attempts/{attempt_id}/leave").get_json()
    assert (twice["status"], twice["end_reason"], twice["leave_count"]) == (
        "submitted",
        "leave_limit",
        2,
    )
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "离开答题页面达到 2 次，系统已自动交卷" in page


def test_a_leaving_sent_again_counts_once(client, auth, org, bank, time_machine):
    """The page numbers each leaving (``seq``) and sends one kept offline, or whose reply was
    lost, again: the server counts it once, and a later one still counts."""
    quiz = _quiz(org, bank, leave_policy=LeavePolicy.SUBMIT, leave_limit=3)
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    attempt_id = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()["attempt_id"]
    url = f"/api/attempts/{attempt_id}/leave"
    counts = [client.post(url, json={"seq": seq}).get_json()["leave_count"] for seq in (40, 40)]
    assert counts == [1, 1]
    assert client.post(url, json={"seq": 25}).get_json()["leave_count"] == 1  # older: seen
    later = client.post(url, json={"seq": 90}).get_json()
    assert (later["status"], later["leave_count"]) == ("in_progress", 2)
    assert client.post(url, json={"seq": 0}).status_code == 400
    assert client.post(url, json={"seq": True}).status_code == 400
    last = client.post(url, json={"seq": 120}).get_json()
    assert (last["status"], last["end_reason"], last["leave_count"]) == (
        "submitted",
        "leave_limit",
        3,
    )
    assert client.post(url, json={"seq": 120}).status_code == 409  # its retry: already ended
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).leave_count == 3


def _quiz_form(org, bank, **changes) -> dict:
    key = bank["single"][0].key
    hours = {"opens_at": "2026-11-21T09:00", "closes_at": "2026-11-21T12:00"}
    return quiz_form("切屏测试", str(org.b11.id), key, **hours) | changes


def test_the_quiz_form_says_the_limit_submits_at_n_and_offers_record_only(client, auth, org, bank):
    auth.login("org1")
    page = client.get("/manage/quizzes/new").get_data(as_text=True)
    assert "达到 N 次自动交卷" in page and "只记录不交卷" in page and "超过" not in page
    missing = client.post(
        "/manage/quizzes/new", data=_quiz_form(org, bank, leave_policy="submit")
    ).get_data(as_text=True)
    assert "选择“达到 N 次自动交卷”时请填写切屏次数上限" in missing
    assert db.session.query(Quiz).count() == 0
    saved = client.post(
        "/manage/quizzes/new", data=_quiz_form(org, bank, leave_policy="record", leave_limit="4")
    )
    assert saved.status_code == 302
    quiz = db.session.query(Quiz).one()
    assert (quiz.leave_policy, quiz.leave_limit) == ("record", None)  # no limit without submit
    shown = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "只记录离开答题页面的次数，不交卷" in shown
    client.post(
        f"/manage/quizzes/{quiz.id}/edit",
        data=_quiz_form(org, bank, leave_policy="submit", leave_limit="3"),
    )
    shown = client.get(f"/manage/quizzes/{quiz.id}").get_data(as_text=True)
    assert "达到 3 次自动交卷" in shown


def test_the_attempt_page_sends_leavings_only_when_the_quiz_records_them(
    client, auth, org, bank, time_machine
):
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    for policy, limit, attr in (
        (LeavePolicy.OFF, None, 'data-leave-policy="off"'),
        (LeavePolicy.RECORD, None, 'data-leave-policy="record"'),
        (LeavePolicy.SUBMIT, 3, 'data-leave-limit="3"'),
    ):
        quiz = _quiz(org, bank, leave_policy=policy, leave_limit=limit, title=f"切屏{policy}")
        start = client.post(f"/quizzes/{quiz.id}/start")
        assert attr in client.get(start.headers["Location"]).get_data(as_text=True)
        info = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
        assert ("达到 3 次将自动交卷" in info) == (policy == LeavePolicy.SUBMIT)
        assert ("不会因此交卷" in info) == (policy == LeavePolicy.RECORD)


# Time on the member's pages


def test_an_untimed_test_shows_its_closing_time_not_a_countdown(
    client, auth, org, bank, time_machine
):
    time_machine.move_to(NOW, tick=False)
    week = _quiz(org, bank, lasts=timedelta(days=7))  # closes 11-28 09:00 China time
    timed = _quiz(org, bank, time_limit_minutes=30, title="限时测试")
    auth.login("m1")
    page = client.get(client.post(f"/quizzes/{week.id}/start").headers["Location"])
    header = re.search(r'<span class="countdown[^"]*" id="countdown"[^>]*>([^<]*)<', page.text)
    assert header.group(1) == "截止 11月28日 09:00"
    assert "data-closing" in header.group(0)
    page = client.get(client.post(f"/quizzes/{timed.id}/start").headers["Location"])
    header = re.search(r'<span class="countdown[^"]*" id="countdown"[^>]*>([^<]*)<', page.text)
    assert header.group(1) == "--:--" and "data-closing" not in header.group(0)


def test_a_quiz_page_opened_after_the_deadline_never_offers_to_continue(
    client, auth, org, bank, time_machine
):
    quiz = _quiz(org, bank, time_limit_minutes=10, attempts_allowed=2)
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    attempt_id = client.post(f"/quizzes/{quiz.id}/start").headers["Location"].rsplit("/", 1)[1]
    before = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "继续答题" in before
    # Just past the deadline, within the grace the server still takes answers in.
    time_machine.move_to(NOW + timedelta(minutes=10, seconds=5), tick=False)
    page = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "继续答题" not in page and "再答一次" not in page
    assert "第 1 次答题时间已到" in page and "时间已到，待交卷" in page
    assert f'href="/attempts/{attempt_id}/result">交卷并查看成绩' in page
    # The result page only reads: its form submits, by time, as the server would.
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "data-auto-submit" in result
    assert client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    done = db.session.get(Attempt, int(attempt_id))
    db.session.refresh(done)
    assert (done.end_reason, done.submitted_at) == ("time_up", NOW + timedelta(minutes=10))
    assert "时间已到，系统已自动交卷" in client.get(f"/attempts/{attempt_id}/result").text
    after = client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "时间已到" in after and "再答一次（剩余 1 次）" in after

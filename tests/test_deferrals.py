"""缓考 (personal windows), 补考 (extra attempts) and extra time: the rules and the pages."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.attempts import papers, services
from quizapp.deferrals import queries as exc_queries
from quizapp.deferrals import services as exc
from quizapp.deferrals.models import ExceptionStatus, QuizException
from quizapp.deferrals.terms import terms_for
from quizapp.errors import DomainError
from quizapp.notices.models import Notice
from quizapp.practice.queries import get_practisable_question
from quizapp.quizzes.attempt_models import AttemptStatus, EndReason, PreparedPaper
from quizapp.quizzes.models import QuizKind
from tests.factories import NOW, fresh, grant_makeup, make_essay, make_quiz

RULES = [{"type": "single", "count": 2}]
HOUR = timedelta(hours=1)


@pytest.fixture()
def quiz(org, bank):
    """A test of U1 open from NOW-1h to NOW+2h, 30 minutes, one attempt, two fixed questions."""
    return make_quiz(
        org.org1,
        [org.u1],
        questions=[bank["single"][0], bank["truefalse"][0]],
        rules=RULES,
        time_limit_minutes=30,
    )


def _approved(org, quiz, member=None, start=NOW + 3 * HOUR, end=NOW + 27 * HOUR):
    row = exc.request_deferral(member or org.m1, quiz, "duty", "", NOW)
    exc.approve_deferral(org.org1, row, start, end, "", NOW)
    db.session.commit()
    return row


# Asking


def test_request_rules_one_pending_withdraw_and_ask_again(org, quiz):
    with pytest.raises(DomainError, match="请填写缓考原因说明"):
        exc.request_deferral(org.m1, quiz, "other", " ", NOW)
    with pytest.raises(DomainError, match="请选择缓考原因"):
        exc.request_deferral(org.m1, quiz, "sick", "", NOW)
    row = exc.request_deferral(org.m1, quiz, "call_out", "", NOW)
    assert row.reason_label == "出警"
    with pytest.raises(DomainError, match="正在审批中"):
        exc.request_deferral(org.m1, quiz, "duty", "", NOW)
    exc.withdraw_deferral(org.m1, row, NOW)
    assert row.status == ExceptionStatus.WITHDRAWN
    with pytest.raises(DomainError, match="不能撤回"):
        exc.withdraw_deferral(org.m1, row, NOW)
    again = exc.request_deferral(org.m1, quiz, "other", "外出执勤", NOW)
    assert again.reason_label == "其他：外出执勤"


def test_no_request_after_the_close_or_after_handing_in(org, quiz, make_member):
    with pytest.raises(DomainError, match="已经结束"):
        exc.request_deferral(org.m1, quiz, "duty", "", quiz.closes_at)
    attempt, _ = services.start_attempt(org.m1, quiz, NOW)
    # Started but not handed in: still allowed (a call-out in the middle of the exam).
    row = exc.request_deferral(org.m1, quiz, "call_out", "", NOW)
    services.submit_attempt(attempt, NOW)
    with pytest.raises(DomainError, match="已经交卷"):
        exc.approve_deferral(org.org1, row, NOW, NOW + HOUR, "", NOW)
    outsider = make_member("m21", org.b21)
    with pytest.raises(DomainError, match="不在参加范围"):
        exc.request_deferral(outsider, quiz, "duty", "", NOW)


def test_who_decides_owner_and_above_never_another_subtree(org, quiz):
    row = exc.request_deferral(org.m1, quiz, "duty", "", NOW)
    with pytest.raises(DomainError):
        exc.approve_deferral(org.org2, row, NOW, NOW + HOUR, "", NOW)
    with pytest.raises(DomainError, match="结束时间必须晚于开始时间"):
        exc.approve_deferral(org.admin, row, NOW + HOUR, NOW, "", NOW)
    with pytest.raises(DomainError, match="理由"):
        exc.refuse_deferral(org.admin, row, "", NOW)
    exc.refuse_deferral(org.admin, row, "考试当天不值班", NOW)
    assert (row.status, row.decided_by_id) == (ExceptionStatus.REFUSED, org.admin.id)
    notice = db.session.scalar(select(Notice).where(Notice.member_id == org.m1.id))
    assert "未获批准" in notice.title and "考试当天不值班" in notice.body


# Sitting in the personal window


def test_approved_member_sits_in_the_personal_window_only(org, quiz):
    _approved(org, quiz)
    quiz = fresh(quiz)
    assert quiz.has_member_exceptions
    notice = db.session.scalar(select(Notice).where(Notice.member_id == org.m1.id))
    assert "已批准" in notice.title
    # The regular window no longer applies to them; the personal one does, after the close.
    with pytest.raises(DomainError, match="尚未开始"):
        services.start_attempt(org.m1, quiz, NOW)
    later = NOW + 4 * HOUR
    assert later > quiz.closes_at
    attempt, created = services.start_attempt(org.m1, quiz, later)
    assert created and attempt.deadline_at == later + timedelta(minutes=30)
    services.submit_attempt(attempt, NOW + 5 * HOUR, reason=services.deadline_reason(attempt))
    assert attempt.end_reason == EndReason.TIME_UP
    with pytest.raises(DomainError, match="已经结束"):
        services.start_attempt(org.m1, quiz, NOW + 28 * HOUR)


def test_the_personal_window_end_cuts_the_deadline(org, quiz):
    _approved(org, quiz, start=NOW + 3 * HOUR, end=NOW + 3 * HOUR + timedelta(minutes=10))
    attempt, _ = services.start_attempt(org.m1, fresh(quiz), NOW + 3 * HOUR)
    assert attempt.deadline_at == NOW + 3 * HOUR + timedelta(minutes=10)
    assert services.deadline_reason(attempt) == EndReason.CLOSED


def test_a_deferred_sitting_draws_a_fresh_paper_not_the_prepared_one(org, quiz, monkeypatch):
    papers.prepare_papers(NOW - 2 * HOUR, rng=random.Random(1))
    db.session.commit()
    assert db.session.get(PreparedPaper, (quiz.id, org.m1.id)) is not None
    _approved(org, quiz, start=NOW, end=NOW + 5 * HOUR)
    drawn = []
    original = papers.draw_now
    monkeypatch.setattr(papers, "draw_now", lambda q, rng: drawn.append(q.id) or original(q, rng))

    services.start_attempt(org.m1, fresh(quiz), NOW)

    assert drawn == [quiz.id]
    # The prepared paper was left alone, not handed out.
    assert db.session.get(PreparedPaper, (quiz.id, org.m1.id)) is not None


def test_makeup_adds_attempts_and_a_window_after_the_close(org, quiz):
    attempt, _ = services.start_attempt(org.m1, quiz, NOW)
    services.submit_attempt(attempt, NOW)
    after = quiz.closes_at + HOUR
    with pytest.raises(DomainError, match="已经结束"):
        services.start_attempt(org.m1, quiz, after)
    with pytest.raises(DomainError, match="原因"):
        grant_makeup(org.org1, quiz, org.m1, "", NOW)
    # A window of its own, but no attempts to sit in it.
    window = {"opens_at": after, "closes_at": after + HOUR}
    with pytest.raises(DomainError, match="请同时填写补考次数"):
        grant_makeup(org.org1, quiz, org.m1, "补考", NOW, attempts=None, minutes=5, **window)
    window = {"opens_at": after - timedelta(minutes=30), "closes_at": after + 2 * HOUR}
    rows = grant_makeup(org.org1, quiz, org.m1, "首次考试断网", NOW, minutes=15, **window)
    db.session.commit()
    assert [r.kind for r in rows] == ["makeup", "extra_time"]
    assert all(r.decided_by_id == org.org1.id and r.reason_text == "首次考试断网" for r in rows)
    second, created = services.start_attempt(org.m1, fresh(quiz), after)
    assert created and second.number == 2
    assert second.deadline_at == after + timedelta(minutes=45)
    services.submit_attempt(second, after)
    with pytest.raises(DomainError, match="用完全部 2 次"):
        services.start_attempt(org.m1, fresh(quiz), after)


def test_extra_time_needs_a_time_limit(org, bank):
    untimed = make_quiz(org.org1, [org.u1], rules=RULES)
    with pytest.raises(DomainError, match="不限答题时长"):
        grant_makeup(org.org1, untimed, org.m1, "视力不好", NOW, attempts=None, minutes=10)


def test_a_start_without_exceptions_looks_none_up(org, quiz, queries):
    member, quiz = org.m1, fresh(quiz)
    _ = member.branch.path, quiz.audience_id
    with queries() as statements:
        services.start_attempt(member, quiz, NOW)
    assert not any("quiz_exceptions" in s for s in statements)


# What a deferred member may not see


def test_a_deferred_member_cannot_practise_what_others_sat(org, bank, make_member):
    exam = make_quiz(
        org.org1,
        [org.u1],
        questions=[bank["single"][0]],
        rules=RULES,
        kind=QuizKind.EXAM,
        time_limit_minutes=30,
    )
    other = make_member("m12", org.b12)
    taken, _ = services.start_attempt(other, exam, NOW)
    services.submit_attempt(taken, NOW)
    seen = {a.question_id for a in taken.answers}
    unseen = bank["truefalse"][2]
    # Released to practice after the close: the others may practise them...
    exam.practice_released_at = exam.closes_at
    from quizapp.quizzes.reservations import unreserve

    unreserve(exam)
    db.session.commit()
    assert all(get_practisable_question(org.m1, q) for q in seen)
    # ...not the member whose 缓考 is pending or approved and not yet sat.
    row = exc.request_deferral(org.m1, exam, "duty", "", NOW)
    db.session.commit()
    assert not any(get_practisable_question(org.m1, q) for q in seen)
    assert get_practisable_question(org.m1, unseen.id) is not None
    exc.approve_deferral(org.org1, row, NOW + 4 * HOUR, NOW + 30 * HOUR, "", NOW)
    db.session.commit()
    assert not any(get_practisable_question(org.m1, q) for q in seen)
    assert all(get_practisable_question(other, q) for q in seen)
    mine, _ = services.start_attempt(org.m1, fresh(exam), NOW + 5 * HOUR)
    services.submit_attempt(mine, NOW + 5 * HOUR)
    db.session.commit()
    assert all(
        get_practisable_question(org.m1, q) for q in seen - {a.question_id for a in mine.answers}
    )


# States for reports


def test_states_say_deferred_until_the_window_ends(org, quiz):
    _approved(org, quiz)
    found = exc_queries.states([quiz.id], [org.m1.id], NOW)
    state = found[(quiz.id, org.m1.id)]
    assert state.label == "缓考" and state.deferred and "值班" in state.detail
    assert not exc_queries.states([quiz.id], [org.m1.id], NOW + 27 * HOUR)[
        (quiz.id, org.m1.id)
    ].deferred


# Pages


@pytest.fixture()
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_member_asks_organiser_approves_member_starts_later(org, quiz, client, auth, frozen):
    auth.login("m1")
    page = client.get(f"/quizzes/{quiz.id}")
    assert "申请缓考" in page.text
    form = client.get(f"/quizzes/{quiz.id}/deferral")
    assert form.status_code == 200 and "缓考原因" in form.text
    sent = client.post(
        f"/quizzes/{quiz.id}/deferral", data={"reason": "other", "text": ""}, follow_redirects=True
    )
    assert "选择“其他”时必填" in sent.text or "请填写缓考原因说明" in sent.text
    sent = client.post(
        f"/quizzes/{quiz.id}/deferral",
        data={"reason": "duty", "text": "夜班"},
        follow_redirects=True,
    )
    assert "缓考申请已提交" in sent.text and "待审批" in sent.text
    auth.logout()

    auth.login("org1")
    assert "1 条缓考申请待审批" in client.get("/manage/").text
    pending = client.get("/manage/deferrals/")
    assert "普通党员" in pending.text and "值班：夜班" in pending.text
    row = db.session.scalar(select(QuizException))
    bad = client.post(
        f"/manage/deferrals/{row.id}/approve",
        data={"opens_at": "2026-11-22T09:00", "closes_at": "2026-11-22T08:00"},
        follow_redirects=True,
    )
    assert "结束时间必须晚于开始时间" in bad.text
    ok = client.post(
        f"/manage/deferrals/{row.id}/approve",
        data={"opens_at": "2026-11-22T09:00", "closes_at": "2026-11-22T18:00"},
        follow_redirects=True,
    )
    assert "已批准缓考" in ok.text
    assert "已批准" in client.get(f"/manage/deferrals/quizzes/{quiz.id}").text
    auth.logout()

    auth.login("m1")
    page = client.get(f"/quizzes/{quiz.id}")
    assert "个人考试时间 2026-11-22 09:00 至 2026-11-22 18:00" in page.text
    assert "开始答题" not in page.text
    assert "将于 2026-11-22 09:00 开始" in page.text


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("refuse", {"note": ""}, "请填写不批准的理由。"),
        ("refuse", {"note": "长" * 201}, "不批准的理由不能超过 200 字。"),
        (
            "approve",
            {"opens_at": "2026-11-22T09:00", "closes_at": "2026-11-22T18:00", "note": "长" * 201},
            "备注不能超过 200 字。",
        ),
        ("grant", {"login_id": "", "attempts": "1", "reason": "补考"}, "请填写警号或手机号。"),
        ("grant", {"login_id": "m1", "attempts": "1", "reason": ""}, "请填写原因。"),
        (
            "grant",
            {"login_id": "m1", "attempts": "1", "reason": "长" * 201},
            "原因不能超过 200 字。",
        ),
    ],
)
def test_organiser_forms_refuse_in_the_house_wording(
    org, quiz, client, auth, frozen, action, data, message
):
    row = exc.request_deferral(org.m1, quiz, "duty", "", NOW)
    db.session.commit()
    auth.login("org1")
    url = (
        f"/manage/deferrals/quizzes/{quiz.id}/grant"
        if action == "grant"
        else f"/manage/deferrals/{row.id}/{action}"
    )
    page = client.post(url, data=data, follow_redirects=True)
    assert message in page.text
    assert fresh(row).is_pending and db.session.scalar(select(func.count(QuizException.id))) == 1


def test_a_members_long_explanation_is_refused_in_the_house_wording(
    org, quiz, client, auth, frozen
):
    auth.login("m1")
    page = client.post(
        f"/quizzes/{quiz.id}/deferral",
        data={"reason": "other", "text": "长" * 201},
        follow_redirects=True,
    )
    assert "说明不能超过 200 字。" in page.text
    assert db.session.scalar(select(func.count(QuizException.id))) == 0


def test_organiser_grants_a_makeup_by_login_id(org, quiz, client, auth, frozen):
    auth.login("org1")
    page = client.get(f"/manage/quizzes/{quiz.id}")
    assert f"/manage/deferrals/quizzes/{quiz.id}" in page.text
    missing = client.post(
        f"/manage/deferrals/quizzes/{quiz.id}/grant",
        data={"login_id": "nobody", "attempts": "1", "reason": "补考"},
        follow_redirects=True,
    )
    assert "没有找到警号或手机号为 nobody" in missing.text
    # Someone of another unit is "not found" too: the form never tells who exists elsewhere.
    elsewhere = client.post(
        f"/manage/deferrals/quizzes/{quiz.id}/grant",
        data={"login_id": org.org2.login_id, "attempts": "1", "reason": "补考"},
        follow_redirects=True,
    )
    assert f"没有找到警号或手机号为 {org.org2.login_id}" in elsewhere.text
    assert "参加范围" not in elsewhere.text
    done = client.post(
        f"/manage/deferrals/quizzes/{quiz.id}/grant",
        data={"login_id": org.m1.login_id, "attempts": "2", "reason": "系统故障"},
        follow_redirects=True,
    )
    assert "已为 普通党员 登记" in done.text and "系统故障" in done.text
    assert fresh(quiz).has_member_exceptions


def test_other_subtree_and_members_get_404_or_403(org, quiz, client, auth, frozen):
    row = exc.request_deferral(org.m1, quiz, "duty", "", NOW)
    db.session.commit()
    auth.login("org2")
    assert client.get(f"/manage/deferrals/quizzes/{quiz.id}").status_code == 404
    assert client.post(f"/manage/deferrals/{row.id}/refuse", data={"note": "x"}).status_code == 404
    assert "一分局" not in client.get("/manage/deferrals/").text
    auth.switch_to("m1")
    assert client.get("/manage/deferrals/").status_code == 403
    auth.logout()
    auth.login("org1")  # not the member's own request
    assert client.post(f"/deferrals/{row.id}/withdraw").status_code == 404


# Reports: participation, results, exports, the 台账


@pytest.fixture()
def deferred(org, quiz):
    """m1 on 缓考 (值班, window NOW+3h..NOW+27h); org1 sat the quiz (both in B11)."""
    _approved(org, quiz)
    sat, _ = services.start_attempt(org.org1, fresh(quiz), NOW)
    services.submit_attempt(sat, NOW)
    db.session.commit()
    return fresh(quiz)


def _b11(report, org):
    return next(row for row in report.rows if row.branch.id == org.b11.id)


def test_participation_counts_deferred_not_absent_until_the_window_ends(org, deferred):
    from quizapp.participation.queries import participation

    day = NOW.date()
    report = participation(org.admin, deferred, day, day, NOW + 4 * HOUR, detail=True)
    row = _b11(report, org)
    assert (row.eligible, row.participants, row.deferred) == (2, 1, 1)
    assert report.top.deferred == 1
    assert report.headings["deferred"] == "缓考人数"
    assert any(term.startswith("缓考人数") for term, _ in report.definitions)
    line = next(line for line in report.members if line.member_id == org.m1.id)
    assert line.deferred and line.state == "缓考" and not line.participated
    assert "缓考（值班）" in line.missing[0] and "个人考试时间" in line.missing[0]
    later = participation(org.admin, deferred, day, day, NOW + 28 * HOUR, detail=True)
    assert _b11(later, org).deferred == 0
    line = next(line for line in later.members if line.member_id == org.m1.id)
    assert not line.deferred and line.missing == ["未交卷"] and line.state == "缓考"


def test_a_quiz_without_exceptions_has_no_deferred_column(org, quiz):
    from quizapp.participation.queries import participation

    report = participation(org.admin, quiz, NOW.date(), NOW.date(), NOW)
    assert "deferred" not in report.headings and report.top.deferred is None


def test_pages_and_exports_show_the_states(org, deferred, client, auth, time_machine):
    time_machine.move_to(NOW + 4 * HOUR, tick=False)
    grant_makeup(org.org1, deferred, org.org1, "网络故障", NOW)
    db.session.commit()
    auth.login("admin")
    base = f"/manage/participation/quizzes/{deferred.id}"
    page = client.get(base).text
    assert 'data-key="deferred"' in page and "缓考人数" in page
    csv = client.get(f"{base}/export.csv").get_data().decode("utf-8-sig")
    assert "缓考/补考" in csv and "缓考（值班）" in csv and ",补考," in csv
    results = client.get(f"/manage/results/quizzes/{deferred.id}").text
    assert "缓考（值班）" in results and "补考 1 次（网络故障）" in results
    import io

    import openpyxl

    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/manage/results/quizzes/{deferred.id}/export.xlsx").data)
    )
    cells = [str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r]
    assert "缓考/补考" in cells and any(c.startswith("缓考（值班）") for c in cells)
    assert "缓考" in cells  # the member's 状态: not 未参加


def test_the_ledger_says_who_is_deferred_and_why(org, deferred):
    from quizapp.ledger import docx
    from quizapp.ledger.queries import ledger

    book = ledger(org.admin, org.b11, NOW.date(), NOW.date(), NOW + 4 * HOUR)
    (table,) = [t for t in docx.tables(book.sections[0]) if t.title == "三、测试考试"]
    row = next(r for r in table.rows if r[1] == org.m1.name)
    assert row[2] == "缓考" and row[3].startswith("缓考（值班）")


def test_home_and_the_quiz_list_follow_the_personal_window(org, quiz, client, auth, time_machine):
    from quizapp.attempts.queries import list_member_quizzes

    _approved(org, quiz)  # the personal window: NOW+3h to NOW+27h
    task = "参加测试：纪律处分条例测试"
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    assert task not in client.get("/").text  # the quiz is open, but not for them
    assert [c.quiz.id for c in list_member_quizzes(org.m1, NOW)["upcoming"]] == [quiz.id]
    time_machine.move_to(NOW + 4 * HOUR, tick=False)  # the quiz closed; their window is open
    assert task in client.get("/").text
    assert [c.quiz.id for c in list_member_quizzes(org.m1, NOW + 4 * HOUR)["open"]] == [quiz.id]
    assert list_member_quizzes(org.org1, NOW + 4 * HOUR)["closed"][0].quiz.id == quiz.id


def test_the_job_tells_members_their_window_opened_once(org, quiz):
    from quizapp.scheduler.jobs import notify_personal_windows

    _approved(org, quiz)  # approved at NOW for NOW+3h..NOW+27h
    assert notify_personal_windows(NOW + 2 * HOUR) == "0 personal window notices sent"
    assert notify_personal_windows(NOW + 3 * HOUR) == "1 personal window notices sent"
    assert notify_personal_windows(NOW + 4 * HOUR) == "0 personal window notices sent"
    titles = list(db.session.scalars(select(Notice.title).where(Notice.member_id == org.m1.id)))
    assert "缓考考试时间已开始：纪律处分条例测试" in titles


def test_no_approval_while_the_member_is_answering(org, quiz):
    row = exc.request_deferral(org.m1, quiz, "call_out", "", NOW)
    services.start_attempt(org.m1, quiz, NOW)
    with pytest.raises(DomainError, match="正在答题"):
        exc.approve_deferral(org.org1, row, NOW + HOUR, NOW + 2 * HOUR, "", NOW)


def test_a_start_racing_the_approval_gets_no_deferred_sitting(
    app, org, bank, client, auth, time_machine, monkeypatch
):
    """The approval's checks read no attempt; the member's start, which read no approved
    缓考, commits; then the approval commits. The member sat in the regular window: the 缓考
    lapses (no personal window after the close, no second paper after their review), and
    both sides see it so."""
    time_machine.move_to(NOW, tick=False)
    quiz = make_quiz(org.org1, [org.u1], rules=RULES, time_limit_minutes=30, attempts_allowed=2)
    row = exc.request_deferral(org.m1, quiz, "duty", "", NOW)
    db.session.commit()
    auth.login("m1")
    organiser = app.test_client()
    organiser.post("/login", data={"login_id": "org1", "password": "Passw0rd!"})
    started = []
    read = exc._attempts

    def read_then_start(quiz_, member_id, status):
        found = read(quiz_, member_id, status)
        if status == AttemptStatus.IN_PROGRESS and not started:
            started.append(client.post(f"/api/quizzes/{quiz.id}/attempts"))
        return found

    monkeypatch.setattr(exc, "_attempts", read_then_start)
    # The personal window: 14:00 (NOW+4h, after the quiz's close at 12:00) to 14:00 next day.
    window = {"opens_at": "2026-11-21T14:00", "closes_at": "2026-11-22T14:00"}
    approved = organiser.post(
        f"/manage/deferrals/{row.id}/approve", data=window, follow_redirects=True
    )
    assert started[0].status_code == 201 and "已批准缓考" in approved.text
    monkeypatch.undo()
    first = started[0].get_json()["attempt_id"]
    assert client.post(f"/api/attempts/{first}/submit").status_code == 200

    # Both sides see a 缓考 that did not take effect; reports do not count it.
    assert "未生效" in organiser.get(f"/manage/deferrals/quizzes/{quiz.id}").text
    assert "未生效" in client.get(f"/quizzes/{quiz.id}/deferral").text
    assert "个人考试时间" not in client.get(f"/quizzes/{quiz.id}").text
    assert exc_queries.states([quiz.id], [org.m1.id], NOW) == {}
    # Their second attempt stays in the regular window; none after it, in the 缓考's.
    time_machine.move_to(NOW + 5 * HOUR, tick=False)
    late = client.post(f"/api/quizzes/{quiz.id}/attempts")
    assert late.status_code == 400 and "已经结束" in late.get_json()["message"]


def test_a_raced_deferral_lapses_only_if_its_window_opened_after_the_start(
    org, quiz, make_member, monkeypatch
):
    """As the race leaves it (the approval's checks read no attempt, the start committed
    first): a window opening after the member began gives nothing; one already open when
    they began is the window they sat in, so the 缓考 stands and the attempts are shared."""
    early = make_member("m12", org.b12)
    rows = [exc.request_deferral(m, quiz, "duty", "", NOW) for m in (org.m1, early)]
    for member in (org.m1, early):
        services.start_attempt(member, quiz, NOW)
    monkeypatch.setattr(exc, "_attempts", lambda *args: 0)
    exc.approve_deferral(org.org1, rows[0], NOW + 3 * HOUR, NOW + 27 * HOUR, "", NOW)
    exc.approve_deferral(org.org1, rows[1], NOW - HOUR / 2, NOW + 27 * HOUR, "", NOW)
    db.session.commit()
    quiz = fresh(quiz)

    assert terms_for(quiz, org.m1.id).deferral is None
    assert terms_for(quiz, early.id).deferral == rows[1]
    assert set(exc_queries.states([quiz.id], [org.m1.id, early.id], NOW)) == {(quiz.id, early.id)}
    assert [r.is_lapsed for r in exc_queries.list_for_quiz(quiz)] == [False, True]


def test_the_quiz_list_card_shows_the_personal_window_in_one_lookup(
    org, quiz, bank, client, auth, time_machine, queries
):
    from quizapp.attempts.queries import list_member_quizzes
    from quizapp.clock import format_datetime

    _approved(org, quiz)  # the personal window: NOW+3h to NOW+27h
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    listing = client.get("/quizzes").text
    assert f"{format_datetime(NOW + 3 * HOUR)} 开始" in listing and "缓考" in listing
    assert format_datetime(quiz.closes_at) not in listing  # not the quiz's own dates
    time_machine.move_to(NOW + 4 * HOUR, tick=False)  # their window is open
    listing = client.get("/quizzes").text
    assert f"{format_datetime(NOW + 27 * HOUR)} 截止 · 限时 30 分钟" in listing
    # One lookup of exceptions for the whole list, however many cards have them.
    with queries() as one:
        list_member_quizzes(org.m1, NOW)
    other = make_quiz(org.org1, [org.u1], questions=[bank["single"][0]], title="第二场")
    _approved(org, other)
    with queries() as two:
        cards = list_member_quizzes(org.m1, NOW)["upcoming"]
    assert len(two) == len(one) and {c.quiz.id for c in cards} == {quiz.id, other.id}
    assert all(c.opens_at == NOW + 3 * HOUR for c in cards)


@pytest.fixture()
def campaign(org, quiz):
    """A published campaign of B11 over NOW's day and the week after: sit ``quiz``."""
    from quizapp.campaigns import services as campaigns

    day = NOW.date()
    campaign = campaigns.save_campaign(
        org.org1,
        campaigns.CampaignData(
            title="缓考专题", starts_on=day, ends_on=day + timedelta(days=7),
            quizzes=[(quiz, False)], branches=[org.b11],
        ),
    )  # fmt: skip
    campaigns.set_published(org.org1, campaign, True)
    db.session.commit()
    return campaign


def test_a_campaign_shows_an_approved_deferral_as_such_not_as_not_done(
    org, quiz, campaign, client, auth, time_machine
):
    from quizapp.campaigns.progress import progress
    from quizapp.clock import china_today
    from quizapp.participation.queries import participation

    day = NOW.date()
    assert progress(org.m1, campaign, day, NOW).items[0].state == "absent"
    _approved(org, quiz)  # the personal window: NOW+3h to NOW+27h
    item = progress(org.m1, campaign, day, NOW).items[0]
    assert item.state == "deferred" and not item.met and item.detail.startswith("缓考（值班）")
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    page = client.get(f"/campaigns/{campaign.id}").text
    assert "quiz-state-deferred" in page and "缓考（值班）" in page
    report = participation(org.org1, campaign, day, day, NOW, detail=True)
    (line,) = [line for line in report.members if line.name == org.m1.name]
    assert not line.completed and line.missing[0].startswith(f"{quiz.title}：缓考（值班）")
    # Once the personal window has ended unsat, it is simply not done again.
    later = NOW + 28 * HOUR
    assert progress(org.m1, campaign, china_today(later), later).items[0].state == "absent"
    report = participation(org.org1, campaign, day, day, later, detail=True)
    (line,) = [line for line in report.members if line.name == org.m1.name]
    assert line.missing == [f"{quiz.title}：未参加"]


def test_a_campaign_reminder_skips_a_member_lacking_only_a_deferred_quiz(
    org, quiz, campaign, client, auth, time_machine
):
    from quizapp.participation.queries import participation
    from quizapp.participation.services import send_reminders

    day = NOW.date()
    _approved(org, quiz)  # m1's personal window: NOW+3h to NOW+27h; org1 has not sat
    time_machine.move_to(NOW, tick=False)
    auth.login("org1")
    page = client.get(f"/manage/participation/campaigns/{campaign.id}/branches/{org.b11.id}").text
    assert "发送提醒（1 人）" in page and "另有 1 人只差获准缓考的测试" in page
    assert "账号已停用" not in page
    report = participation(org.org1, campaign, day, day, NOW, detail=True)
    assert send_reminders(org.org1, report, NOW).sent == 1
    reminded = db.session.scalars(select(Notice.member_id).where(Notice.kind == "reminder"))
    assert set(reminded) == {org.org1.id}
    # Once the personal window has ended unsat, m1 is reminded like anyone else.
    later = NOW + 28 * HOUR
    report = participation(org.org1, campaign, day, day, later, detail=True)
    assert send_reminders(org.org1, report, later).sent == 2


# A personal window comes after the quiz opens; a refused form keeps what was typed

DAY = timedelta(days=1)


@pytest.fixture()
def upcoming(org, bank):
    """A test of U1 opening in three days: 2026-11-24 10:00 to 13:00 China time."""
    return make_quiz(org.org1, [org.u1], questions=[bank["single"][0]], opens_in=3 * DAY)


def _section(page: str, exception_id: int) -> str:
    """The part of a list page (a <section>) holding the forms of one request."""
    found = [s for s in page.split("<section") if f"/deferrals/{exception_id}/approve" in s]
    assert len(found) == 1
    return found[0]


def _value(html: str, input_id: str) -> str:
    match = re.search(rf'<input[^>]*id="{input_id}"[^>]*>', html)
    assert match is not None, input_id
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_a_personal_window_may_not_open_before_the_quiz(org, upcoming):
    row = exc.request_deferral(org.m1, upcoming, "duty", "", NOW)
    too_early = "开始时间不能早于本测试的开始时间 2026-11-24 10:00"
    with pytest.raises(DomainError, match=too_early):
        exc.approve_deferral(org.org1, row, NOW, NOW + 7 * DAY, "", NOW)
    with pytest.raises(DomainError, match=too_early):
        grant_makeup(org.org1, upcoming, org.m1, "补考", NOW, opens_at=NOW, closes_at=NOW + DAY)
    # From the quiz's opening on, both are fine.
    opening = upcoming.opens_at
    grant_makeup(org.org1, upcoming, org.m1, "补考", NOW, opens_at=opening, closes_at=opening + DAY)
    exc.approve_deferral(org.org1, row, opening, opening + DAY, "", NOW)
    assert row.status == ExceptionStatus.APPROVED


def test_the_approval_offers_a_week_from_the_quizs_close(org, upcoming, client, auth, frozen):
    row = exc.request_deferral(org.m1, upcoming, "duty", "", NOW)
    db.session.commit()
    auth.login("org1")
    for page in (
        client.get("/manage/deferrals/"),
        client.get(f"/manage/deferrals/quizzes/{upcoming.id}"),
    ):
        form = _section(page.text, row.id)
        assert _value(form, f"opens-{row.id}") == "2026-11-24T13:00"  # the quiz's close
        assert _value(form, f"closes-{row.id}") == "2026-12-01T13:00"
    # 确认批准 pressed as offered: a window after the quiz's own, never before it opens.
    sent = client.post(
        f"/manage/deferrals/{row.id}/approve",
        data={"opens_at": "2026-11-24T13:00", "closes_at": "2026-12-01T13:00", "back": "pending"},
    )
    assert sent.status_code == 302
    assert fresh(row).window_opens_at == upcoming.closes_at
    with pytest.raises(DomainError, match="尚未开始"):
        services.start_attempt(org.m1, fresh(upcoming), upcoming.opens_at)


def test_a_refused_approval_shows_that_requests_form_as_typed(
    org, upcoming, client, auth, frozen, make_member
):
    other = exc.request_deferral(make_member("m2", org.b12), upcoming, "call_out", "", NOW)
    row = exc.request_deferral(org.m1, upcoming, "duty", "", NOW)
    db.session.commit()
    auth.login("org1")
    typed = {"opens_at": "2026-11-22T09:00", "closes_at": "2026-11-29T09:00", "note": "先考"}
    page = client.post(f"/manage/deferrals/{row.id}/approve", data=typed | {"back": "pending"})
    assert page.status_code == 200
    mine, theirs = _section(page.text, row.id), _section(page.text, other.id)
    assert '<details class="confirm confirm-ok" open>' in mine
    assert "开始时间不能早于本测试的开始时间 2026-11-24 10:00" in mine
    assert (_value(mine, f"opens-{row.id}"), _value(mine, f"note-{row.id}")) == (
        "2026-11-22T09:00",
        "先考",
    )
    # The other request's form is closed, with the offered window and no error.
    assert "<details" in theirs and " open>" not in theirs and "不能早于本测试" not in theirs
    assert _value(theirs, f"opens-{other.id}") == "2026-11-24T13:00"
    assert fresh(row).is_pending

    # A field left empty: its error beside it, on the quiz's page it was posted from.
    page = client.post(
        f"/manage/deferrals/{row.id}/approve", data={"opens_at": "2026-11-25T09:00", "note": "先考"}
    )
    mine = _section(page.text, row.id)
    assert page.status_code == 200 and "缓考与补考" in page.text
    assert re.search(rf'has-error">\s*<label[^>]*for="closes-{row.id}"', mine)
    assert "请填写结束时间。" in mine and _value(mine, f"opens-{row.id}") == "2026-11-25T09:00"
    # Refusing without a reason opens the refusal, not the approval.
    page = client.post(f"/manage/deferrals/{row.id}/refuse", data={"note": ""})
    mine = _section(page.text, row.id)
    assert '<details class="confirm" open>' in mine and 'confirm-ok" open' not in mine
    assert "请填写不批准的理由。" in mine


def test_a_refused_grant_keeps_what_was_typed(org, quiz, client, auth, frozen):
    auth.login("org1")
    typed = {"login_id": "nobody", "attempts": "2", "reason": "首次考试断网"}
    page = client.post(f"/manage/deferrals/quizzes/{quiz.id}/grant", data=typed)
    assert page.status_code == 200
    field = re.search(r'<div class="field has-error">(.*?)</div>', page.text, re.S)
    assert field and 'name="login_id"' in field.group(1)
    assert "没有找到警号或手机号为 nobody 的在用账号。" in field.group(1)
    assert 'value="nobody"' in page.text and 'value="首次考试断网"' in page.text
    assert 'value="2"' in page.text
    # The service's refusal (a 补考 window before the quiz opened) stays with the form too.
    early = typed | {
        "login_id": "m1",
        "opens_at": "2026-11-20T09:00",
        "closes_at": "2026-11-22T09:00",
    }
    page = client.post(f"/manage/deferrals/quizzes/{quiz.id}/grant", data=early)
    assert page.status_code == 200 and "开始时间不能早于本测试的开始时间" in page.text
    assert 'value="2026-11-20T09:00"' in page.text and 'value="首次考试断网"' in page.text
    assert db.session.scalar(select(func.count(QuizException.id))) == 0


# No 缓考 offered once a paper is handed in


@pytest.mark.parametrize("essay", [False, True], ids=["scored", "marking"])
def test_no_deferral_is_offered_after_handing_in(org, bank, client, auth, frozen, essay):
    questions = [bank["single"][0], *([make_essay(org.admin)] if essay else [])]
    quiz = make_quiz(org.org1, [org.u1], questions=questions)
    attempt, _ = services.start_attempt(org.m1, quiz, NOW)
    for answer in fresh(attempt).answers:
        answer.response = "我的回答" if answer.question.type == "essay" else None
    services.submit_attempt(attempt, NOW)
    db.session.commit()
    assert fresh(attempt).status == (AttemptStatus.MARKING if essay else AttemptStatus.SUBMITTED)
    auth.login("m1")
    page = client.get(f"/quizzes/{quiz.id}").text
    assert "您已用完全部答题机会" in page and "申请缓考" not in page
    form = client.get(f"/quizzes/{quiz.id}/deferral").text
    assert "您已交卷，不能再申请缓考。" in form and "提交申请" not in form


# The quiz moved after an approval: a personal window never opens before the quiz.

DAY = timedelta(days=1)


def _moved_exam(org, bank, window_days):
    """An exam opening at NOW+3d, m1's 缓考 approved from its opening for ``window_days``,
    then the exam moved a week later; returns the quiz as stored and its old opening."""
    from quizapp.quizzes.services import QuizData, save_quiz

    quiz = make_quiz(
        org.org1,
        [org.u1],
        questions=[bank["single"][0]],
        opens_in=3 * DAY,
        kind=QuizKind.EXAM,
        time_limit_minutes=30,
    )
    opening = quiz.opens_at
    row = exc.request_deferral(org.m1, quiz, "duty", "", NOW)
    exc.approve_deferral(org.org1, row, opening, opening + window_days * DAY, "", NOW)
    db.session.commit()
    data = QuizData(
        title=quiz.title,
        opens_at=opening + 7 * DAY,
        closes_at=quiz.closes_at + 7 * DAY,
        kind=QuizKind.EXAM,
        time_limit_minutes=30,
        fixed_questions=[bank["single"][0]],
        branches=[org.u1],
    )
    save_quiz(org.org1, data, fresh(quiz))
    db.session.commit()
    return fresh(quiz), opening


def test_a_window_ended_before_the_moved_quiz_leaves_the_member_the_quiz_s_own(
    org, bank, client, auth, time_machine
):
    quiz, opening = _moved_exam(org, bank, window_days=1)
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    with pytest.raises(DomainError, match="尚未开始"):
        services.start_attempt(org.m1, quiz, opening + HOUR)
    terms = terms_for(quiz, org.m1.id)
    assert terms.windows == [(quiz.opens_at, quiz.closes_at)] and terms.fresh_paper
    for page in (f"/quizzes/{quiz.id}", f"/quizzes/{quiz.id}/deferral"):
        assert "早于调整后的测试时间，请按测试时间参加" in client.get(page).text
    attempt, created = services.start_attempt(org.m1, quiz, quiz.opens_at)
    assert created and attempt.started_at == quiz.opens_at


def test_a_window_overlapping_the_moved_quiz_starts_at_its_opening(
    org, bank, client, auth, time_machine
):
    from quizapp.clock import format_datetime

    quiz, opening = _moved_exam(org, bank, window_days=10)
    end = opening + 10 * DAY
    assert terms_for(quiz, org.m1.id).windows == [(quiz.opens_at, end)]
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    shown = f"{format_datetime(quiz.opens_at)} 至 {format_datetime(end)}"
    assert shown in client.get(f"/quizzes/{quiz.id}").text
    assert shown in client.get(f"/quizzes/{quiz.id}/deferral").text
    assert f"{format_datetime(quiz.opens_at)} 开始" in client.get("/quizzes").text
    assert format_datetime(opening) not in client.get("/quizzes").text
    with pytest.raises(DomainError, match="尚未开始"):
        services.start_attempt(org.m1, quiz, opening + HOUR)
    attempt, _ = services.start_attempt(org.m1, quiz, quiz.opens_at + HOUR)
    assert attempt.deadline_at == quiz.opens_at + HOUR + timedelta(minutes=30)


def test_the_window_notice_waits_for_the_moved_quiz(org, bank):
    from quizapp.deferrals.announce import send_window_notices

    quiz, opening = _moved_exam(org, bank, window_days=10)
    assert send_window_notices(opening + HOUR) == 0
    assert send_window_notices(quiz.opens_at + HOUR) == 1


# Deciding on a request no longer pending


@pytest.mark.parametrize("back", ["pending", "quiz"])
@pytest.mark.parametrize("verb", ["approve", "refuse"])
def test_deciding_a_request_withdrawn_meanwhile_says_so(
    org, quiz, client, auth, time_machine, back, verb
):
    time_machine.move_to(NOW, tick=False)
    row = exc.request_deferral(org.m1, quiz, "duty", "", NOW)
    db.session.commit()
    auth.login("org1")
    assert "批准缓考" in client.get("/manage/deferrals/").text
    exc.withdraw_deferral(org.m1, fresh(row), NOW)  # the member withdraws meanwhile
    db.session.commit()
    sent = client.post(
        f"/manage/deferrals/{row.id}/{verb}",
        data={"opens_at": "2026-11-22T09:00", "closes_at": "2026-11-22T18:00", "back": back},
    )
    assert sent.status_code == 302
    page = client.get(sent.headers["Location"]).text
    assert "该申请已经处理。" in page
    assert fresh(row).status == ExceptionStatus.WITHDRAWN


def test_a_refused_decision_on_a_pending_request_shows_the_form_again(org, quiz, client, auth):
    row = exc.request_deferral(org.m1, quiz, "duty", "", NOW)
    db.session.commit()
    auth.login("org1")
    sent = client.post(f"/manage/deferrals/{row.id}/refuse", data={"note": "", "back": "pending"})
    assert sent.status_code == 200 and "请填写" in sent.text and fresh(row).is_pending


# A lapsed 缓考 on the member's request page


def test_a_lapsed_deferral_is_not_approved_for_the_member(org, quiz, client, auth, time_machine):
    time_machine.move_to(NOW, tick=False)
    row = exc.request_deferral(org.m1, quiz, "duty", "", NOW)
    services.start_attempt(org.m1, quiz, NOW)  # still answering: not handed in
    # approved by a write that raced the start (the approval's own checks would refuse it)
    row.status, row.decided_at = ExceptionStatus.APPROVED.value, NOW
    row.window_opens_at, row.window_closes_at = NOW + 3 * HOUR, NOW + 27 * HOUR
    db.session.commit()
    with pytest.raises(DomainError, match="本次缓考未生效，不能再申请缓考"):
        exc.request_deferral(org.m1, fresh(quiz), "duty", "", NOW)
    auth.login("m1")
    page = client.get(f"/quizzes/{quiz.id}/deferral").text
    assert "不能再申请缓考" in page and "提交申请" not in page
    assert "请按测试原定时间参加" in page
    time_machine.move_to(quiz.closes_at + HOUR, tick=False)
    page = client.get(f"/quizzes/{quiz.id}/deferral").text
    assert "未生效" in page and "请按测试原定时间参加" not in page

"""Error reports (题目有误, issue 16 part 4): who may report what and when, one open report
per member and question, the daily limit, suspension from draws, and the organisers' pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.attempts import autosave
from quizapp.attempts import services as attempts
from quizapp.attempts.papers import load_paper
from quizapp.auth.session_ref import SessionRef
from quizapp.bank.services import QuestionData, save_question
from quizapp.errors import DomainError, NotFound
from quizapp.notices.models import Notice
from quizapp.quizzes.draw import candidates_query
from quizapp.quizzes.models import QuizKind, ReviewWhen
from quizapp.quizzes.reservations import release_to_practice
from quizapp.quizzes.services import RuleData
from quizapp.reports import services
from quizapp.reports.models import QuestionReport, ReportStatus
from tests.factories import NOW, fresh, make_quiz

DATA = services.ReportData("answer", "答案应为 A。", "practice")


def _question(actor, stem, **values):
    return save_question(
        actor,
        QuestionData(
            type="truefalse", stem=stem, options=[], answer=True, category_path="纠错", **values
        ),
    )


@pytest.fixture()
def bank(org):
    """U1's question (m1 may practise it) and U2's (m1 never sees it)."""
    own = _question(org.org1, "纠错测试：一分局的判断题。")
    other = _question(org.org2, "纠错测试：二分局的判断题。")
    db.session.commit()
    return org, own, other


def test_a_member_reports_a_question_they_may_practise_once(bank):
    org, own, _ = bank
    report = services.file_report(org.m1, own.id, DATA, NOW, suspend_at=3)
    assert (report.status, report.reason, report.member_id) == ("open", "answer", org.m1.id)
    with pytest.raises(DomainError, match="已报告过"):
        services.file_report(org.m1, own.id, DATA, NOW, suspend_at=3)


def test_a_question_the_member_was_never_shown_is_not_found(bank):
    org, _, other = bank
    with pytest.raises(NotFound):
        services.file_report(org.m1, other.id, DATA, NOW, suspend_at=3)
    with pytest.raises(NotFound):
        services.file_report(org.m1, 10**6, DATA, NOW, suspend_at=3)


def test_a_question_on_a_running_exam_is_reportable_only_after_submit_with_review(bank):
    org, own, other = bank
    exam = make_quiz(
        org.admin, [org.bureau], questions=[other], kind=QuizKind.EXAM, title="局级考试"
    )
    attempt, _ = attempts.start_attempt(org.m1, exam, NOW)
    db.session.commit()
    with pytest.raises(NotFound):  # on the paper in progress: nothing about it is confirmed
        services.get_reportable_question(org.m1, other.id, NOW)
    autosave.save_answer(
        SessionRef(org.m1.id, org.m1.session_version), attempt.id, other.id, True, 1, NOW
    )
    attempts.submit_attempt(attempt, NOW + timedelta(minutes=1))
    db.session.commit()
    # Submitted, and the review is open at once: the member saw it and may report it.
    assert services.get_reportable_question(org.m1, other.id, NOW).id == other.id


def test_the_review_must_be_open(bank):
    org, _, other = bank
    exam = make_quiz(
        org.admin,
        [org.bureau],
        questions=[other],
        kind=QuizKind.EXAM,
        title="不公布",
        review_when=ReviewWhen.NEVER,
    )
    attempt, _ = attempts.start_attempt(org.m1, exam, NOW)
    attempts.submit_attempt(attempt, NOW + timedelta(minutes=1))
    db.session.commit()
    with pytest.raises(NotFound):
        services.get_reportable_question(org.m1, other.id, NOW)


def test_bad_reports_are_refused_in_chinese(bank):
    org, own, _ = bank
    with pytest.raises(DomainError, match="其他"):
        services.file_report(org.m1, own.id, services.ReportData("other", " ", "practice"), NOW, 3)
    with pytest.raises(DomainError, match="500"):
        services.file_report(
            org.m1, own.id, services.ReportData("stem", "长" * 501, "review"), NOW, 3
        )
    assert db.session.scalar(select(func.count()).select_from(QuestionReport)) == 0


def test_a_member_files_at_most_the_daily_limit(bank, monkeypatch):
    org, own, _ = bank
    monkeypatch.setattr(services, "DAILY_LIMIT", 1)
    extra = _question(org.org1, "纠错测试：第二道判断题。")
    services.file_report(org.m1, own.id, DATA, NOW, 3)
    with pytest.raises(DomainError, match="每天最多"):
        services.file_report(org.m1, extra.id, DATA, NOW, 3)
    services.file_report(org.m1, extra.id, DATA, NOW + timedelta(days=1), 3)


def test_enough_open_reports_suspend_the_question_until_closed(bank, make_member):
    org, own, _ = bank
    rule = RuleData(type="truefalse", count=1)
    assert own.id in db.session.scalars(candidates_query(rule, set(), QuizKind.TEST)).all()
    second = make_member("rep2", org.b12)
    services.file_report(org.m1, own.id, DATA, NOW, suspend_at=2)
    assert own.suspended_at is None
    services.file_report(second, own.id, DATA, NOW, suspend_at=2)
    assert fresh(own).suspended_at is not None
    assert own.id not in db.session.scalars(candidates_query(rule, set(), QuizKind.TEST)).all()
    closed = services.close_reports(
        org.org1, fresh(own), ReportStatus.DISMISSED, "题目无误。", NOW, suspend_at=2
    )
    db.session.commit()
    assert closed == 2 and fresh(own).suspended_at is None
    notices = db.session.scalars(select(Notice).order_by(Notice.member_id)).all()
    assert {n.member_id for n in notices} == {org.m1.id, second.id}
    # The verdict and where to read the note; never the note (it may name the key).
    assert all("未采纳" in n.title and "我的纠错" in n.body for n in notices)
    assert all("题目无误。" not in n.body and n.link == "/reports/mine" for n in notices)
    # Closed: the member may report it again.
    services.file_report(org.m1, own.id, DATA, NOW, suspend_at=2)


def test_only_the_owner_closes_and_a_dismissal_needs_a_note(bank):
    org, own, _ = bank
    services.file_report(org.m1, own.id, DATA, NOW, 3)
    with pytest.raises(NotFound):
        services.close_reports(org.org2, own, ReportStatus.RESOLVED, "", NOW, 3)
    with pytest.raises(DomainError, match="原因"):
        services.close_reports(org.org1, own, ReportStatus.DISMISSED, " ", NOW, 3)
    assert services.close_reports(org.org1, own, ReportStatus.RESOLVED, "", NOW, 3) == 1


# Pages


def test_the_member_reports_from_the_wrong_book_page_flow(client, auth, bank):
    org, own, other = bank
    auth.login("m1")
    url = f"/questions/{own.id}/report?from=wrongbook"
    page = client.get(url)
    assert page.status_code == 200 and own.stem in page.get_data(as_text=True)
    response = client.post(url, data={"reason": "stem", "text": "题干有错字。"})
    assert response.status_code == 302 and response.location.endswith("/practice/wrong")
    again = client.get(url).get_data(as_text=True)
    assert "您已于" in again and "提交报告" not in again
    mine = client.get("/reports/mine").get_data(as_text=True)
    assert "题干有误" in mine and "待处理" in mine
    assert client.get(f"/questions/{other.id}/report").status_code == 404
    assert client.post(f"/questions/{other.id}/report", data={"reason": "stem"}).status_code == 404


def test_the_organiser_sees_counts_and_closes_with_a_note(client, auth, bank):
    org, own, _ = bank
    services.file_report(org.m1, own.id, DATA, NOW, 3)
    db.session.commit()
    auth.login("org1")
    listing = client.get("/manage/question-reports/").get_data(as_text=True)
    assert own.stem in listing and "待处理 1 条" in listing
    bank_page = client.get(f"/manage/bank/{own.id}").get_data(as_text=True)
    assert "错误报告" in bank_page and "待处理 <strong>1</strong> 条" in bank_page
    url = f"/manage/question-reports/{own.id}"
    assert "答案应为 A。" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"outcome": "resolved", "note": "已改正答案。"})
    assert response.status_code == 302
    assert fresh(own) and db.session.scalar(select(QuestionReport.status)) == "resolved"
    auth.switch_to("org2")
    assert own.stem not in client.get("/manage/question-reports/?state=all").get_data(as_text=True)
    assert client.get(url).status_code == 404


def test_a_suspended_question_spoils_a_paper_drawn_ahead(bank):
    org, own, _ = bank
    assert load_paper([own.id]) is not None
    own.suspended_at = NOW
    db.session.commit()
    assert load_paper([own.id]) is None  # the start draws a fresh paper instead


def test_the_review_links_to_the_report_page_but_not_for_a_withheld_question(client, auth, bank):
    org, own, other = bank
    quiz = make_quiz(org.org1, [org.u1], questions=[own], title="一分局测试")
    attempt, _ = attempts.start_attempt(org.m1, quiz, NOW)
    attempts.submit_attempt(attempt, NOW + timedelta(minutes=1))
    db.session.commit()
    auth.login("m1")
    link = f"/questions/{own.id}/report?from=review&amp;attempt={attempt.id}"
    assert link in client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    # Another test of m1's, in progress, has the same question: the review withholds it.
    running = make_quiz(org.org1, [org.u1], questions=[own], title="一分局测试二")
    attempts.start_attempt(org.m1, running, NOW)
    db.session.commit()
    page = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "报告题目有误" not in page
    assert client.get(f"/questions/{own.id}/report?from=review").status_code == 404


# The organiser's note waits while the question is on a running paper (it may name the key)

NOTE = "正确答案应为“错”。"


def _close_with_note(client, auth, question_id: int) -> None:
    """org1 resolves the question's reports with NOTE through the page; then m1 is back."""
    auth.switch_to("org1")
    response = client.post(
        f"/manage/question-reports/{question_id}", data={"outcome": "resolved", "note": NOTE}
    )
    assert response.status_code == 302
    auth.switch_to("m1")


def _what_m1_reads(client) -> str:
    """The member's home page (unread notices), the notice list and 我的纠错."""
    return "".join(
        client.get(p).get_data(as_text=True) for p in ("/", "/notices/", "/reports/mine")
    )


def test_the_note_waits_while_an_exam_holds_the_question(client, auth, bank, time_machine):
    org, own, _ = bank
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    reported = client.post(
        f"/questions/{own.id}/report?from=practice", data={"reason": "answer", "text": "答案有误"}
    )
    assert reported.status_code == 302
    exam = make_quiz(
        org.org1,
        [org.u1],
        questions=[own],
        kind=QuizKind.EXAM,
        title="一分局考试",
        review_show_answers=False,  # nor does m1's review show the key
    )
    attempt = client.post(f"/api/quizzes/{exam.id}/attempts").get_json()["attempt_id"]
    _close_with_note(client, auth, own.id)
    pages = _what_m1_reads(client)
    assert "已更正" in pages and "我的纠错" in pages and NOTE not in pages
    assert "处理说明暂不显示" in pages
    client.post(f"/api/attempts/{attempt}/submit")
    # Handed in, but the exam keeps the question out of practice until released: the note too.
    assert NOTE not in _what_m1_reads(client)
    time_machine.move_to(exam.closes_at + timedelta(minutes=1), tick=False)
    release_to_practice(org.org1, fresh(exam), exam.closes_at + timedelta(minutes=1))
    db.session.commit()
    assert f"处理说明：{NOTE}" in client.get("/reports/mine").get_data(as_text=True)
    assert NOTE not in client.get("/notices/").get_data(as_text=True)  # the notice never has it


def test_a_note_on_a_reviewed_question_waits_for_the_next_hand_in(client, auth, bank, time_machine):
    org, own, _ = bank
    time_machine.move_to(NOW, tick=False)
    first = make_quiz(org.org1, [org.u1], questions=[own], title="第一次测试")
    second = make_quiz(org.org1, [org.u1], questions=[own], title="第二次测试")
    auth.login("m1")
    done = client.post(f"/api/quizzes/{first.id}/attempts").get_json()["attempt_id"]
    client.post(f"/api/attempts/{done}/submit")
    reported = client.post(
        f"/questions/{own.id}/report?from=review&attempt={done}", data={"reason": "answer"}
    )
    assert reported.status_code == 302
    running = client.post(f"/api/quizzes/{second.id}/attempts").get_json()["attempt_id"]
    _close_with_note(client, auth, own.id)
    assert NOTE not in _what_m1_reads(client)
    client.post(f"/api/attempts/{running}/submit")
    # A test (测试) reserves nothing: handed in, the note is shown at once.
    assert f"处理说明：{NOTE}" in client.get("/reports/mine").get_data(as_text=True)


def test_the_note_shows_when_the_members_own_review_shows_the_key(client, auth, bank, time_machine):
    org, own, _ = bank
    time_machine.move_to(NOW, tick=False)
    exam = make_quiz(org.org1, [org.u1], questions=[own], kind=QuizKind.EXAM, title="一分局考试")
    auth.login("m1")
    done = client.post(f"/api/quizzes/{exam.id}/attempts").get_json()["attempt_id"]
    client.post(f"/api/attempts/{done}/submit")
    time_machine.move_to(exam.closes_at + timedelta(minutes=1), tick=False)
    assert "正确答案" in client.get(f"/attempts/{done}/result").get_data(as_text=True)
    reported = client.post(
        f"/questions/{own.id}/report?from=review&attempt={done}", data={"reason": "answer"}
    )
    assert reported.status_code == 302
    _close_with_note(client, auth, own.id)
    # The exam still reserves the question (not released), but m1's review shows its key.
    assert f"处理说明：{NOTE}" in client.get("/reports/mine").get_data(as_text=True)
    # Another exam takes it: the review withholds the key, and 我的纠错 the note.
    make_quiz(org.admin, [org.bureau], questions=[own], kind=QuizKind.EXAM, title="局级考试")
    assert "本题正用于考试" in client.get(f"/attempts/{done}/result").get_data(as_text=True)
    mine = client.get("/reports/mine").get_data(as_text=True)
    assert NOTE not in mine and "处理说明暂不显示" in mine

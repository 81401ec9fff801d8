"""Notices of published results (成绩公布): sent by the scheduled job once a quiz that publishes
results at its close has closed, once per member and quiz, never before and never for 不公布."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.attempts.result_notices import LOOK_BACK_DAYS
from quizapp.notices.models import Notice
from quizapp.scheduler.jobs import notify_published_results
from quizapp.scheduler.runner import triggers
from tests.factories import NOW, Counting, ReviewWhen, add_attempt, make_quiz

CLOSES = NOW + timedelta(hours=2)  # make_quiz: opened an hour before NOW, lasts three hours
AFTER = CLOSES + timedelta(minutes=1)


@pytest.fixture()
def bank_size() -> int:
    return 1


def _quiz(org, bank, review=ReviewWhen.AFTER_CLOSE, **options):
    return make_quiz(
        org.admin,
        [org.bureau],
        questions=[bank["single"][0]],
        review_when=review,
        attempts_allowed=3,
        **options,
    )


def _notices():
    db.session.expire_all()
    return list(db.session.scalars(select(Notice).order_by(Notice.member_id, Notice.id)))


def test_members_are_told_their_result_once_the_quiz_closes(org, bank, make_member):
    quiz = _quiz(org, bank, title="党纪知识考试", counting=Counting.HIGHEST)
    m2 = make_member("m2", org.b12, name="王小明")
    add_attempt(org.m1, quiz, 1, score=4, passed=False)
    best = add_attempt(org.m1, quiz, 2, score=9, passed=True)
    failed = add_attempt(m2, quiz, 1, score=5, passed=False)
    db.session.commit()

    # Before the close nothing is published, so nothing is said (not even "you sat it").
    assert notify_published_results(CLOSES - timedelta(seconds=1)) == "0 result notices sent"
    assert _notices() == []

    assert notify_published_results(AFTER) == "2 result notices sent"
    mine, theirs = _notices()
    assert (mine.member_id, mine.kind, mine.title) == (
        org.m1.id,
        "results_published",
        "测试「党纪知识考试」成绩已公布",
    )
    assert mine.body == (
        "测试「党纪知识考试」已结束，成绩已公布：9 / 10 分，及格。您共交卷 2 次，按最高分计。"
    )
    assert mine.link == f"/attempts/{best.id}/result"
    assert mine.created_at == AFTER and mine.dedupe_key == f"results:{quiz.id}:{org.m1.id}"
    assert theirs.member_id == m2.id and theirs.link == f"/attempts/{failed.id}/result"
    assert theirs.body.endswith("5 / 10 分，未及格。")

    # Idempotent: later runs, or two at once, write nothing more.
    assert notify_published_results(AFTER + timedelta(minutes=5)) == "0 result notices sent"
    assert len(_notices()) == 2


def test_no_notice_for_quizzes_that_show_results_at_once_or_never(org, bank):
    for review in (ReviewWhen.IMMEDIATELY, ReviewWhen.NEVER):
        quiz = _quiz(org, bank, review=review, title=f"测试{review.value}")
        add_attempt(org.m1, quiz, 1, score=9, passed=True)
    db.session.commit()
    assert notify_published_results(AFTER) == "0 result notices sent"
    assert _notices() == []


def test_drafts_and_members_who_did_not_sit_get_nothing(org, bank, make_member):
    make_member("m2", org.b11)  # in the audience, never sat
    draft = _quiz(org, bank, publish=False, title="草稿")
    add_attempt(org.m1, draft, 1, score=9, passed=True)  # a stray row: drafts publish nothing
    db.session.commit()
    assert notify_published_results(AFTER) == "0 result notices sent"


def test_a_paper_still_running_at_the_close_waits_until_it_is_submitted(org, bank):
    quiz = _quiz(org, bank)
    add_attempt(org.m1, quiz, 1, score=3, passed=False)
    running = add_attempt(org.m1, quiz, 2, status="in_progress", at=CLOSES)
    db.session.commit()
    assert notify_published_results(AFTER) == "0 result notices sent"  # its score may change

    running.status, running.submitted_at = "submitted", AFTER
    running.score, running.passed = 8, True
    db.session.commit()
    assert notify_published_results(AFTER + timedelta(minutes=5)) == "1 result notices sent"
    (notice,) = _notices()
    assert "8 / 10 分，及格" in notice.body and notice.link == f"/attempts/{running.id}/result"


def test_quizzes_closed_long_ago_are_left_alone(org, bank):
    quiz = _quiz(org, bank)
    add_attempt(org.m1, quiz, 1, score=9, passed=True)
    db.session.commit()
    assert notify_published_results(CLOSES + timedelta(days=LOOK_BACK_DAYS, minutes=1)) == (
        "0 result notices sent"
    )


def test_the_job_is_a_fixed_number_of_queries(org, bank, make_member, queries):
    quizzes = [_quiz(org, bank, title=f"测试{i}") for i in range(3)]
    for i in range(6):
        member = make_member(f"x{i}", org.b12)
        for quiz in quizzes:
            add_attempt(member, quiz, 1, score=i, passed=i > 5)
    db.session.commit()
    with queries() as statements:
        assert notify_published_results(AFTER) == "18 result notices sent"
    # the owed pairs with their attempts, the keys already sent, the insert
    assert len(statements) == 3


def test_the_job_runs_every_few_minutes():
    assert "notify_published_results" in triggers()

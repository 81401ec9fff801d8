"""Papers drawn ahead of a quiz by the scheduler, and claimed when a member starts it."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.attempts import papers, services
from quizapp.bank.models import Category, Question
from quizapp.bank.services import QuestionData, save_question
from quizapp.errors import DomainError
from quizapp.quizzes.attempt_models import Attempt, PreparedPaper
from quizapp.quizzes.draw import draw_question_ids
from quizapp.quizzes.services import QuizData, RuleData, save_quiz, set_published
from tests.factories import NOW, make_quiz

RULES = [{"type": "single", "count": 2}, {"type": "fill", "count": 2}]


def _papers() -> dict[tuple[int, int], list[int]]:
    db.session.expire_all()
    return {
        (p.quiz_id, p.member_id): p.question_ids for p in db.session.scalars(select(PreparedPaper))
    }


def _types(question_ids: list[int]) -> Counter:
    return Counter(db.session.scalars(select(Question.type).where(Question.id.in_(question_ids))))


def test_one_paper_per_audience_member_and_a_second_run_adds_none(org, bank, make_member):
    quiz = make_quiz(org.admin, [org.u1], rules=RULES, opens_in=timedelta(hours=5))
    m12 = make_member("m12", org.b12)
    make_member("m21", org.b21)  # outside the audience (unit U2)
    make_member("gone", org.b11, active=False)
    db.session.commit()

    summary = papers.prepare_papers(NOW, rng=random.Random(3))

    drawn = _papers()
    assert set(drawn) == {(quiz.id, m.id) for m in (org.org1, org.m1, m12)}
    for question_ids in drawn.values():
        assert len(set(question_ids)) == 4
        assert _types(question_ids) == Counter(single=2, fill=2)
    assert summary.startswith("3 papers drawn ahead")
    assert papers.prepare_papers(NOW).startswith("0 papers drawn ahead")
    assert _papers() == drawn


def test_papers_only_for_published_quizzes_open_now_or_opening_soon(org, bank):
    open_now = make_quiz(org.admin, [org.b11], rules=RULES)
    soon = make_quiz(
        org.admin, [org.b11], rules=RULES, opens_in=papers.AHEAD - timedelta(minutes=1)
    )
    make_quiz(org.admin, [org.b11], rules=RULES, opens_in=papers.AHEAD + timedelta(minutes=1))
    make_quiz(org.admin, [org.b11], rules=RULES, publish=False)
    make_quiz(
        org.admin, [org.b11], rules=RULES, opens_in=timedelta(hours=-5), lasts=timedelta(hours=1)
    )

    papers.prepare_papers(NOW)

    assert {quiz_id for quiz_id, _ in _papers()} == {open_now.id, soon.id}


def test_members_who_started_get_no_paper_and_closed_quizzes_lose_theirs(org, bank):
    quiz = make_quiz(org.admin, [org.b11], rules=RULES)
    services.start_attempt(org.m1, quiz, NOW)
    db.session.commit()
    papers.prepare_papers(NOW)
    assert set(_papers()) == {(quiz.id, org.org1.id)}

    summary = papers.prepare_papers(quiz.closes_at)

    assert _papers() == {}
    assert "1 unclaimed papers of closed quizzes removed" in summary


def test_start_claims_the_prepared_paper_without_drawing(org, bank, queries):
    quiz = make_quiz(org.admin, [org.b11], rules=RULES, shuffle_questions=True)
    papers.prepare_papers(NOW)
    prepared = _papers()[(quiz.id, org.m1.id)]
    member, quiz = org.m1, db.session.get(type(quiz), quiz.id)
    _ = member.branch.path, quiz.audience_id  # loaded, as in a request after the login

    with queries() as statements:
        attempt, created = services.start_attempt(member, quiz, NOW)
        db.session.flush()

    assert created
    db.session.commit()
    db.session.expire_all()
    assert [a.question_id for a in db.session.get(Attempt, attempt.id).answers] == prepared
    assert (quiz.id, org.m1.id) not in _papers()
    # Audience (3), the member's attempts, the claim, the paper's questions, two inserts;
    # no query over the bank's pools.
    assert len(statements) <= 8, statements
    assert sum("FROM questions" in s for s in statements) == 1


def test_a_paper_with_a_deactivated_question_is_drawn_again(org, bank):
    quiz = make_quiz(org.admin, [org.b11], rules=RULES)
    papers.prepare_papers(NOW)
    prepared = _papers()[(quiz.id, org.m1.id)]
    db.session.get(Question, prepared[0]).is_active = False
    db.session.commit()

    attempt, _ = services.start_attempt(org.m1, quiz, NOW)
    db.session.commit()

    drawn = [a.question_id for a in attempt.answers]
    assert prepared[0] not in drawn
    assert _types(drawn) == Counter(single=2, fill=2)
    assert all(a.question.is_active for a in attempt.answers)
    assert (quiz.id, org.m1.id) not in _papers()


def test_a_failed_start_gives_the_paper_back(org, bank):
    quiz = make_quiz(org.admin, [org.b11], rules=RULES)
    papers.prepare_papers(NOW)
    prepared = _papers()[(quiz.id, org.m1.id)]

    claimed = papers.claim_paper(quiz, org.m1.id)
    db.session.rollback()

    assert [q.id for q in claimed] == prepared
    assert _papers()[(quiz.id, org.m1.id)] == prepared


def test_saving_or_withdrawing_a_quiz_drops_its_papers(org, bank):
    quiz = make_quiz(org.admin, [org.b11], rules=RULES, opens_in=timedelta(hours=2))
    papers.prepare_papers(NOW)
    assert _papers()

    save_quiz(
        org.admin,
        QuizData(
            title="改过的测试",
            opens_at=quiz.opens_at,
            closes_at=quiz.closes_at,
            rules=[RuleData("truefalse", 2)],
            branches=[org.b11],
        ),
        quiz,
    )
    db.session.commit()
    assert _papers() == {}

    papers.prepare_papers(NOW)
    assert all(_types(ids) == Counter(truefalse=2) for ids in _papers().values())
    set_published(org.admin, quiz, False)
    db.session.commit()
    assert _papers() == {}


def test_overlapping_rules_never_put_a_question_twice_on_a_paper(org, bank):
    for i in range(3):
        save_question(
            org.admin,
            QuestionData(
                type="single",
                stem=f"廉洁单选题{i}：以下说法正确的是（  ）。",
                options=["甲", "乙", "丙"],
                answer=0,
                category_path="测试/廉洁",
                key=f"lj{i}",
            ),
        )
    db.session.flush()
    discipline = db.session.scalar(select(Category).where(Category.name == "纪律"))
    parent = db.session.scalar(select(Category).where(Category.name == "测试"))
    quiz = make_quiz(
        org.admin,
        [org.b11],
        rules=[RuleData("single", 3, discipline), RuleData("single", 3, parent)],
    )

    drawn = draw_question_ids(quiz, random.Random(5), count=50)

    all_singles = {
        q.id for q in db.session.scalars(select(Question).where(Question.type == "single"))
    }
    assert len(drawn) == 50
    for paper in drawn:
        assert sorted(paper) == sorted(all_singles)  # 6 picks out of 6: each exactly once


def test_a_bank_too_small_for_the_rules_is_skipped_and_explained_at_the_start(org, bank):
    quiz = make_quiz(org.admin, [org.b11], rules=RULES)
    for question in bank["fill"][1:]:
        question.is_active = False
    db.session.commit()

    summary = papers.prepare_papers(NOW)

    assert summary.startswith("0 papers") and f"quizzes {quiz.id}" in summary
    assert db.session.scalar(select(func.count()).select_from(PreparedPaper)) == 0
    with pytest.raises(DomainError, match="不够抽取"):
        services.start_attempt(org.m1, quiz, NOW)

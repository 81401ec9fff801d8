"""Question versions and regrading (issue 16, part 4): the rules on the services, the pages
through the HTTP client, and the statements a regrade costs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.attempts import autosave
from quizapp.attempts import services as attempts
from quizapp.auth.session_ref import SessionRef
from quizapp.bank import versions
from quizapp.bank.services import QuestionData, save_question
from quizapp.errors import DomainError, NotFound, Stale
from quizapp.notices.models import Notice
from quizapp.points.models import PointEntry
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer
from quizapp.quizzes.models import ReviewWhen
from quizapp.regrade import services
from quizapp.regrade.models import Regrade, RegradeChange
from tests.factories import NOW, fresh, make_quiz

SINGLE = QuestionData(
    type="single",
    stem="复核测试：党的纪律处分不包括（  ）。",
    options=["罚款", "警告", "严重警告", "留党察看"],
    answer=1,  # wrong key: the right one is 0 (罚款)
    category_path="复核",
)
TRUEFALSE = QuestionData(
    type="truefalse", stem="复核测试：开除党籍是最高处分。", options=[], answer=True
)


@pytest.fixture()
def setup(org, make_member):
    """U1's single (2 points, a wrong key) and true/false (1 point) questions on U1's test
    (pass mark 60 %: 1.8 of 3); three members."""
    single = save_question(org.org1, SINGLE)
    truefalse = save_question(org.org1, TRUEFALSE)
    quiz = make_quiz(org.org1, [org.u1], questions=[single, truefalse], now=NOW)
    members = [org.m1] + [make_member(f"r{i}", org.b12) for i in range(2)]
    db.session.commit()
    return org, quiz, single, truefalse, members


def sit(member, quiz, answers, now=NOW, submit=True):
    """Start ``quiz`` as ``member``, save ``answers`` ({question: response}), hand it in."""
    attempt, _ = attempts.start_attempt(member, quiz, now)
    db.session.commit()
    ref = SessionRef(member.id, member.session_version)
    for question, response in answers.items():
        autosave.save_answer(ref, attempt.id, question.id, response, 1, now)
    if submit:
        attempts.submit_attempt(attempt, now + timedelta(minutes=5))
    db.session.commit()
    return attempt


def fix_key(org, question, answer=0):
    """The owner corrects the key (a new version)."""
    data = replace(SINGLE, answer=answer, key=question.key)
    save_question(org.org1, data, question, now=NOW + timedelta(hours=1))
    db.session.commit()


def mark_of(attempt, question):
    return db.session.scalar(
        select(AttemptAnswer.mark).where(
            AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.question_id == question.id
        )
    )


def test_each_change_of_the_content_keeps_a_version_and_the_first_keeps_the_original(setup):
    org, _, single, _, _ = setup
    assert versions.current_number(single.id) == 0
    save_question(org.org1, replace(SINGLE, difficulty=3, key=single.key), single)  # not content
    assert versions.current_number(single.id) == 0
    fix_key(org, single)
    history = versions.list_versions(single.id)
    assert [(v.number, v.answer, v.changed_by_id) for v in history] == [
        (2, 0, org.org1.id),
        (1, 1, None),
    ]
    fix_key(org, single, answer=0)  # the same again: nothing new
    assert versions.current_number(single.id) == 2


def test_the_preview_counts_what_changes_and_writes_nothing(setup):
    org, quiz, single, truefalse, (m1, ra, rb) = setup
    sit(m1, quiz, {single: 0, truefalse: True})  # 1 of 3: right by the new key
    sit(ra, quiz, {single: 1, truefalse: True})  # 3 of 3: right by the old key only
    sit(rb, quiz, {single: 2, truefalse: True})  # wrong by both
    fix_key(org, single)
    plan = services.plan_regrade(org.org1, single, [quiz.id], may_lower=False)
    (effect,) = plan.effects
    assert (effect.attempts, effect.raised, effect.lowered, effect.kept) == (3, 1, 0, 1)
    assert (effect.passes_won, effect.passes_lost) == (1, 0)
    lowering = services.plan_regrade(org.org1, single, [quiz.id], may_lower=True).effects[0]
    assert (lowering.raised, lowering.lowered, lowering.kept, lowering.passes_lost) == (1, 1, 0, 1)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Regrade)) == 0
    assert {a.score for a in db.session.scalars(select(Attempt))} == {1, 3}


def test_a_regrade_raises_and_by_default_never_lowers(setup):
    org, quiz, single, truefalse, (m1, ra, _) = setup
    low = sit(m1, quiz, {single: 0, truefalse: True})
    high = sit(ra, quiz, {single: 1, truefalse: True})
    fix_key(org, single)
    regrade = services.apply_regrade(
        org.org1, single, [quiz.id], False, 2, NOW + timedelta(hours=2)
    )
    db.session.commit()
    low, high = fresh(low), fresh(high)
    assert (low.score, low.passed, mark_of(low, single)) == (3, True, 2)
    assert (high.score, high.passed, mark_of(high, single)) == (3, True, 2)  # kept
    assert (regrade.raised, regrade.lowered, regrade.version) == (1, 0, 2)
    (change,) = db.session.scalars(select(RegradeChange)).all()
    assert (change.attempt_id, change.old_score, change.new_score) == (low.id, 1, 3)
    assert (change.old_passed, change.new_passed) == (False, True)
    notice = db.session.scalar(select(Notice).where(Notice.member_id == m1.id))
    assert notice.kind == "score_changed" and "由 1 分改为 3 分（及格）" in notice.body
    assert db.session.scalar(select(Notice).where(Notice.member_id == ra.id)) is None
    # The pass earned the quiz's points (its result is public at once).
    entry = db.session.scalar(select(PointEntry).where(PointEntry.member_id == m1.id))
    assert (entry.source_key, entry.points) == (f"quiz:{m1.id}:{quiz.id}", 5)


def test_a_regrade_that_may_lower_takes_the_pass_and_its_points_back(setup):
    org, quiz, single, truefalse, (_, ra, _) = setup
    high = sit(ra, quiz, {single: 1, truefalse: True})
    db.session.add(
        PointEntry(
            member_id=ra.id,
            day=NOW.date(),
            rule="quiz_passed",
            points=5,
            reason="测试及格",
            source_key=f"quiz:{ra.id}:{quiz.id}",
        )
    )
    db.session.commit()
    fix_key(org, single)
    regrade = services.apply_regrade(org.org1, single, [quiz.id], True, 2, NOW + timedelta(hours=2))
    db.session.commit()
    high = fresh(high)
    assert (high.score, high.passed, regrade.lowered) == (1, False, 1)
    total = db.session.scalar(
        select(func.sum(PointEntry.points)).where(PointEntry.member_id == ra.id)
    )
    assert total == 0
    assert "1 分" in db.session.scalar(select(Notice.body).where(Notice.member_id == ra.id))


def test_a_second_regrade_changes_nothing(setup):
    org, quiz, single, truefalse, (m1, _, _) = setup
    sit(m1, quiz, {single: 0, truefalse: True})
    fix_key(org, single)
    assert services.apply_regrade(org.org1, single, [quiz.id], False, 2, NOW) is not None
    db.session.commit()
    assert services.apply_regrade(org.org1, single, [quiz.id], False, 2, NOW) is None
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RegradeChange)) == 1
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1
    assert db.session.scalar(select(func.count()).select_from(PointEntry)) == 1


def test_attempts_in_progress_are_left_to_grade_with_the_new_key_at_submit(setup):
    org, quiz, single, truefalse, (m1, _, _) = setup
    running = sit(m1, quiz, {single: 0, truefalse: True}, submit=False)
    fix_key(org, single)
    assert services.plan_regrade(org.org1, single, [quiz.id], False).effects[0].attempts == 0
    assert services.apply_regrade(org.org1, single, [quiz.id], False, 2, NOW) is None
    assert mark_of(running, single) is None
    attempts.submit_attempt(fresh(running), NOW + timedelta(minutes=6))
    db.session.commit()
    assert (fresh(running).score, mark_of(running, single)) == (3, 2)


def test_a_key_changed_after_the_preview_must_be_previewed_again(setup):
    org, quiz, single, truefalse, (m1, _, _) = setup
    sit(m1, quiz, {single: 0, truefalse: True})
    fix_key(org, single)
    fix_key(org, single, answer=2)  # version 3
    with pytest.raises(Stale):
        services.apply_regrade(org.org1, single, [quiz.id], False, 2, NOW)


def test_only_the_owner_regrades_and_only_quizzes_they_manage(setup):
    org, quiz, single, truefalse, (m1, _, _) = setup
    sit(m1, quiz, {single: 0, truefalse: True})
    fix_key(org, single)
    with pytest.raises(NotFound):
        services.plan_regrade(org.org2, single, [quiz.id], False)
    bureau_quiz = make_quiz(org.admin, [org.bureau], questions=[single], now=NOW, title="局级")
    sit(m1, bureau_quiz, {single: 0})
    with pytest.raises(DomainError, match="不由您管理"):
        services.plan_regrade(org.org1, single, [bureau_quiz.id], False)
    with pytest.raises(DomainError, match="至少选择"):
        services.plan_regrade(org.org1, single, [], False)


def test_a_regrade_costs_the_same_statements_for_few_and_many_attempts(setup, make_member, queries):
    org, quiz, single, truefalse, _ = setup
    counts = []
    for size, prefix in ((2, "a"), (6, "b")):
        quiz_n = make_quiz(org.org1, [org.u1], questions=[single, truefalse], title=prefix)
        for i in range(size):
            sit(make_member(f"{prefix}{i}", org.b11), quiz_n, {single: 0, truefalse: True})
        counts.append(quiz_n)
    fix_key(org, single)
    statements = []
    for quiz_n in counts:
        with queries() as seen:
            services.apply_regrade(org.org1, fresh(single), [quiz_n.id], False, 2, NOW)
        statements.append(len(seen))
        db.session.commit()
    assert statements[0] == statements[1] <= 20


def test_results_published_after_close_are_not_told_before(setup):
    org, _, single, truefalse, (m1, _, _) = setup
    later = make_quiz(
        org.org1,
        [org.u1],
        questions=[single, truefalse],
        title="结束后公布",
        review_when=ReviewWhen.AFTER_CLOSE,
    )
    sit(m1, later, {single: 0, truefalse: True})
    fix_key(org, single)
    services.apply_regrade(org.org1, single, [later.id], False, 2, NOW + timedelta(hours=1))
    db.session.commit()
    body = db.session.scalar(select(Notice.body).where(Notice.member_id == m1.id))
    assert "成绩公布后可查看" in body and "分" not in body.replace("评分", "")
    # No points before the result is public: the points job gives them when it is.
    assert db.session.scalar(select(func.count()).select_from(PointEntry)) == 0


# Pages


def test_the_owner_previews_confirms_and_reads_the_audit(client, auth, setup):
    org, quiz, single, truefalse, (m1, _, _) = setup
    sit(m1, quiz, {single: 0, truefalse: True})
    fix_key(org, single)
    auth.login("org1")
    page = client.get(f"/manage/bank/{single.id}")
    assert "重新评分" in page.get_data(as_text=True)
    url = f"/manage/regrade/questions/{single.id}"
    assert quiz.title in client.get(url).get_data(as_text=True)
    preview = client.post(url, data={"action": "preview", "quiz_ids": [str(quiz.id)]})
    text = preview.get_data(as_text=True)
    assert "共 <strong>1</strong> 份答卷的成绩将改变" in text and "确认重新评分" in text
    assert fresh(m1) and db.session.scalar(select(func.count()).select_from(Regrade)) == 0
    done = client.post(url, data={"action": "apply", "quiz_ids": [str(quiz.id)], "version": "2"})
    assert done.status_code == 302 and "/manage/regrade/" in done.location
    audit = client.get(done.location).get_data(as_text=True)
    assert m1.name in audit and "1 → 3" in audit and "不及格 → 及格" in audit
    history = client.get(f"/manage/bank/{single.id}/versions").get_data(as_text=True)
    assert "第 2 版" in history and "开始记录前的内容" in history


def test_another_units_organiser_gets_404(client, auth, setup):
    org, quiz, single, truefalse, (m1, _, _) = setup
    sit(m1, quiz, {single: 0, truefalse: True})
    fix_key(org, single)
    regrade = services.apply_regrade(org.org1, single, [quiz.id], False, 2, NOW)
    db.session.commit()
    auth.login("org2")
    assert client.get(f"/manage/regrade/questions/{single.id}").status_code == 404
    assert client.get(f"/manage/regrade/{regrade.id}").status_code == 404
    response = client.post(
        f"/manage/regrade/questions/{single.id}",
        data={"action": "apply", "quiz_ids": [str(quiz.id)], "version": "2", "may_lower": "1"},
    )
    assert response.status_code == 404


def test_a_reimport_that_changes_the_key_keeps_a_version_with_the_importer(setup):
    from quizapp.bank.imports import QuestionDraft, import_drafts

    org, _, single, _, _ = setup
    draft = QuestionDraft("第 1 题", replace(SINGLE, answer=0, key=single.key))
    result = import_drafts(org.u1.id, [draft], changed_by_id=org.org1.id)
    db.session.commit()
    assert result.updated == 1
    latest = versions.list_versions(single.id)[0]
    assert (latest.number, latest.answer, latest.changed_by_id) == (2, 0, org.org1.id)
    again = import_drafts(org.u1.id, [draft], changed_by_id=org.org1.id)
    assert again.unchanged == 1 and versions.current_number(single.id) == 2


def test_an_attempt_waiting_for_hand_marking_is_left_for_a_later_run(setup):
    org, quiz, single, truefalse, (m1, ra, _) = setup
    marking = sit(m1, quiz, {single: 0, truefalse: True})
    sit(ra, quiz, {single: 0, truefalse: True})
    marking.score = None  # as a 待阅卷 attempt: handed in, no score until marked by hand
    db.session.commit()
    fix_key(org, single)
    (effect,) = services.plan_regrade(org.org1, single, [quiz.id], False).effects
    assert (effect.attempts, effect.waiting, effect.raised) == (1, 1, 1)
    services.apply_regrade(org.org1, single, [quiz.id], False, 2, NOW)
    db.session.commit()
    assert mark_of(marking, single) == 0 and fresh(marking).score is None

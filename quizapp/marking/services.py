"""Marking written answers (简答): a mark with an optional comment, who gave it and when;
the attempt's score once its last written answer is marked; markers and blind marking.

Rules:
- nobody marks their own paper;
- points from 0 to the answer's points, in half points;
- a mark may be changed (re-marked) while the attempt is 待阅卷; once its last answer is
  marked the score, pass/fail, points and participation follow and the marks are final
  (a later change is a regrade, not a re-mark);
- two markers on one answer: each mark carries the version the marker saw; a mark on a
  version that changed since is refused (409), unless it is the very same mark by the same
  marker (a double submit), which is answered as done.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, select, update

from quizapp import access, db
from quizapp.attempts.review import review_open
from quizapp.attempts.scoring import score_values
from quizapp.errors import Conflict, DomainError
from quizapp.marking import queries
from quizapp.marking.models import QuizMarker
from quizapp.members.models import Member
from quizapp.notices.models import NoticeKind
from quizapp.notices.services import NoticeDraft, app_path, send_notice
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus
from quizapp.quizzes.models import Quiz, QuizKind, ReviewWhen
from quizapp.quizzes.services import can_manage_quiz

MAX_COMMENT = 500


class MarkTaken(Conflict):
    """Someone else marked the answer since the marker opened it (409)."""


def read_points(text: str | None, maximum: float) -> float:
    """Read the points typed for an answer: 0 to ``maximum``, whole or half points."""
    try:
        points = Decimal((text or "").strip())
    except InvalidOperation:
        raise DomainError("请填写得分（数字，可为半分，如 7.5）。") from None
    if not points.is_finite() or points < 0 or points > Decimal(str(maximum)):
        raise DomainError(f"得分应在 0 至 {maximum:g} 分之间。")
    if (points * 2) % 1:
        raise DomainError("得分只能是整数或半分（如 7.5）。")
    return float(points)


def mark_answer(
    actor: Member,
    answer: AttemptAnswer,
    points_text: str | None,
    comment: str | None,
    version: int,
    now: datetime,
) -> AttemptAnswer:
    """Give ``answer`` its mark as ``actor`` saw it at ``version``; finish the attempt when it
    was the last one waiting."""
    attempt = answer.attempt
    if not queries.can_mark(actor, attempt.quiz, now):
        raise DomainError("您无权评阅该测试。")
    if attempt.member_id == actor.id:
        raise DomainError("不能评阅自己的答卷。")
    points = read_points(points_text, answer.points)
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise DomainError(f"评语最多 {MAX_COMMENT} 个字。")
    # Markers of one paper take turns (a row lock on PostgreSQL; SQLite has one writer): a
    # mark never lands on a paper another marker has just finished and scored.
    status = db.session.scalar(
        select(Attempt.status).where(Attempt.id == attempt.id).with_for_update()
    )
    if status != AttemptStatus.MARKING:
        db.session.refresh(answer)
        if _same(answer, actor, points, comment):
            return answer  # the attempt's last mark, sent twice
        raise DomainError("该答卷已阅卷完毕，成绩已计入，不能再修改评分。")
    saved = db.session.execute(
        update(AttemptAnswer)
        .where(
            AttemptAnswer.attempt_id == answer.attempt_id,
            AttemptAnswer.question_id == answer.question_id,
            AttemptAnswer.mark_version == version,
        )
        .values(
            mark=points,
            mark_comment=comment,
            marked_by_id=actor.id,
            marked_at=now,
            mark_version=version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(answer)
    if not saved:
        if _same(answer, actor, points, comment):
            return answer
        who = answer.marked_by.name if answer.marked_by else "其他阅卷人"
        raise MarkTaken(f"该答案刚由{who}评为 {answer.mark:g} 分，请查看后再决定是否修改。")
    finish_if_marked(attempt, now)
    return answer


def _same(answer: AttemptAnswer, actor: Member, points: float, comment: str | None) -> bool:
    return (
        answer.marked_by_id == actor.id and answer.mark == points and answer.mark_comment == comment
    )


def finish_if_marked(attempt: Attempt, now: datetime) -> bool:
    """Score a 待阅卷 attempt whose answers are all marked, and tell its member; True if so."""
    marks = list(
        db.session.scalars(select(AttemptAnswer.mark).where(AttemptAnswer.attempt_id == attempt.id))
    )
    values = score_values(attempt, attempt.quiz, marks)
    if values["status"] != AttemptStatus.SUBMITTED:
        return False
    # Two markers finishing at once: the status claims it, so one of them scores and notifies.
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.MARKING.value)
        .values(**values, marked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    if claimed and _tells_now(attempt, now):
        send_notice(_marked_notice(attempt, now), now)
    return bool(claimed)


def _tells_now(attempt: Attempt, now: datetime) -> bool:
    """A quiz publishing results at its close tells its members then (result_notices)."""
    quiz = attempt.quiz
    return not (quiz.review_when == ReviewWhen.AFTER_CLOSE and quiz.closes_at > now)


def _marked_notice(attempt: Attempt, now: datetime) -> NoticeDraft:
    quiz = attempt.quiz
    kind = QuizKind(quiz.kind).label
    body = f"您在{kind}「{quiz.title}」中的简答题已阅卷完毕"
    if review_open(quiz, now):
        verdict = "及格" if attempt.passed else "未及格"
        body += f"，成绩：{attempt.score:g} / {attempt.max_score:g} 分，{verdict}。"
    else:
        body += "。本次不公布成绩明细，请留意组织通知。"
    # After the close, the key of the results notice: the member is told once, not twice.
    key = (
        f"results:{quiz.id}:{attempt.member_id}"
        if quiz.review_when == ReviewWhen.AFTER_CLOSE
        else f"marked:{attempt.id}"
    )
    return NoticeDraft(
        member_id=attempt.member_id,
        kind=NoticeKind.RESULTS_PUBLISHED,
        title=f"{kind}「{quiz.title}」阅卷完成",
        body=body,
        dedupe_key=key,
        link=app_path("attempts.result", attempt_id=attempt.id),
    )


# Markers and blind marking (the quiz's owner)


def _check_owner(actor: Member, quiz: Quiz) -> None:
    if not can_manage_quiz(actor, quiz):
        raise DomainError("只有测试的组织者可以设置阅卷。")


def set_blind(actor: Member, quiz: Quiz, blind: bool) -> None:
    """Hide (or show) members' names from the quiz's markers."""
    _check_owner(actor, quiz)
    quiz.blind_marking = blind
    db.session.flush()


def add_marker(actor: Member, quiz: Quiz, member: Member, now: datetime) -> QuizMarker:
    """Name ``member`` (in the quiz owner's subtree and the actor's) a marker of ``quiz``."""
    _check_owner(actor, quiz)
    if not member.is_active or not access_ok(actor, quiz, member):
        raise DomainError("只能指定本测试所属组织内的党员阅卷。")
    marker = db.session.get(QuizMarker, (quiz.id, member.id))
    if marker is None:
        marker = QuizMarker(
            quiz_id=quiz.id, member_id=member.id, named_by_id=actor.id, named_at=now
        )
        db.session.add(marker)
        db.session.flush()
    return marker


def access_ok(actor: Member, quiz: Quiz, member: Member) -> bool:
    """Tell whether ``member`` is in the actor's subtree and in the quiz owner's."""
    return access.can_view_member(actor, member) and quiz.owner_branch.contains(member.branch)


def remove_marker(actor: Member, quiz: Quiz, member_id: int) -> None:
    """Take a member off the quiz's markers (the marks they gave stay)."""
    _check_owner(actor, quiz)
    db.session.execute(
        delete(QuizMarker).where(QuizMarker.quiz_id == quiz.id, QuizMarker.member_id == member_id)
    )
    db.session.flush()

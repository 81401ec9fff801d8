"""What follows a regrade's changes: notices to the members, points of a pass won or lost.

Per batch of changes: one insert of notices (with its read of the keys already sent), and,
only when some pass/fail changed, one read of those members' attempts, one of their quiz
points and one insert.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from quizapp import db
from quizapp.attempts.review import review_open
from quizapp.attempts.services import counted_attempt
from quizapp.clock import china_today
from quizapp.notices.models import NoticeKind
from quizapp.notices.services import NoticeDraft, app_path, send_notices
from quizapp.points.models import PointEntry
from quizapp.points.rules import effective_rules
from quizapp.points.services import write_entries
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Counting, Quiz, QuizKind, ReviewWhen
from quizapp.regrade.models import Regrade

if TYPE_CHECKING:
    from quizapp.regrade.services import Change

RULE = "quiz_passed"


def follow(regrade: Regrade, quizzes: dict[int, Quiz], changes: list[Change], now: datetime):
    """Tell the members, and put their quiz points right, for one batch of changes."""
    notify(regrade, quizzes, changes, now)
    settle_points(regrade, quizzes, changes, now)


def _score(value: float) -> str:
    return f"{value:g}"


def notify(regrade: Regrade, quizzes: dict[int, Quiz], changes: list[Change], now: datetime):
    """Tell each member whose score changed; the score only where the quiz shows results."""
    drafts = []
    for change in changes:
        quiz = quizzes[change.quiz_id]
        if review_open(quiz, now):
            verdict = "及格" if change.new_passed else "不及格"
            body = (
                f"因题目更正，您的成绩由 {_score(change.old_score)} 分改为 "
                f"{_score(change.new_score)} 分（{verdict}）。"
            )
        else:
            body = "因题目更正，您的答卷已重新评分，成绩公布后可查看。"
        drafts.append(
            NoticeDraft(
                member_id=change.member_id,
                kind=NoticeKind.SCORE_CHANGED,
                title=f"成绩更正：{quiz.title}",
                body=body,
                dedupe_key=f"regrade:{regrade.id}:{change.attempt_id}",
                link=app_path("attempts.result", attempt_id=change.attempt_id),
            )
        )
    send_notices(drafts, now)


def _public(quiz: Quiz, now: datetime) -> bool:
    """Tell whether the quiz's result is public, so its pass earns points (as the job says)."""
    when = ReviewWhen(quiz.review_when)
    return when == ReviewWhen.IMMEDIATELY or (
        when == ReviewWhen.AFTER_CLOSE and quiz.closes_at <= now
    )


def settle_points(
    regrade: Regrade, quizzes: dict[int, Quiz], changes: list[Change], now: datetime
) -> None:
    """Give the quiz's points to a member whose counted attempt now passes, take them back
    from one whose no longer does (only where the result is public: otherwise the points
    job gives them when it is)."""
    pairs = {
        (c.member_id, c.quiz_id)
        for c in changes
        if c.old_passed != c.new_passed and _public(quizzes[c.quiz_id], now)
    }
    if not pairs:
        return
    members = {m for m, _ in pairs}
    attempts: dict[tuple[int, int], list] = {pair: [] for pair in pairs}
    for row in db.session.execute(
        select(Attempt.member_id, Attempt.quiz_id, Attempt.number, Attempt.status)
        .add_columns(Attempt.score, Attempt.passed)
        .where(
            Attempt.member_id.in_(members),
            Attempt.quiz_id.in_({q for _, q in pairs}),
            Attempt.status == AttemptStatus.SUBMITTED.value,
        )
    ):
        if (row.member_id, row.quiz_id) in attempts:
            attempts[(row.member_id, row.quiz_id)].append(row)
    held: dict[tuple[int, int], int] = {}
    first_award: set[tuple[int, int]] = set()
    for key, points in db.session.execute(
        select(PointEntry.source_key, PointEntry.points).where(
            PointEntry.member_id.in_(members), PointEntry.rule == RULE
        )
    ):
        pair = _pair_of(key)
        if pair in pairs:
            held[pair] = held.get(pair, 0) + points
            if key.startswith("quiz:"):
                first_award.add(pair)
    rule = effective_rules()[RULE]
    rows = []
    for pair, found in attempts.items():
        member_id, quiz_id = pair
        quiz = quizzes[quiz_id]
        counted = counted_attempt(found, Counting(quiz.counting))
        wanted = rule.points if counted is not None and counted.passed and rule.gives_points else 0
        delta = wanted - held.get(pair, 0)
        if delta == 0 or (delta < 0 and pair not in first_award and not held.get(pair)):
            continue
        name = f"{QuizKind(quiz.kind).label}「{quiz.title}」"
        if delta > 0 and pair not in first_award:
            key, reason = f"quiz:{member_id}:{quiz_id}", f"{name}及格（复核改分）"
        else:
            key = f"regrade:{regrade.id}:{member_id}:{quiz_id}"
            reason = f"{name}复核改分后{'及格' if delta > 0 else '不及格，扣回积分'}"
        rows.append(
            {
                "member_id": member_id,
                "day": china_today(now),
                "rule": RULE,
                "points": delta,
                "reason": reason[:200],
                "source_key": key,
                "created_at": now,
                "created_by_id": regrade.created_by_id,
            }
        )
    write_entries(rows)


def _pair_of(source_key: str) -> tuple[int, int] | None:
    """Read (member, quiz) from ``quiz:<m>:<q>`` or ``regrade:<run>:<m>:<q>``."""
    parts = source_key.split(":")
    try:
        if parts[0] == "quiz" and len(parts) == 3:
            return int(parts[1]), int(parts[2])
        if parts[0] == "regrade" and len(parts) == 4:
            return int(parts[2]), int(parts[3])
    except ValueError:
        return None
    return None

"""The autosave of an answer, the hottest path: one locking read, one conditional update.

The two statements are compiled once (quizapp/hot_sql), so each request only binds parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update

from quizapp import db
from quizapp.attempts.services import (
    GRACE,
    AttemptClosed,
    AttemptNotFound,
    DeadlinePassed,
    deadline_reason,
    submit_attempt,
)
from quizapp.auth.session_ref import SessionRef, valid_member
from quizapp.bank.models import Question
from quizapp.bank.types import get_type
from quizapp.db import UTCDateTime
from quizapp.errors import DomainError, SessionInvalid
from quizapp.hot_sql import HotStatement
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus

_answers = AttemptAnswer.__table__
_attempts = Attempt.__table__
_questions = Question.__table__
_members = Member.__table__


@dataclass
class SaveResult:
    """What an autosave did: ``saved`` False means a newer answer (``seq``) was kept."""

    saved: bool
    seq: int


#: The autosave's one read: built once, so each request only binds parameters.
_SAVE_READ = HotStatement(
    select(
        _attempts.c.status,
        _attempts.c.deadline_at,
        _answers.c.seq,
        _questions.c.type,
        _questions.c.options,
        _questions.c.stem,
    )
    .select_from(
        _answers.join(_attempts, _attempts.c.id == _answers.c.attempt_id)
        .join(_questions, _questions.c.id == _answers.c.question_id)
        .join(_members, _members.c.id == _attempts.c.member_id)
    )
    .where(
        _answers.c.attempt_id == bindparam("attempt_id"),
        _answers.c.question_id == bindparam("question_id"),
        _members.c.id == bindparam("member_id"),
        _members.c.session_version == bindparam("version"),
        _members.c.is_active.is_(True),
        _members.c.must_change_password.is_(False),
    )
    .with_for_update(read=True, of=_attempts)
)
#: The autosave's one write: only a higher sequence number replaces the stored answer.
_SAVE_WRITE = HotStatement(
    update(_answers)
    .where(
        _answers.c.attempt_id == bindparam("b_attempt"),
        _answers.c.question_id == bindparam("b_question"),
        _answers.c.seq < bindparam("b_seq"),
    )
    .values(
        response=bindparam("b_response", type_=_answers.c.response.type),
        seq=bindparam("b_seq"),
        answered_at=bindparam("b_now", type_=UTCDateTime()),
    )
)


def save_answer(
    ref: SessionRef, attempt_id: int, question_id: int, raw: Any, seq: int, now: datetime
) -> SaveResult:
    """Save one response unless a newer one (higher ``seq``) is already stored.

    One read checks the session, the attempt and the question together and takes a share
    lock on the attempt (PostgreSQL), so a concurrent submit either waits for this save or
    makes it fail: an acknowledged answer is always graded. One conditional write saves.
    """
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2**31:
        raise DomainError("缺少有效的序号（seq），请刷新页面后重试。")
    # Both statements run on the request's connection, on its driver cursor (quizapp/hot_sql).
    connection = db.session.connection()
    row = _SAVE_READ.execute(
        connection,
        {
            "attempt_id": attempt_id,
            "question_id": question_id,
            "member_id": ref.member_id,
            "version": ref.version,
        },
    ).first()
    if row is None:
        if db.session.scalar(select(func.count()).where(valid_member(ref))) == 0:
            raise SessionInvalid()
        raise AttemptNotFound()
    if row.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed("本次答题已交卷，不能再修改答案。")
    if now > row.deadline_at + GRACE:
        overdue = db.session.get(Attempt, attempt_id)
        submit_attempt(overdue, now, reason=deadline_reason(overdue))
        raise DeadlinePassed("答题时间已到，试卷已按时自动提交。")
    response = (
        None if raw is None else get_type(row.type).parse_response(raw, row.options, row.stem)
    )
    if seq <= row.seq:
        return SaveResult(saved=False, seq=row.seq)
    result = _SAVE_WRITE.execute(
        connection,
        {
            "b_attempt": attempt_id,
            "b_question": question_id,
            "b_seq": seq,
            "b_response": response,
            "b_now": now,
        },
    )
    return SaveResult(saved=result.rowcount == 1, seq=seq)

"""The autosave of an answer, the hottest path.

On PostgreSQL an answer to a question this app has a copy of (``question_copies.py``) is
saved by one statement in autocommit (``db.standalone_connection``): it checks the session,
the attempt (in progress, within its deadline, under a share lock) and the question's copy
in SQL, and writes only a higher sequence number. When it changes no row, whatever the
reason, the checked path runs in a transaction as before: one locking read, then one
conditional update, with every refusal and error of the API. SQLite always takes the checked
path (its writes are serialised by the database's lock; BEGIN and COMMIT cost no round trip).

The statements are compiled once (quizapp/hot_sql), so each request only binds parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, select, update

from quizapp import db
from quizapp.attempts.question_copies import QuestionCopy, app_copies
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
        cast(_questions.c.options, Text).label("options_text"),
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
        # On SQLite the read above ran outside the transaction (the driver begins one at the
        # first write) and locked nothing: a submit may have committed since. The write sees
        # it, under SQLite's write lock. (On PostgreSQL the read's share lock already holds.)
        select(_attempts.c.id)
        .where(
            _attempts.c.id == bindparam("b_attempt"),
            _attempts.c.status == AttemptStatus.IN_PROGRESS.value,
        )
        .exists(),
    )
    .values(
        response=bindparam("b_response", type_=_answers.c.response.type),
        seq=bindparam("b_seq"),
        answered_at=bindparam("b_now", type_=UTCDateTime()),
    )
)

#: The attempt the one statement may write to: the member's session still valid, the
#: attempt in progress and within its deadline and grace. The share lock makes a concurrent
#: submit's claim wait for this statement (and this statement wait for a claim made first,
#: then check the claimed row again: it is no longer in progress).
_OPEN_ATTEMPT = (
    select(_attempts.c.id)
    .join(_members, _members.c.id == _attempts.c.member_id)
    .where(
        _attempts.c.id == bindparam("f_attempt"),
        _members.c.id == bindparam("f_member"),
        _members.c.session_version == bindparam("f_version"),
        _members.c.is_active.is_(True),
        _members.c.must_change_password.is_(False),
        _attempts.c.status == AttemptStatus.IN_PROGRESS.value,
        _attempts.c.deadline_at >= bindparam("f_cutoff", type_=UTCDateTime()),
    )
    .with_for_update(read=True, of=_attempts)
    .subquery("open_attempt")
)
#: The autosave as one statement (PostgreSQL, autocommit): the answer of an open attempt,
#: only with a higher sequence number, only while the question is still the copy the
#: response was parsed against (type, stem and options as stored).
_SAVE_ONE = HotStatement(
    update(_answers)
    .where(
        _answers.c.attempt_id == _OPEN_ATTEMPT.c.id,
        _answers.c.question_id == bindparam("f_question"),
        _answers.c.seq < bindparam("f_seq"),
        _questions.c.id == _answers.c.question_id,
        _questions.c.type == bindparam("f_type"),
        _questions.c.stem == bindparam("f_stem"),
        cast(_questions.c.options, Text) == bindparam("f_options"),
    )
    .values(
        response=bindparam("f_response", type_=_answers.c.response.type),
        seq=bindparam("f_seq"),
        answered_at=bindparam("f_now", type_=UTCDateTime()),
    )
)


def valid_seq(seq: Any) -> bool:
    """Tell whether ``seq`` is a page's number of an event (an answer, a leaving): a whole
    number from 1 below 2**31, never a bool or a float."""
    return type(seq) is int and 0 < seq < 2**31


def save_answer(
    ref: SessionRef, attempt_id: int, question_id: int, raw: Any, seq: int, now: datetime
) -> SaveResult:
    """Save one response unless a newer one (higher ``seq``) is already stored.

    An acknowledged answer is always graded: the attempt's row is share-locked by whichever
    path saves, so a concurrent submit either waits for the save or makes it fail.
    """
    if not valid_seq(seq):
        raise DomainError("缺少有效的序号（seq），请刷新页面后重试。")
    one_statement = db.session.get_bind().dialect.name == "postgresql"
    if one_statement and _save_in_one_statement(ref, attempt_id, question_id, raw, seq, now):
        return SaveResult(saved=True, seq=seq)
    return _save_checked(ref, attempt_id, question_id, raw, seq, now, keep_copy=one_statement)


def _save_in_one_statement(
    ref: SessionRef, attempt_id: int, question_id: int, raw: Any, seq: int, now: datetime
) -> bool:
    """Save with one statement in autocommit; False when it saved nothing (the caller then
    runs the checked path, which says why: closed, past the deadline, an older ``seq``...)."""
    copy = app_copies().get(question_id)
    if copy is None:
        return False
    try:
        response = (
            None
            if raw is None
            else get_type(copy.type).parse_response(raw, copy.options, copy.stem)
        )
    except DomainError:
        # Refused by the copy: the checked path refuses it against the question as it is,
        # after the attempt's own refusals (closed, past the deadline), as it always has.
        return False
    connection = db.standalone_connection()
    changed = _SAVE_ONE.execute(
        connection,
        {
            "f_attempt": attempt_id,
            "f_member": ref.member_id,
            "f_version": ref.version,
            "f_cutoff": now - GRACE,
            "f_question": question_id,
            "f_seq": seq,
            "f_type": copy.type,
            "f_stem": copy.stem,
            "f_options": copy.options_text,
            "f_response": response,
            "f_now": now,
        },
    ).rowcount
    if changed == 1:
        return True
    db.end_standalone(connection)
    return False


def _save_checked(
    ref: SessionRef,
    attempt_id: int,
    question_id: int,
    raw: Any,
    seq: int,
    now: datetime,
    *,
    keep_copy: bool,
) -> SaveResult:
    """Save in a transaction: one read checks the session, the attempt and the question
    together and takes a share lock on the attempt (PostgreSQL); one conditional write
    saves. With ``keep_copy`` the question read is kept for the one-statement path."""
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
    if keep_copy:
        app_copies().put(
            question_id, QuestionCopy(row.type, row.options, row.stem, row.options_text)
        )
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
    if result.rowcount == 1:
        return SaveResult(saved=True, seq=seq)
    # Nothing written: a newer answer came in between, or the attempt was submitted.
    status = db.session.scalar(select(_attempts.c.status).where(_attempts.c.id == attempt_id))
    if status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed("本次答题已交卷，不能再修改答案。")
    return SaveResult(saved=False, seq=seq)

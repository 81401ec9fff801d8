"""Attempts (答卷), the answers saved in them and the papers drawn ahead for a quiz.

The tables of quizapp.attempts (which starts, saves and grades them), kept with the quizzes
they belong to: managing a quiz counts its attempts and discards its prepared papers, and
practice, results, campaigns and participation read them, without importing the feature
that sits a quiz."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.bank.models import Question
from quizapp.columns import EnumValue, IntPK, MemberRef, parent_key, unique_where
from quizapp.db import Base
from quizapp.enums import LabelledEnum, one_of
from quizapp.members.models import Member
from quizapp.quizzes.models import Quiz


class AttemptStatus(LabelledEnum):
    """An attempt takes answers until it is submitted (by the member, the deadline or the
    page-leave limit); then it is graded once. An attempt holding written answers a person
    must mark (简答) waits as MARKING (待阅卷) until the last is marked: only SUBMITTED
    attempts have a score, so results, points, participation and rankings count them then."""

    IN_PROGRESS = "in_progress", "答题中"
    SUBMITTED = "submitted", "已交卷"
    MARKING = "marking", "待阅卷"


class EndReason(LabelledEnum):
    """Why a submitted attempt ended: 切屏 evidence for the organisers' results."""

    #: The member pressed 交卷 before the deadline.
    MEMBER = "member", "本人交卷"
    #: The time limit ran out: the page submitted at 0:00, or the server at the next request
    #: or the scheduler's run.
    TIME_UP = "time_up", "时间已到"
    #: The member left the page as often as the quiz's 切屏 limit allows.
    LEAVE_LIMIT = "leave_limit", "切屏达到上限"
    #: The quiz closed before the time limit ran out (or it has none): the server submitted
    #: the attempt at the close.
    CLOSED = "closed", "测试结束自动交卷"


class Attempt(Base):
    """One sitting of a quiz by one member; its paper is drawn once, at the start."""

    __tablename__ = "attempts"
    __table_args__ = (
        one_of("status", AttemptStatus),
        one_of("end_reason", EndReason),
        UniqueConstraint(
            "quiz_id", "member_id", "number", name="uq_attempts_quiz_id_member_id_number"
        ),
        # At most one attempt in progress per member and quiz: a double tap or a second
        # device can never hand out a second paper.
        unique_where(
            "uq_attempts_one_in_progress", "quiz_id", "member_id", where="status = 'in_progress'"
        ),
        Index("ix_attempts_member_id_quiz_id", "member_id", "quiz_id"),
        Index("ix_attempts_status_deadline_at", "status", "deadline_at"),
    )

    id: Mapped[IntPK]
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    member_id: Mapped[MemberRef]
    #: 1 for the member's first attempt at the quiz, 2 for the second...
    number: Mapped[int]
    status: Mapped[EnumValue] = mapped_column(default=AttemptStatus.IN_PROGRESS.value)
    started_at: Mapped[datetime]
    #: The server's deadline: start + time limit, never after the quiz closes.
    deadline_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    #: Why it ended (an EndReason); NULL while in progress.
    end_reason: Mapped[EnumValue | None]
    score: Mapped[float | None]
    #: When its last written answer (简答) was marked and it was scored; NULL for a paper
    #: graded at submit. Its result became public then at the earliest (points).
    marked_at: Mapped[datetime | None]
    max_score: Mapped[float] = mapped_column(default=0)
    passed: Mapped[bool | None]
    #: 切屏: how many times the member left the page during the attempt.
    leave_count: Mapped[int] = mapped_column(default=0)
    #: The page's sequence number of the last leaving counted (0: none, or none numbered): a
    #: leaving kept offline and sent again counts once.
    leave_seq: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    #: True once the wrong answers went into the member's wrong-answer book: at submit when
    #: the quiz's review shows the answers then, otherwise when the review opens.
    wrong_answers_booked: Mapped[bool] = mapped_column(default=False, server_default=false())

    quiz: Mapped[Quiz] = relationship()
    member: Mapped[Member] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        order_by="AttemptAnswer.position", cascade="all, delete-orphan", back_populates="attempt"
    )

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    @property
    def status_enum(self) -> AttemptStatus:
        return AttemptStatus(self.status)

    @property
    def end_reason_enum(self) -> EndReason | None:
        return EndReason(self.end_reason) if self.end_reason else None

    @property
    def auto_submitted(self) -> bool:
        """Tell whether the attempt ended without the member pressing 交卷."""
        return self.end_reason is not None and self.end_reason != EndReason.MEMBER

    @property
    def seconds_used(self) -> int | None:
        if self.submitted_at is None:
            return None
        return int(
            min(self.submitted_at, self.deadline_at).timestamp() - self.started_at.timestamp()
        )


class AttemptAnswer(Base):
    """A question on an attempt's paper and the member's latest saved response to it."""

    __tablename__ = "attempt_answers"
    __table_args__ = (Index("ix_attempt_answers_question_id", "question_id"),)

    attempt_id: Mapped[int] = parent_key("attempts")
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    position: Mapped[int]
    #: Display order of the options for this attempt (indexes into Question.options).
    option_order: Mapped[list[int]] = mapped_column(JSON, default=list)
    points: Mapped[float]
    #: The response in the type's form; NULL while unanswered.
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    #: The client's sequence number of the saved response: older ones never overwrite it.
    seq: Mapped[int] = mapped_column(default=0)
    answered_at: Mapped[datetime | None]
    mark: Mapped[float | None]
    #: Marking (简答; quizapp.marking): who gave the mark and when, the marker's comment, and
    #: a counter each mark raises, so that two markers can't both silently win.
    marked_by_id: Mapped[MemberRef | None]
    marked_at: Mapped[datetime | None]
    mark_comment: Mapped[str | None] = mapped_column(String(500))
    mark_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    marked_by: Mapped[Member | None] = relationship()
    #: Answers are always shown with their question: load both in one query.
    question: Mapped[Question] = relationship(lazy="joined")


class PreparedPaper(Base):
    """A paper drawn ahead of time for one member: starting the quiz claims it.

    The scheduler draws every audience member's paper before a quiz opens
    (:mod:`quizapp.attempts.papers`), so that the start of an exam, when everyone starts
    within a minute, is one claim instead of a draw over the bank. Saving or withdrawing
    the quiz drops its papers; a paper whose questions were deactivated since is not used.
    """

    __tablename__ = "prepared_papers"

    quiz_id: Mapped[int] = parent_key("quizzes")
    member_id: Mapped[int] = parent_key("members")
    #: The paper's question ids in the order the member will see them.
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    drawn_at: Mapped[datetime]

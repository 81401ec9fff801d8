"""Quizzes and the rules that make up their papers."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.audiences.models import Audience
from quizapp.bank.models import Category, Question
from quizapp.bank.types import default_points, get_type
from quizapp.clock import utcnow
from quizapp.db import Base, UTCDateTime
from quizapp.enums import LabelledEnum, one_of
from quizapp.org.models import Branch


class QuizKind(LabelledEnum):
    TEST = "test", "测试"
    EXAM = "exam", "考试"
    COMPETITION = "competition", "知识竞赛"


class Counting(LabelledEnum):
    """Which attempt counts when several are allowed."""

    HIGHEST = "highest", "最高分"
    LATEST = "latest", "最后一次"
    FIRST = "first", "第一次"


class ReviewWhen(LabelledEnum):
    """When a member may see the review of a submitted attempt."""

    IMMEDIATELY = "immediately", "交卷后立即"
    AFTER_CLOSE = "after_close", "考试结束后"
    NEVER = "never", "不公布"


class QuizStatus(enum.StrEnum):
    """Whether the members in a quiz's audience see it."""

    DRAFT = "draft"
    PUBLISHED = "published"


#: Kinds of quiz whose questions are kept out of practice until an organiser releases them.
RESERVING_KINDS = (QuizKind.EXAM.value, QuizKind.COMPETITION.value)


class Quiz(Base):
    """A test, exam or competition: who, when, how long, which questions, how scored."""

    __tablename__ = "quizzes"
    __table_args__ = (
        one_of("kind", QuizKind),
        one_of("counting", Counting),
        one_of("review_when", ReviewWhen),
        one_of("status", QuizStatus),
        CheckConstraint("attempts_allowed >= 1", name="attempts_allowed"),
        CheckConstraint("time_limit_minutes IS NULL OR time_limit_minutes >= 1", name="time_limit"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("pass_percent BETWEEN 0 AND 100", name="pass_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default=QuizKind.TEST.value)
    #: The subtree that owns the quiz: its organisers manage it.
    owner_branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Minutes from the start of an attempt; NULL: until the quiz closes.
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    counting: Mapped[str] = mapped_column(String(16), default=Counting.HIGHEST.value)
    #: Pass mark as a percentage of the paper's total points.
    pass_percent: Mapped[int] = mapped_column(Integer, default=60)
    #: Points per question type, e.g. {"single": 2, "multiple": 3, "truefalse": 1, "fill": 2};
    #: new quizzes start with each type's default (quizapp.bank.types.default_points).
    points: Mapped[dict] = mapped_column(JSON, default=lambda: default_points())
    #: 多选: all-or-nothing when False; otherwise a share for each right choice, none if any wrong.
    partial_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    review_when: Mapped[str] = mapped_column(String(16), default=ReviewWhen.IMMEDIATELY.value)
    review_show_answers: Mapped[bool] = mapped_column(Boolean, default=True)
    review_show_explanations: Mapped[bool] = mapped_column(Boolean, default=True)
    #: 切屏: when set, leaving the page is counted and the attempt submitted after this many.
    leave_limit: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=QuizStatus.DRAFT.value)
    #: When an organiser released the questions of this exam or competition to practice
    #: (after it closed); until then they stay out of practice (ReservedQuestion).
    practice_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner_branch: Mapped[Branch] = relationship()
    audience: Mapped[Audience] = relationship()
    fixed_questions: Mapped[list[QuizQuestion]] = relationship(
        order_by="QuizQuestion.position", cascade="all, delete-orphan"
    )
    draw_rules: Mapped[list[DrawRule]] = relationship(
        order_by="DrawRule.id", cascade="all, delete-orphan"
    )

    @property
    def kind_enum(self) -> QuizKind:
        return QuizKind(self.kind)

    @property
    def counting_enum(self) -> Counting:
        return Counting(self.counting)

    @property
    def review_when_enum(self) -> ReviewWhen:
        return ReviewWhen(self.review_when)

    @property
    def is_published(self) -> bool:
        return self.status == QuizStatus.PUBLISHED

    @property
    def reserves_questions(self) -> bool:
        """Tell whether the questions on its papers stay out of practice (exams, competitions)."""
        return self.kind in RESERVING_KINDS and self.practice_released_at is None

    def points_for(self, question_type: str) -> float:
        """Return the points of a question of ``question_type`` on this quiz's papers.

        A type registered after the quiz was saved counts its default; a type no longer
        registered raises UnknownQuestionType.
        """
        default = get_type(question_type).default_points
        return float(self.points.get(question_type, default))


class QuizQuestion(Base):
    """A question every paper of the quiz contains."""

    __tablename__ = "quiz_questions"

    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    question: Mapped[Question] = relationship()


class DrawRule(Base):
    """Draw ``count`` random questions of ``type`` from a category (and its subcategories)."""

    __tablename__ = "draw_rules"
    __table_args__ = (
        CheckConstraint("count >= 1", name="count"),
        CheckConstraint(
            "difficulty_min BETWEEN 1 AND 5 AND difficulty_max BETWEEN 1 AND 5 "
            "AND difficulty_min <= difficulty_max",
            name="difficulty",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    #: NULL: the whole bank.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    difficulty_min: Mapped[int] = mapped_column(Integer, default=1)
    difficulty_max: Mapped[int] = mapped_column(Integer, default=5)
    count: Mapped[int] = mapped_column(Integer)

    category: Mapped[Category | None] = relationship()

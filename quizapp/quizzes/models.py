"""Quizzes and the rules that make up their papers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.audiences.models import Audience
from quizapp.bank.models import Category, Question
from quizapp.bank.types import default_points, get_type
from quizapp.columns import (
    Authored,
    BranchRef,
    EnumValue,
    FreeText,
    IntPK,
    Title,
    parent_key,
)
from quizapp.db import Base
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


class RankingWhen(LabelledEnum):
    """When members see the ranking of a quiz (their own rank and the branches')."""

    NEVER = "never", "不公布"
    AFTER_CLOSE = "after_close", "结束后公布"
    LIVE = "live", "实时公布"

    @classmethod
    def default_for(cls, kind: str) -> RankingWhen:
        """Competitions publish their ranking after the close; other quizzes none."""
        return cls.AFTER_CLOSE if kind == QuizKind.COMPETITION else cls.NEVER


class LeavePolicy(LabelledEnum):
    """What leaving the attempt page (切屏) does."""

    #: Leaving is not counted.
    OFF = "off", "不记录"
    #: Each leaving is counted for the organisers' results; the attempt goes on.
    RECORD = "record", "只记录不交卷"
    #: Counted, and the attempt is submitted when the count reaches ``Quiz.leave_limit``.
    SUBMIT = "submit", "达到 N 次自动交卷"


class QuizStatus(LabelledEnum):
    """Whether the members in a quiz's audience see it."""

    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


#: Kinds of quiz whose questions are kept out of practice until an organiser releases them.
RESERVING_KINDS = (QuizKind.EXAM.value, QuizKind.COMPETITION.value)


class Quiz(Authored, Base):
    """A test, exam or competition: who, when, how long, which questions, how scored."""

    __tablename__ = "quizzes"
    __table_args__ = (
        one_of("kind", QuizKind),
        one_of("counting", Counting),
        one_of("review_when", ReviewWhen),
        one_of("status", QuizStatus),
        one_of("ranking_when", RankingWhen),
        CheckConstraint("attempts_allowed >= 1", name="attempts_allowed"),
        CheckConstraint("time_limit_minutes IS NULL OR time_limit_minutes >= 1", name="time_limit"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("pass_percent BETWEEN 0 AND 100", name="pass_percent"),
        one_of("leave_policy", LeavePolicy),
    )

    id: Mapped[IntPK]
    title: Mapped[Title]
    description: Mapped[FreeText]
    kind: Mapped[EnumValue] = mapped_column(default=QuizKind.TEST.value)
    #: The subtree that owns the quiz: its organisers manage it.
    owner_branch_id: Mapped[BranchRef] = mapped_column(index=True)
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id"))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    #: Minutes from the start of an attempt; NULL: until the quiz closes.
    time_limit_minutes: Mapped[int | None]
    attempts_allowed: Mapped[int] = mapped_column(default=1)
    counting: Mapped[EnumValue] = mapped_column(default=Counting.HIGHEST.value)
    #: Pass mark as a percentage of the paper's total points.
    pass_percent: Mapped[int] = mapped_column(default=60)
    #: Points per question type, e.g. {"single": 2, "multiple": 3, "truefalse": 1, "fill": 2};
    #: new quizzes start with each type's default (quizapp.bank.types.default_points).
    points: Mapped[dict] = mapped_column(JSON, default=lambda: default_points())
    #: 多选: all-or-nothing when False; otherwise a share for each right choice, none if any wrong.
    partial_credit: Mapped[bool] = mapped_column(default=False)
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    review_when: Mapped[EnumValue] = mapped_column(default=ReviewWhen.IMMEDIATELY.value)
    review_show_answers: Mapped[bool] = mapped_column(default=True)
    review_show_explanations: Mapped[bool] = mapped_column(default=True)
    #: 切屏: whether leaving the attempt page is counted, and whether it submits (a LeavePolicy).
    leave_policy: Mapped[EnumValue] = mapped_column(
        default=LeavePolicy.OFF.value, server_default=LeavePolicy.OFF.value
    )
    #: With LeavePolicy.SUBMIT: the attempt is submitted when the member has left this often.
    leave_limit: Mapped[int | None]
    #: When members see the ranking (RankingWhen); ranking_personal: with their own rank,
    #: or only the branches' table.
    ranking_when: Mapped[EnumValue] = mapped_column(
        default=RankingWhen.NEVER.value, server_default=RankingWhen.NEVER.value
    )
    ranking_personal: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: 阅卷: markers see written answers without the member's name (quizapp.marking).
    blind_marking: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[EnumValue] = mapped_column(default=QuizStatus.DRAFT.value)
    #: When an organiser released the questions of this exam or competition to practice
    #: (after it closed); until then they stay out of practice (ReservedQuestion).
    practice_released_at: Mapped[datetime | None]
    #: True once a 缓考, 补考 or extra time was approved for one of its members
    #: (quizapp.deferrals): only then does starting an attempt look the member's up.
    has_member_exceptions: Mapped[bool] = mapped_column(default=False, server_default=false())

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
    def ranking_when_enum(self) -> RankingWhen:
        return RankingWhen(self.ranking_when)

    @property
    def is_ranked(self) -> bool:
        """Tell whether results rank members: competitions, and quizzes publishing a ranking."""
        return self.kind == QuizKind.COMPETITION or self.ranking_when != RankingWhen.NEVER

    def leave_policy_enum(self) -> LeavePolicy:
        return LeavePolicy(self.leave_policy)

    @property
    def counts_leaves(self) -> bool:
        """Tell whether the attempt page reports each leaving (切屏) to the server."""
        return self.leave_policy != LeavePolicy.OFF

    @property
    def submit_leave_limit(self) -> int | None:
        """The number of leavings that submits an attempt; None when leaving never does."""
        return self.leave_limit if self.leave_policy == LeavePolicy.SUBMIT else None

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

    def passes(self, score: float, max_score: float) -> bool:
        """Tell whether ``score`` of ``max_score`` reaches the pass mark (submit and regrade)."""
        return score >= max_score * self.pass_percent / 100 - 1e-9


class QuizQuestion(Base):
    """A question every paper of the quiz contains."""

    __tablename__ = "quiz_questions"

    quiz_id: Mapped[int] = parent_key("quizzes")
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

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

    id: Mapped[IntPK]
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    #: NULL: the whole bank.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    difficulty_min: Mapped[int] = mapped_column(default=1)
    difficulty_max: Mapped[int] = mapped_column(default=5)
    count: Mapped[int]

    category: Mapped[Category | None] = relationship()

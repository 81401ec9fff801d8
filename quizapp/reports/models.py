"""A member's report of an error in a question (题目有误)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.bank.models import Question
from quizapp.columns import EnumValue, FreeText, IntPK, MemberRef, Timestamp, unique_where
from quizapp.db import Base
from quizapp.enums import LabelledEnum, one_of
from quizapp.members.models import Member


class ReportReason(LabelledEnum):
    """What the member says is wrong."""

    ANSWER = "answer", "答案有误"
    STEM = "stem", "题干有误"
    OPTIONS = "options", "选项有误"
    OTHER = "other", "其他"


class ReportOrigin(LabelledEnum):
    """Where the member met the question."""

    REVIEW = "review", "答卷详情"
    PRACTICE = "practice", "练习"
    DAILY = "daily", "每日答题"
    WRONGBOOK = "wrongbook", "错题本"


class ReportStatus(LabelledEnum):
    """Open until an organiser resolves (the question was corrected) or dismisses it."""

    OPEN = "open", "待处理"
    RESOLVED = "resolved", "已更正"
    DISMISSED = "dismissed", "未采纳"


class QuestionReport(Base):
    """One member's report of one question; at most one open per member and question."""

    __tablename__ = "question_reports"
    __table_args__ = (
        one_of("reason", ReportReason),
        one_of("origin", ReportOrigin),
        one_of("status", ReportStatus),
        unique_where(
            "uq_question_reports_one_open", "question_id", "member_id", where="status = 'open'"
        ),
        Index("ix_question_reports_question_id_status", "question_id", "status"),
        Index("ix_question_reports_member_id_created_at", "member_id", "created_at"),
    )

    id: Mapped[IntPK]
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    member_id: Mapped[MemberRef]
    reason: Mapped[EnumValue]
    #: What the member wrote (at most MAX_TEXT characters; required for 其他).
    text: Mapped[FreeText]
    origin: Mapped[EnumValue]
    status: Mapped[EnumValue] = mapped_column(default=ReportStatus.OPEN.value)
    created_at: Mapped[Timestamp]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[MemberRef | None]
    #: The organiser's note, sent to the reporter with the outcome.
    note: Mapped[FreeText]

    question: Mapped[Question] = relationship()
    member: Mapped[Member] = relationship(foreign_keys="QuestionReport.member_id")
    closed_by: Mapped[Member | None] = relationship(foreign_keys="QuestionReport.closed_by_id")

    @property
    def reason_label(self) -> str:
        return ReportReason(self.reason).label

    @property
    def origin_label(self) -> str:
        return ReportOrigin(self.origin).label

    @property
    def status_label(self) -> str:
        return ReportStatus(self.status).label

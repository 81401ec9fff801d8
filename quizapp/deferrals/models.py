"""The exceptions one member holds to a quiz's rules, and their audit trail.

One row per request or grant: a 缓考 the member asked for (pending until an organiser approves
or refuses it, or the member withdraws it), a 补考 (extra attempts, with an optional window
of its own) or extra minutes an organiser granted. Rows are never deleted: who asked, who
decided, when and why stay on record.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from quizapp.columns import EnumValue, IntPK, MemberRef, unique_where
from quizapp.db import Base
from quizapp.enums import LabelledEnum, one_of
from quizapp.members.models import Member
from quizapp.quizzes.models import Quiz


class ExceptionKind(LabelledEnum):
    #: The member sits the quiz in a personal window instead of the quiz's own.
    DEFERRAL = "deferral", "缓考"
    #: Extra attempts, within the quiz's window or a window of the grant's own.
    MAKEUP = "makeup", "补考"
    #: Extra minutes on the quiz's time limit.
    EXTRA_TIME = "extra_time", "延长时间"


class ExceptionStatus(LabelledEnum):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class DeferralReason(LabelledEnum):
    DUTY = "duty", "值班"
    CALL_OUT = "call_out", "出警"
    OTHER = "other", "其他"


class QuizException(Base):
    """One member's 缓考 request, or a 补考 / extra time granted to them, for one quiz."""

    __tablename__ = "quiz_exceptions"
    __table_args__ = (
        one_of("kind", ExceptionKind),
        one_of("status", ExceptionStatus),
        CheckConstraint("reason IS NULL OR reason IN ('duty', 'call_out', 'other')", name="reason"),
        CheckConstraint(
            "window_closes_at IS NULL OR window_opens_at IS NULL "
            "OR window_closes_at > window_opens_at",
            name="window",
        ),
        CheckConstraint("extra_attempts IS NULL OR extra_attempts >= 1", name="extra_attempts"),
        CheckConstraint("extra_minutes IS NULL OR extra_minutes >= 1", name="extra_minutes"),
        # One pending 缓考 request per member and quiz.
        unique_where(
            "uq_quiz_exceptions_one_pending", "quiz_id", "member_id", where="status = 'pending'"
        ),
        Index("ix_quiz_exceptions_quiz_id_member_id", "quiz_id", "member_id"),
        Index("ix_quiz_exceptions_member_id", "member_id"),
    )

    id: Mapped[IntPK]
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    member_id: Mapped[MemberRef]
    kind: Mapped[EnumValue]
    status: Mapped[EnumValue]
    #: 缓考: why the member can't sit the quiz in its window (a DeferralReason).
    reason: Mapped[EnumValue | None]
    #: The member's words (缓考), or the organiser's reason for a grant.
    reason_text: Mapped[str] = mapped_column(String(200), default="")
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[MemberRef | None]
    decided_at: Mapped[datetime | None]
    #: Why a request was refused (shown to the member), or a note on an approval.
    decision_note: Mapped[str] = mapped_column(String(200), default="")
    #: The personal window (缓考), or the window of a 补考 after the quiz closed.
    window_opens_at: Mapped[datetime | None]
    window_closes_at: Mapped[datetime | None]
    extra_attempts: Mapped[int | None]
    extra_minutes: Mapped[int | None]

    #: A 缓考 approved when the member had already begun an attempt before its window: it
    #: gives nothing (``deferrals.terms.lapsed``). Loaded only by the lists that show it.
    is_lapsed: Mapped[bool | None] = query_expression()

    quiz: Mapped[Quiz] = relationship()
    member: Mapped[Member] = relationship(foreign_keys="QuizException.member_id")
    decided_by: Mapped[Member | None] = relationship(foreign_keys="QuizException.decided_by_id")

    @property
    def kind_enum(self) -> ExceptionKind:
        return ExceptionKind(self.kind)

    @property
    def status_enum(self) -> ExceptionStatus:
        return ExceptionStatus(self.status)

    @property
    def reason_label(self) -> str:
        """The reason as a line: 值班, 出警, or 其他 with the member's words."""
        label = DeferralReason(self.reason).label if self.reason else ""
        if self.reason_text:
            return f"{label}：{self.reason_text}" if label else self.reason_text
        return label

    @property
    def is_pending(self) -> bool:
        return self.status == ExceptionStatus.PENDING

    def personal_window(self, quiz_opens_at: datetime) -> tuple[datetime, datetime] | None:
        """Return the personal window as it applies: it never opens before the quiz's
        (current) opening, ``quiz_opens_at``, which an organiser may have moved later after
        approving; None when that leaves nothing, or there is no window."""
        if self.window_opens_at is None or self.window_closes_at is None:
            return None
        start = max(self.window_opens_at, quiz_opens_at)
        return (start, self.window_closes_at) if start < self.window_closes_at else None

    @property
    def is_approved(self) -> bool:
        return self.status == ExceptionStatus.APPROVED

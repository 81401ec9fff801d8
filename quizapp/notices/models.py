"""Notices: one message for one member, written once per dedupe key."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.columns import FreeText, IntPK, MemberRef, Timestamp
from quizapp.db import Base


class NoticeKind(enum.StrEnum):
    """What a notice is about."""

    CAMPAIGN_REMINDER = "campaign_reminder"
    ANNIVERSARY = "anniversary"
    WEEKLY_SUMMARY = "weekly_summary"
    #: Sent by an organiser (the participation drill-down's "remind them" action).
    REMINDER = "reminder"
    #: An organiser accepted or returned the member's reflection (心得).
    REFLECTION_REVIEWED = "reflection_reviewed"
    #: A quiz that publishes results after it closes has closed: the member's result is out.
    RESULTS_PUBLISHED = "results_published"
    #: An organiser decided on the member's 缓考, or granted them 补考 or extra time.
    EXAM_EXCEPTION = "exam_exception"
    #: An organiser resolved or dismissed the member's report of an error in a question.
    QUESTION_REPORT = "question_report"
    #: A regrade (复核改分) changed the member's score.
    SCORE_CHANGED = "score_changed"
    #: A quiz the member was named to mark (阅卷人) got its first paper of the day to mark.
    MARKING_WAITING = "marking_waiting"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    NoticeKind.CAMPAIGN_REMINDER: "学习提醒",
    NoticeKind.ANNIVERSARY: "入党纪念日",
    NoticeKind.WEEKLY_SUMMARY: "每周学习情况",
    NoticeKind.REMINDER: "组织提醒",
    NoticeKind.REFLECTION_REVIEWED: "心得审阅",
    NoticeKind.RESULTS_PUBLISHED: "成绩公布",
    NoticeKind.EXAM_EXCEPTION: "缓考补考",
    NoticeKind.QUESTION_REPORT: "题目纠错",
    NoticeKind.SCORE_CHANGED: "成绩更正",
    NoticeKind.MARKING_WAITING: "阅卷提醒",
}


class Notice(Base):
    """A message for one member; unread until they mark it read."""

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('campaign_reminder', 'anniversary', 'weekly_summary', 'reminder', "
            "'reflection_reviewed', 'results_published', 'exam_exception', "
            "'question_report', 'score_changed', 'marking_waiting')",
            name="kind",
        ),
        # Only paths inside the app: a notice can never send a member to another site.
        CheckConstraint(
            "link IS NULL OR (link LIKE '/%' AND link NOT LIKE '//%')", name="internal_link"
        ),
        Index("ix_notices_member_id_created_at", "member_id", "created_at"),
    )

    id: Mapped[IntPK]
    member_id: Mapped[MemberRef]
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[FreeText]
    #: A path inside the app (without the script root), e.g. ``/campaigns/3``.
    link: Mapped[str | None] = mapped_column(String(255))
    #: Names what the notice is about, e.g. ``anniversary:2026:42``: a job that runs twice
    #: finds its notice already there and writes nothing.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[Timestamp]
    read_at: Mapped[datetime | None]

    @property
    def kind_enum(self) -> NoticeKind:
        return NoticeKind(self.kind)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

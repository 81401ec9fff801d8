"""Notices: one message for one member, written once per dedupe key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.columns import FreeText, IntPK, MemberRef, Timestamp
from quizapp.db import Base
from quizapp.enums import LabelledEnum, one_of


class NoticeKind(LabelledEnum):
    """What a notice is about."""

    CAMPAIGN_REMINDER = "campaign_reminder", "学习提醒"
    ANNIVERSARY = "anniversary", "入党纪念日"
    WEEKLY_SUMMARY = "weekly_summary", "每周学习情况"
    #: Sent by an organiser (the participation drill-down's "remind them" action).
    REMINDER = "reminder", "组织提醒"
    #: An organiser accepted or returned the member's reflection (心得).
    REFLECTION_REVIEWED = "reflection_reviewed", "心得审阅"
    #: A quiz that publishes results after it closes has closed: the member's result is out.
    RESULTS_PUBLISHED = "results_published", "成绩公布"
    #: An organiser decided on the member's 缓考, or granted them 补考 or extra time.
    EXAM_EXCEPTION = "exam_exception", "缓考补考"
    #: An organiser resolved or dismissed the member's report of an error in a question.
    QUESTION_REPORT = "question_report", "题目纠错"
    #: A regrade (复核改分) changed the member's score.
    SCORE_CHANGED = "score_changed", "成绩更正"
    #: A quiz the member was named to mark (阅卷人) got its first paper of the day to mark.
    MARKING_WAITING = "marking_waiting", "阅卷提醒"


class Notice(Base):
    """A message for one member; unread until they mark it read."""

    __tablename__ = "notices"
    __table_args__ = (
        one_of("kind", NoticeKind),
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

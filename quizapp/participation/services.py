"""The drill-down's one action: remind the members who have not finished, once a day.

A reminder is an in-app notice (shown on the member's home page) written through
:func:`quizapp.notices.services.send_notices`. Its dedupe key names the subject, the member
and the China day, so a double click, a second organiser or a second press the same day
writes nothing more; the next day the member may be reminded again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app

from quizapp import access
from quizapp.campaigns.models import Campaign
from quizapp.campaigns.services import KINDS
from quizapp.clock import china_today, format_date, format_datetime
from quizapp.errors import DomainError
from quizapp.members.models import Member
from quizapp.notices.models import NoticeKind
from quizapp.notices.services import NoticeDraft, send_notices
from quizapp.participation.queries import MemberLine, Report
from quizapp.quizzes.models import Quiz


@dataclass(frozen=True)
class Reminded:
    """What one press of "发送提醒" did."""

    #: Notices written now.
    sent: int
    #: Unfinished active members already reminded of this subject today (nothing written).
    already: int
    #: Unfinished members whose account is deactivated: never reminded.
    inactive: int


def reminder_refusal(report: Report, now: datetime) -> str | None:
    """Return why the members of ``report`` can't be reminded (Chinese), or None if they can.

    A draft campaign or quiz is invisible to members, and one that has ended can no longer
    be done, so a reminder would only confuse. A free date range can always be reminded of:
    it asks members to study, whatever the period.
    """
    subject = report.subject
    if isinstance(subject, Campaign):
        kind = KINDS[subject.kind]
        if not subject.is_published:
            return f"本{kind}尚未发布，党员还看不到它，不能发送提醒。"
        if china_today(now) > subject.ends_on:
            return f"本{kind}已于 {format_date(subject.ends_on)} 结束，不能再发送提醒。"
    elif isinstance(subject, Quiz):
        kind = subject.kind_enum.label
        if not subject.is_published:
            return f"本{kind}尚未发布，党员还看不到它，不能发送提醒。"
        if now >= subject.closes_at:
            return f"本{kind}已于 {format_datetime(subject.closes_at)} 截止，不能再发送提醒。"
    return None


def reminder_key(report: Report, member_id: int, today: date) -> str:
    """Return the dedupe key of a reminder: subject, member and China day."""
    subject = (
        str(report.subject.id)
        if report.subject is not None
        else f"{report.first_day.isoformat()}~{report.last_day.isoformat()}"
    )
    return f"reminder:{report.kind}:{subject}:{member_id}:{today.isoformat()}"


def send_reminders(actor: Member, report: Report, now: datetime) -> Reminded:
    """Send each unfinished, active member of ``report`` a reminder, at most once a day:
    not one whose only lack is a quiz on a 缓考 still running (``MemberLine.deferred``).

    ``report`` must be built for ``actor`` with ``detail=True`` (usually ``within`` the
    branch or unit of the drill-down): it already holds only members in the actor's scope.
    """
    if access.managed_root(actor) is None:
        raise DomainError("只有管理员可以发送提醒。")
    if report.members is None:
        raise ValueError("build the report with detail=True to remind its members")
    refusal = reminder_refusal(report, now)
    if refusal:
        raise DomainError(refusal)
    today = china_today(now)
    unfinished = [line for line in report.members if not line.done and not line.deferred]
    active = [line for line in unfinished if line.is_active]
    drafts = [_draft(actor, report, line, today) for line in active]
    sent = send_notices(drafts, now) if drafts else 0
    return Reminded(sent=sent, already=len(drafts) - sent, inactive=len(unfinished) - len(active))


def _path(endpoint: str, **values: int) -> str:
    """Return the path of a member page (a notice stores paths without the script root)."""
    return current_app.url_map.bind("").build(endpoint, values)


def _draft(actor: Member, report: Report, line: MemberLine, today: date) -> NoticeDraft:
    subject = report.subject
    missing = [f"· {text}" for text in line.missing]
    if isinstance(subject, Campaign):
        kind = KINDS[subject.kind]
        title = f"{kind}「{subject.title}」还没有完成"
        intro = (
            f"{kind}「{subject.title}」（{format_date(subject.starts_on)} 至 "
            f"{format_date(subject.ends_on)}）中，您还有以下要求没有完成："
        )
        lines = [intro, *missing, f"请在 {format_date(subject.ends_on)} 前完成。"]
        link = _path("campaigns.show", campaign_id=subject.id)
    elif isinstance(subject, Quiz):
        kind = subject.kind_enum.label
        title = f"{kind}「{subject.title}」您还没有交卷"
        lines = [
            f"{kind}「{subject.title}」开放至 {format_datetime(subject.closes_at)}，"
            "您还没有交卷。请按时参加。"
        ]
        link = _path("attempts.quiz", quiz_id=subject.id)
    else:
        title = "学习提醒：请抽空参加学习"
        lines = [
            f"{format_date(report.first_day)} 至 {format_date(report.last_day)}，"
            "您还没有学习记录（在线学习、答题、线下学习或心得体会）。请抽空学习。"
        ]
        link = _path("study.index")
    lines.append(f"（{actor.name}提醒）")
    return NoticeDraft(
        member_id=line.member_id,
        kind=NoticeKind.REMINDER,
        title=title,
        body="\n".join(lines),
        dedupe_key=reminder_key(report, line.member_id, today),
        link=link,
    )

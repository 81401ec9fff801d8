"""The scheduled jobs that send notices: reminders to members behind in a campaign, greetings
on party anniversaries and the organisers' weekly summary. Like every job (see :mod:`.jobs`),
each reads the state of the database and sends each notice once (its dedupe key).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, and_, distinct, extract, func, or_, select
from sqlalchemy.orm import selectinload

from quizapp import access, db, windows
from quizapp.audiences.models import Audience
from quizapp.audiences.services import member_filter
from quizapp.campaigns.models import Campaign, CampaignQuiz
from quizapp.campaigns.progress import Item, Progress, ProgressBook
from quizapp.campaigns.services import KINDS
from quizapp.clock import china_day_start, china_today, format_date
from quizapp.members.models import Member, Role
from quizapp.notices.models import NoticeKind
from quizapp.notices.services import NoticeDraft, app_path, send_notices
from quizapp.org.models import Branch, BranchKind
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.study.models import StudyMinute

#: Days before a campaign's last day when members behind are reminded (config overrides).
DEFAULT_REMINDER_DAYS = 3
#: A greeting missed while the scheduler was down is still sent this many days late.
ANNIVERSARY_CATCH_UP_DAYS = 3


# Campaign reminders


def _campaign_members(campaign: Campaign) -> Select:
    """Select the ids of the campaign's members (as campaigns.queries counts them)."""
    query = (
        select(Member.id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(member_filter(campaign.audience))
    )
    if not campaign.is_training_class:
        query = query.where(Branch.kind == BranchKind.BRANCH.value)  # not system accounts
    return query


def _missing(progress: Progress) -> list[Item]:
    """Return the items the member can still do something about.

    A must-pass quiz whose result isn't published yet ("pending") is left out: the member
    has sat it and can't know whether anything is missing.
    """
    return [item for item in progress.items if not item.met and item.state != "pending"]


def _item_line(item: Item) -> str:
    name = {"material": f"必学资料「{item.label}」", "quiz": f"必答测试「{item.label}」"}.get(
        item.kind, item.label
    )
    return f"· {name}：{item.detail}"


def _reminder(campaign: Campaign, member_id: int, missing: list[Item], today: date) -> NoticeDraft:
    days_left = (campaign.ends_on - today).days
    when = {0: "今天截止", 1: "明天截止"}.get(days_left, f"还有 {days_left} 天截止")
    kind = KINDS[campaign.kind]
    intro = (
        f"{kind}「{campaign.title}」将于 {format_date(campaign.ends_on)} 截止，"
        "您还有以下要求没有完成："
    )
    body = "\n".join([intro, *map(_item_line, missing), "请抓紧时间完成。"])
    return NoticeDraft(
        member_id=member_id,
        kind=NoticeKind.CAMPAIGN_REMINDER,
        title=f"{kind}「{campaign.title}」{when}",
        body=body,
        dedupe_key=f"campaign-reminder:{campaign.id}:{member_id}",
        link=app_path("campaigns.show", campaign_id=campaign.id),
    )


def remind_campaign_members(now: datetime) -> str:
    """Remind each member behind in a running campaign that ends within the next few days.

    One notice per campaign and member, whenever the job first finds them behind inside
    the window (CAMPAIGN_REMINDER_DAYS before the last day, default 3).
    """
    today = china_today(now)
    days = int(current_app.config.get("CAMPAIGN_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))
    campaigns = list(
        db.session.scalars(
            select(Campaign)
            .where(
                Campaign.is_published.is_(True),
                windows.running_on(Campaign.starts_on, Campaign.ends_on, today),
                Campaign.ends_on <= today + timedelta(days=days),
            )
            .options(
                selectinload(Campaign.materials),
                selectinload(Campaign.quizzes).joinedload(CampaignQuiz.quiz),
                selectinload(Campaign.audience).selectinload(Audience.branches),
                selectinload(Campaign.audience).selectinload(Audience.roster),
            )
            .order_by(Campaign.id)
        )
    )
    drafts = []
    for campaign in campaigns:
        members = _campaign_members(campaign)
        # ``now`` withholds quiz results not yet published, as on the member's own page.
        book = ProgressBook([campaign], members, today, now)
        for member_id in db.session.scalars(members.order_by(Member.id)):
            missing = _missing(book.of(member_id, campaign))
            if missing:
                drafts.append(_reminder(campaign, member_id, missing, today))
    sent = send_notices(drafts, now)
    db.session.commit()
    return (
        f"{sent} reminders sent ({len(drafts)} members behind in {len(campaigns)} "
        f"campaigns ending by {today + timedelta(days=days)})"
    )


# Party anniversaries


def _dates_celebrated_on(day: date) -> list[tuple[int, int]]:
    """Return the (month, day) of joining dates whose anniversary falls on ``day``.

    Members who joined on 29 February are greeted on the 28th in other years.
    """
    dates = [(day.month, day.day)]
    if (day.month, day.day) == (2, 28) and (day + timedelta(days=1)).month == 3:
        dates.append((2, 29))
    return dates


def _greeting(member_id: int, name: str, joined: date, day: date, today: date) -> NoticeDraft:
    years = day.year - joined.year
    when = "今天" if day == today else f"{day.month}月{day.day}日"
    return NoticeDraft(
        member_id=member_id,
        kind=NoticeKind.ANNIVERSARY,
        title=f"入党 {years} 周年纪念日",
        body=(
            f"{name}同志：{when}是您入党 {years} 周年纪念日。{joined.year}年{joined.month}月"
            f"{joined.day}日，您光荣地加入了中国共产党。感谢您 {years} 年来的坚守与奉献，"
            "愿您不忘初心、牢记使命，继续发挥先锋模范作用！"
        ),
        dedupe_key=f"anniversary:{day.year}:{member_id}",
    )


def greet_party_anniversaries(now: datetime) -> str:
    """Greet active members on the anniversary of joining the party (入党纪念日), once a year.

    Looks back ANNIVERSARY_CATCH_UP_DAYS days, so a greeting missed while the scheduler
    was down is sent (dated) when it comes back.
    """
    today = china_today(now)
    celebrated: dict[tuple[int, int], date] = {}
    for back in range(ANNIVERSARY_CATCH_UP_DAYS, -1, -1):  # the latest day wins
        day = today - timedelta(days=back)
        celebrated |= dict.fromkeys(_dates_celebrated_on(day), day)
    month = extract("month", Member.joined_party_on)
    day_of_month = extract("day", Member.joined_party_on)
    rows = db.session.execute(
        select(Member.id, Member.name, Member.joined_party_on)
        .where(
            Member.is_active.is_(True),
            Member.joined_party_on.is_not(None),
            or_(*[and_(month == m, day_of_month == d) for m, d in celebrated]),
        )
        .order_by(Member.id)
    ).all()
    drafts = []
    for member_id, name, joined in rows:
        day = celebrated[(joined.month, joined.day)]
        if day.year > joined.year:  # not on the day they joined
            drafts.append(_greeting(member_id, name, joined, day, today))
    sent = send_notices(drafts, now)
    db.session.commit()
    return f"{sent} anniversary greetings sent ({len(drafts)} anniversaries up to {today})"


# Weekly summary for organisers


def _week_figures(actor: Member, first: date, last: date) -> tuple[int, int, int, int]:
    """Return (members, members who studied, minutes studied, quizzes submitted) in the
    actor's subtree over the China days ``first``..``last``.

    Members are counted by their current branch, as the organiser's other pages do, and
    only on party branches (not the bureau-level system accounts).
    """
    in_scope = and_(
        access.branch_scope(actor),
        Member.is_active.is_(True),
        Branch.kind == BranchKind.BRANCH.value,
    )
    members = db.session.scalar(
        select(func.count())
        .select_from(Member)
        .join(Branch, Branch.id == Member.branch_id)
        .where(in_scope)
    )
    studied, seconds = db.session.execute(
        select(
            func.count(distinct(StudyMinute.member_id)),
            func.coalesce(func.sum(StudyMinute.seconds), 0),
        )
        .join(Member, Member.id == StudyMinute.member_id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(in_scope, StudyMinute.day.between(first, last))
    ).one()
    submitted = db.session.scalar(
        select(func.count())
        .select_from(Attempt)
        .join(Member, Member.id == Attempt.member_id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(
            in_scope,
            Attempt.status == AttemptStatus.SUBMITTED.value,
            Attempt.submitted_at >= china_day_start(first),
            Attempt.submitted_at < china_day_start(last + timedelta(days=1)),
        )
    )
    return members, studied, int(seconds) // 60, submitted


def weekly_summary_for_organisers(now: datetime) -> str:
    """Send each active organiser and admin a summary of last week (Monday to Sunday, China
    days) in their subtree: who studied, minutes studied, quizzes submitted.

    "Last week" is the last complete ISO week before ``now``, so a late run still sums the
    same seven days, and the week's key makes a second run write nothing.
    """
    today = china_today(now)
    first = today - timedelta(days=today.weekday() + 7)
    last = first + timedelta(days=6)
    iso_year, week, _ = first.isocalendar()
    organisers = list(
        db.session.scalars(
            select(Member)
            .where(
                Member.role.in_((Role.ORGANISER.value, Role.ADMIN.value)),
                Member.is_active.is_(True),
            )
            .options(selectinload(Member.scope_branch))
            .order_by(Member.id)
        )
    )
    figures: dict[int, tuple[int, int, int, int]] = {}
    drafts = []
    for organiser in organisers:
        root = access.managed_root(organiser)
        if root is None:
            continue
        if root.id not in figures:  # organisers of the same subtree share the sums
            figures[root.id] = _week_figures(organiser, first, last)
        members, studied, minutes, submitted = figures[root.id]
        drafts.append(
            NoticeDraft(
                member_id=organiser.id,
                kind=NoticeKind.WEEKLY_SUMMARY,
                title=f"学习周报：{first.month}月{first.day}日至{last.month}月{last.day}日",
                body="\n".join(
                    [
                        f"上周（{format_date(first)} 至 {format_date(last)}），{root.name}：",
                        f"· 参加学习 {studied} 人（共 {members} 人）",
                        f"· 学习时长合计 {minutes} 分钟",
                        f"· 提交答卷 {submitted} 份",
                    ]
                ),
                dedupe_key=f"weekly:{iso_year}-W{week:02d}:{organiser.id}",
                link=app_path("dashboard.index"),
            )
        )
    sent = send_notices(drafts, now)
    db.session.commit()
    return f"{sent} weekly summaries sent for {iso_year}-W{week:02d}"

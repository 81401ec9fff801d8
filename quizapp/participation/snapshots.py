"""The nightly snapshot of participation per party branch, and reading it back for charts.

Each China day gets a ``day`` row per party branch: who could study that day (a stay in the
branch by the membership history), who was active, their study seconds and participant-times,
computed by :func:`~quizapp.participation.queries.participation` over that one day for the
whole bureau. Days are final once over, so a day is snapshotted once and never again; after
downtime the next run fills the days still missing among the last ``CATCH_UP_DAYS``.

A campaign's progress can only be computed as it stands now, so only the latest day
(yesterday, as the job runs just after midnight) gets a ``campaign:<id>`` row per branch
with eligible members, for each published campaign running on that day. Earlier days missed
while the scheduler was down get no campaign rows: their progress is gone.

Rows are summed over whatever subtree a reader manages, by where branches are now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from quizapp import access, db, windows
from quizapp.audiences.models import Audience
from quizapp.campaigns.models import Campaign, CampaignQuiz
from quizapp.clock import china_today
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.participation.models import ParticipationSnapshot
from quizapp.participation.queries import Report, participation

#: The subject of the rows of everyone's study on one day.
DAY = "day"
#: How many days back a run looks for days not yet snapshotted (the first run fills them all).
CATCH_UP_DAYS = 14


def campaign_subject(campaign_id: int) -> str:
    """Return the subject of a campaign's rows, e.g. ``campaign:12``."""
    return f"campaign:{campaign_id}"


# Taking snapshots


def _done(first: date, last: date) -> set[tuple[date, str]]:
    """Return the (day, subject) pairs that have rows between ``first`` and ``last``."""
    return set(
        db.session.execute(
            select(ParticipationSnapshot.day, ParticipationSnapshot.subject)
            .where(ParticipationSnapshot.day.between(first, last))
            .distinct()
        ).tuples()
    )


def _running_on(day: date) -> list[Campaign]:
    """Return the published campaigns (and training classes) running on ``day``."""
    return list(
        db.session.scalars(
            select(Campaign)
            .where(
                Campaign.is_published.is_(True),
                windows.running_on(Campaign.starts_on, Campaign.ends_on, day),
            )
            .options(
                selectinload(Campaign.quizzes).joinedload(CampaignQuiz.quiz),
                selectinload(Campaign.materials),
                selectinload(Campaign.audience).selectinload(Audience.branches),
            )
            .order_by(Campaign.id)
        )
    )


def write_snapshot(
    day: date, subject: str, report: Report, now: datetime, *, campaign: Campaign | None = None
) -> int:
    """Insert the branch rows of ``report`` for (day, subject); return how many it offered.

    ``day`` rows cover every branch of the report (so a day with rows is a day done); a
    campaign's only the branches with eligible members. Rows that exist are skipped.
    """
    if day >= china_today(now):
        raise ValueError(f"{day} is not over yet; only past days are snapshotted")
    rows = [
        dict(
            day=day,
            subject=subject,
            branch_id=row.branch.id,
            campaign_id=campaign.id if campaign else None,
            eligible=row.eligible,
            participants=row.participants,
            study_seconds=row.study_seconds,
            times=row.times,
            passed=row.passed,
            completed=row.completed,
            taken_at=now,
        )
        for row in report.rows
        if not row.is_rollup and (campaign is None or row.eligible)
    ]
    if rows:
        # A run overlapping another (``run-once`` by hand beside the scheduler) skips the
        # rows the other wrote first instead of failing on the unique key.
        db.session.execute(
            db.insert_ignoring_duplicates(
                ParticipationSnapshot, index_elements=["day", "subject", "branch_id"]
            ),
            rows,
        )
    return len(rows)


def snapshot_participation(now: datetime, days: int = CATCH_UP_DAYS, *, commit: bool = True) -> str:
    """Snapshot participation per branch for each of the last ``days`` China days still
    missing, and each running campaign's participation as of yesterday.

    Today is never snapshotted (it is not over). Each (day, subject) is written whole in a
    transaction of its own (``commit=False`` only flushes, for the demo's one transaction),
    and pairs that have rows are skipped, so a second run writes nothing. Costs one report
    per missing day plus one per running campaign.
    """
    today = china_today(now)
    yesterday = today - timedelta(days=1)
    wanted = [today - timedelta(days=back) for back in range(days, 0, -1)]
    if not wanted:
        return "nothing to snapshot"
    done = _done(wanted[0], yesterday)
    written = days_done = campaigns_done = 0

    def finish() -> None:
        if commit:
            db.session.commit()
        else:
            db.session.flush()

    for day in wanted:
        if (day, DAY) in done:
            continue
        report = participation(access.WHOLE_BUREAU, None, day, day, now)
        written += write_snapshot(day, DAY, report, now)
        days_done += 1
        finish()
    for campaign in _running_on(yesterday):
        subject = campaign_subject(campaign.id)
        if (yesterday, subject) in done:
            continue
        report = participation(
            access.WHOLE_BUREAU, campaign, campaign.starts_on, campaign.ends_on, now
        )
        written += write_snapshot(yesterday, subject, report, now, campaign=campaign)
        campaigns_done += 1
        finish()
    # The runner logs this line.
    return (
        f"{written} snapshot rows written: {days_done} days up to {yesterday}, "
        f"{campaigns_done} campaigns as of {yesterday}"
    )


# Reading them


@dataclass(frozen=True)
class DayTotal:
    """The ``day`` rows of one day summed over a subtree."""

    day: date
    eligible: int
    participants: int
    study_seconds: int


def list_day_totals(actor: Member, first: date, last: date) -> dict[date, DayTotal]:
    """Return the snapshotted days between ``first`` and ``last`` with their sums over the
    actor's subtree (one query).

    A day snapshotted for the bureau is listed even when nobody in the subtree could study
    on it (zeros); a day absent from the result was not snapshotted.
    """
    mine = access.branch_scope(actor)

    def in_scope(column):
        return func.sum(case((mine, column), else_=0))

    found = db.session.execute(
        select(
            ParticipationSnapshot.day,
            in_scope(ParticipationSnapshot.eligible),
            in_scope(ParticipationSnapshot.participants),
            in_scope(ParticipationSnapshot.study_seconds),
        )
        .join(Branch, Branch.id == ParticipationSnapshot.branch_id)
        .where(ParticipationSnapshot.subject == DAY, ParticipationSnapshot.day.between(first, last))
        .group_by(ParticipationSnapshot.day)
    )
    return {day: DayTotal(day, int(e or 0), int(p or 0), int(s or 0)) for day, e, p, s in found}


@dataclass(frozen=True)
class BranchFigures:
    """One branch's ``campaign:<id>`` row, as read back."""

    branch_id: int
    #: The branch's path now (``/1/4/17/``), to sum it into its ancestors.
    path: str
    eligible: int
    participants: int
    passed: int | None
    completed: int | None


def list_campaign_figures(
    actor: Member, day: date, campaign_ids: list[int]
) -> dict[int, list[BranchFigures]]:
    """Return, for each of the campaigns snapshotted on ``day``, its rows in the actor's
    subtree (one query); a campaign absent from the result has no snapshot that day.

    A campaign snapshotted with nobody eligible in the subtree maps to an empty list.
    """
    if not campaign_ids:
        return {}
    snap = ParticipationSnapshot
    found: dict[int, list[BranchFigures]] = {}
    for campaign_id, mine, branch_id, path, *figures in db.session.execute(
        select(
            snap.campaign_id,
            case((access.branch_scope(actor), 1), else_=0),
            Branch.id,
            Branch.path,
            snap.eligible,
            snap.participants,
            snap.passed,
            snap.completed,
        )
        .join(Branch, Branch.id == snap.branch_id)
        .where(snap.day == day, snap.subject.in_([campaign_subject(i) for i in campaign_ids]))
    ):
        rows = found.setdefault(campaign_id, [])
        if mine:
            rows.append(BranchFigures(branch_id, path, *figures))
    return found

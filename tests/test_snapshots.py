"""The nightly participation snapshot: its figures per branch and day (by the membership
history), idempotence, catch-up after downtime, and never a row for a day not yet over."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.access import WHOLE_BUREAU
from quizapp.campaigns import services as campaigns
from quizapp.members.services import move_member
from quizapp.org.models import Branch
from quizapp.participation.models import ParticipationSnapshot
from quizapp.participation.queries import participation
from quizapp.participation.snapshots import (
    DAY,
    campaign_subject,
    list_day_totals,
    snapshot_participation,
    write_snapshot,
)
from quizapp.scheduler import jobs
from tests.factories import add_study, china, make_campaign

NOW = china(2026, 11, 21, 0, 20)  # the job's time, just after midnight
D1, D2, TODAY = date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 21)


def _rows(subject: str = DAY) -> dict[tuple[date, str], tuple]:
    """{(day, branch code): (eligible, participants, study_seconds, times, passed)}."""
    db.session.expire_all()
    found = db.session.scalars(
        select(ParticipationSnapshot).where(ParticipationSnapshot.subject == subject)
    )
    return {
        (row.day, _code(row.branch_id)): (
            row.eligible,
            row.participants,
            row.study_seconds,
            row.times,
            row.passed,
        )
        for row in found
    }


def _code(branch_id: int) -> str:
    return db.session.get(Branch, branch_id).code


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(ParticipationSnapshot))


@pytest.fixture()
def mover(org, make_member, material):
    """A member in B12 who moved to B11 on D2; m1 and mover study on both days."""
    mover = make_member("mover", org.b12, name="转入者")
    move_member(org.admin, mover, org.b11, D2)
    add_study(org.m1, material, D1, 600)
    add_study(mover, material, D1, 300)  # in B12 then
    add_study(mover, material, D2, 120)  # in B11 now
    add_study(org.m1, material, TODAY, 900)  # today is not over: never in a snapshot
    db.session.commit()
    return mover


def test_each_day_counts_members_where_they_were_that_day(org, mover):
    summary = snapshot_participation(NOW, days=2)

    # D1: B11 has m1 and org1 (m1 studied), B12 the mover (studied); B21 org2.
    # D2: the mover has moved to B11 (and studied there); B12 is empty.
    # The admin sits on the bureau with no stay: never counted.
    assert _rows() == {
        (D1, "B11"): (2, 1, 600, 1, None),
        (D1, "B12"): (1, 1, 300, 1, None),
        (D1, "B21"): (1, 0, 0, 0, None),
        (D2, "B11"): (3, 1, 120, 1, None),
        (D2, "B12"): (0, 0, 0, 0, None),
        (D2, "B21"): (1, 0, 0, 0, None),
    }
    assert (
        summary == "6 snapshot rows written: 2 days up to 2026-11-20, 0 campaigns as of 2026-11-20"
    )
    taken = db.session.scalars(select(ParticipationSnapshot.taken_at)).all()
    assert {moment.astimezone(UTC) for moment in taken} == {NOW.astimezone(UTC)}


def test_a_second_run_writes_nothing(org, mover, material):
    snapshot_participation(NOW, days=2)
    before = _rows()
    add_study(org.org1, material, D1, 60)  # a late fact changes no day already snapshotted
    db.session.commit()

    assert snapshot_participation(NOW, days=2).startswith("0 snapshot rows written")
    assert snapshot_participation(NOW + timedelta(hours=20), days=2).startswith(
        "0 snapshot rows written"
    )  # later the same day: still nothing
    assert _rows() == before


def test_today_and_the_future_are_never_snapshotted(org, mover):
    snapshot_participation(NOW, days=14)
    assert db.session.scalar(select(func.max(ParticipationSnapshot.day))) == D2
    assert snapshot_participation(NOW, days=0) == "nothing to snapshot"


def test_the_first_run_fills_the_catch_up_window_and_a_restart_fills_the_gap(org, mover):
    snapshot_participation(china(2026, 11, 10, 0, 20))  # 14 days: 27 October to 9 November
    # The scheduler is down from 10 to 20 November; it comes back on the 21st.
    snapshot_participation(NOW)

    days = sorted({day for day, _ in _rows()})
    first = date(2026, 10, 27)
    assert days == [first + timedelta(days=n) for n in range((D2 - first).days + 1)]
    assert _count() == len(days) * 3  # every day, every branch, once
    assert _rows()[(D1, "B12")] == (1, 1, 300, 1, None)


def test_a_downtime_longer_than_the_window_leaves_the_oldest_days_out(org, mover):
    snapshot_participation(china(2026, 11, 1, 0, 20), days=3)  # 29 to 31 October
    snapshot_participation(NOW, days=3)  # 18 to 20 November
    assert sorted({day for day, _ in _rows()}) == [
        date(2026, 10, 29),
        date(2026, 10, 30),
        date(2026, 10, 31),
        date(2026, 11, 18),
        D1,
        D2,
    ]


def test_a_running_campaign_is_snapshotted_for_yesterday_only(org, mover, material):
    first, last = date(2026, 11, 15), date(2026, 11, 30)
    campaign, draft = (
        make_campaign(org.org1, title, first, last, 10, branches=[org.u1])
        for title in ("冬训学习", "草稿")
    )
    campaigns.set_published(org.org1, campaign, True)
    db.session.commit()

    summary = snapshot_participation(NOW, days=2)

    # Eligible over the campaign's period (U1): m1, org1 and the mover, all in B11 by the
    # end. m1 has 25 minutes by now (complete, today's count too: the campaign is as of
    # now); the mover 7. Both took part; 人次: m1 2 study days (D1, today), the mover 2
    # (D1, D2). B12 and B21 have nobody eligible: no rows.
    assert _rows(campaign_subject(campaign.id)) == {(D2, "B11"): (3, 2, 1920, 4, None)}
    assert _rows(campaign_subject(draft.id)) == {}
    assert summary.endswith("1 campaigns as of 2026-11-20")
    row = db.session.scalar(
        select(ParticipationSnapshot).where(
            ParticipationSnapshot.subject == campaign_subject(campaign.id)
        )
    )
    assert (row.campaign_id, row.completed) == (campaign.id, 1)

    # The next night adds the 21st; the 20th is kept as it was, D1 never gets one.
    add_study(org.org1, material, TODAY, 900)
    db.session.commit()
    snapshot_participation(NOW + timedelta(days=1), days=2)
    assert _rows(campaign_subject(campaign.id)) == {
        (D2, "B11"): (3, 2, 1920, 4, None),
        (TODAY, "B11"): (3, 3, 2820, 5, None),
    }
    completed = db.session.scalars(
        select(ParticipationSnapshot.completed)
        .where(ParticipationSnapshot.subject == campaign_subject(campaign.id))
        .order_by(ParticipationSnapshot.day)
    )
    assert list(completed) == [1, 2]  # m1, then org1 too (15 minutes)


def test_the_job_is_registered_and_runs_twice(app, org, mover):
    assert jobs.JOBS["snapshot_participation"] is snapshot_participation
    first = jobs.JOBS["snapshot_participation"](NOW)
    assert not first.startswith("0 ")
    assert jobs.JOBS["snapshot_participation"](NOW).startswith("0 snapshot rows written")


def test_day_totals_sum_the_readers_subtree(org, mover):
    snapshot_participation(NOW, days=3)
    mine = list_day_totals(org.org1, date(2026, 11, 17), TODAY)
    assert {day: (t.eligible, t.participants, t.study_seconds) for day, t in mine.items()} == {
        date(2026, 11, 18): (3, 0, 0),
        D1: (3, 2, 900),
        D2: (3, 1, 120),
    }
    # U2 sees the same days (snapshotted for the bureau), with U2's figures only.
    theirs = list_day_totals(org.org2, date(2026, 11, 17), TODAY)
    assert {day: (t.eligible, t.study_seconds) for day, t in theirs.items()} == {
        date(2026, 11, 18): (1, 0),
        D1: (1, 0),
        D2: (1, 0),
    }


def test_rows_written_by_an_overlapping_run_are_skipped(org, mover):
    # Another run wrote B11's row of D2 first (e.g. run-once by hand beside the scheduler).
    db.session.add(
        ParticipationSnapshot(
            day=D2,
            subject=DAY,
            branch_id=org.b11.id,
            eligible=99,
            participants=0,
            study_seconds=0,
            times=0,
        )
    )
    db.session.commit()
    snapshot_participation(NOW, days=2)  # D2 counts as done: only D1 is written
    assert _rows()[(D2, "B11")][0] == 99 and (D2, "B12") not in _rows()
    assert len(_rows()) == 4

    write_snapshot(D2, DAY, participation(WHOLE_BUREAU, None, D2, D2, NOW), NOW)
    db.session.commit()
    assert _rows()[(D2, "B11")][0] == 99 and _rows()[(D2, "B12")][0] == 0
    with pytest.raises(ValueError):
        write_snapshot(TODAY, DAY, participation(WHOLE_BUREAU, None, TODAY, TODAY, NOW), NOW)

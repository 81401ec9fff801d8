"""Scheduled jobs: each run twice changes nothing the second time, each catches up from the
state of the database, and the runner keeps going when a job fails. Time is passed in."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp import PROJECT_ROOT, db
from quizapp.attempts.services import start_attempt
from quizapp.campaigns import services as campaigns
from quizapp.members.models import Role
from quizapp.notices.models import Notice
from quizapp.notices.services import NoticeDraft, send_notice
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import ReviewWhen
from quizapp.scheduler import jobs, notice_jobs
from quizapp.scheduler import runner as scheduler_runner
from tests.factories import (
    NOW,
    add_attempt,
    add_study,
    china,
    make_campaign,
    make_material,
    make_quiz,
)


def _notices(kind=None) -> list[Notice]:
    db.session.expire_all()
    query = select(Notice).order_by(Notice.member_id, Notice.id)
    return list(db.session.scalars(query if kind is None else query.where(Notice.kind == kind)))


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notice))


@pytest.fixture()
def bank_size() -> int:
    return 1


def _submitted(member, quiz, at: datetime, number=1, passed=True) -> None:
    add_attempt(member, quiz, number, 9, passed, at=at, took=timedelta(minutes=5))


# 1. Overdue attempts


def _timed_quiz(org, bank):
    return make_quiz(
        org.admin,
        [org.u1],
        questions=[bank["single"][0]],
        time_limit_minutes=10,
        lasts=timedelta(hours=12),
    )


def test_an_attempt_overdue_for_hours_is_submitted_on_the_next_run(org, bank):
    quiz = _timed_quiz(org, bank)
    late, _ = start_attempt(org.m1, quiz, NOW)
    running, _ = start_attempt(org.org1, quiz, NOW + timedelta(hours=5))
    db.session.commit()

    now = NOW + timedelta(hours=5, minutes=1)  # the scheduler was down for five hours
    assert jobs.submit_overdue_attempts(now) == "1 overdue attempts submitted"
    db.session.expire_all()
    assert (late.status, late.end_reason, late.score) == ("submitted", "time_up", 0)
    assert late.submitted_at == late.deadline_at  # at the deadline, not when it was noticed
    assert running.status == "in_progress"
    assert jobs.submit_overdue_attempts(now) == "0 overdue attempts submitted"
    db.session.expire_all()
    assert late.submitted_at == late.deadline_at and running.status == "in_progress"


def test_a_backlog_is_submitted_in_batches(org, bank, make_member, monkeypatch):
    monkeypatch.setattr(jobs, "OVERDUE_BATCH", 2)
    quiz = _timed_quiz(org, bank)
    for i in range(5):
        start_attempt(make_member(f"p{i}", org.b11), quiz, NOW)
    db.session.commit()
    assert jobs.submit_overdue_attempts(NOW + timedelta(hours=1)) == "5 overdue attempts submitted"
    assert db.session.scalar(select(func.count()).where(Attempt.status == "in_progress")) == 0


def test_run_once_from_the_command_line(org, bank, runner):
    quiz = _timed_quiz(org, bank)
    attempt, _ = start_attempt(org.m1, quiz, NOW)
    db.session.commit()
    later = (NOW + timedelta(hours=3)).isoformat()
    result = runner.invoke(
        args=["scheduler", "run-once", "submit_overdue_attempts", "--now", later]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "submit_overdue_attempts: 1 overdue attempts submitted\n"
    db.session.expire_all()
    assert attempt.status == "submitted"
    result = runner.invoke(args=["scheduler", "run-once", "no_such_job"])
    assert result.exit_code == 2 and "submit_overdue_attempts" in result.output


# 2. Campaign reminders


START, END = date(2026, 11, 16), date(2026, 11, 22)


@pytest.fixture()
def campaign_b12(org, make_member):
    """A 30-minute campaign for B12: one member done, one behind (10 minutes)."""
    done, behind = make_member("done", org.b12), make_member("behind", org.b12)
    material = make_material(org)
    add_study(done, material, START, 1800)
    add_study(behind, material, START, 600)
    campaign = make_campaign(
        org.org1, "党纪学习教育专题", START, END, minutes=30, branches=[org.b12]
    )
    campaigns.set_published(org.org1, campaign, True)
    db.session.commit()
    return campaign, done, behind


def test_reminders_go_to_members_behind_within_the_last_days(org, campaign_b12):
    campaign, _done, behind = campaign_b12
    assert notice_jobs.remind_campaign_members(china(2026, 11, 18, 9)).startswith("0 reminders")
    assert _count() == 0  # four days before the end: not yet

    summary = notice_jobs.remind_campaign_members(china(2026, 11, 19, 9))
    assert summary.startswith("1 reminders sent (1 members behind in 1 campaigns")
    [notice] = _notices()
    assert notice.member_id == behind.id
    assert notice.kind == "campaign_reminder"
    assert notice.title == "学习任务「党纪学习教育专题」还有 3 天截止"
    assert "· 学习时长：已学 10 / 30 分钟" in notice.body
    assert notice.link == f"/campaigns/{campaign.id}"
    assert notice.dedupe_key == f"campaign-reminder:{campaign.id}:{behind.id}"

    # Again the same day, and every day until the end: nothing more.
    for day in (19, 20, 21, 22):
        assert notice_jobs.remind_campaign_members(china(2026, 11, day, 9)).startswith(
            "0 reminders"
        )
    assert _count() == 1


def test_no_reminders_after_the_end_or_for_drafts(org, campaign_b12):
    campaign, _, _ = campaign_b12
    assert notice_jobs.remind_campaign_members(china(2026, 11, 23, 9)).startswith("0 reminders")
    campaigns.set_published(org.org1, campaign, False)
    db.session.commit()
    assert notice_jobs.remind_campaign_members(china(2026, 11, 21, 9)).startswith("0 reminders")
    assert _count() == 0


def test_reminder_days_come_from_the_config(app, org, campaign_b12):
    app.config["CAMPAIGN_REMINDER_DAYS"] = 6
    assert notice_jobs.remind_campaign_members(china(2026, 11, 16, 9)).startswith("1 reminders")
    assert _notices()[0].title.endswith("还有 6 天截止")


def test_a_result_not_yet_published_is_not_a_reason_to_remind(org, bank, make_member):
    sat, absent = make_member("sat", org.b12), make_member("absent", org.b12)
    quiz = make_quiz(
        org.org1,
        [org.b12],
        questions=[bank["single"][0]],
        title="党规考试",
        review_when=ReviewWhen.AFTER_CLOSE,
    )
    _submitted(sat, quiz, NOW, passed=False)
    campaign = make_campaign(
        org.org1, "考试周", START, END, quizzes=[(quiz, True)], branches=[org.b12]
    )
    campaigns.set_published(org.org1, campaign, True)
    db.session.commit()

    notice_jobs.remind_campaign_members(NOW)  # the quiz publishes results when it closes
    [notice] = _notices()
    assert notice.member_id == absent.id
    assert notice.title.endswith("明天截止")
    assert "· 必答测试「党规考试」：须及格 · 未参加" in notice.body


# 3. Party anniversaries


@pytest.fixture()
def joined(org, make_member):
    """Members by joining date; one inactive, one who joined on a 29 February."""
    made = {}
    for login, day, active in [
        ("y25", date(2001, 11, 21), True),
        ("new", date(2026, 11, 21), True),
        ("gone", date(2001, 11, 21), False),
        ("leap", date(2000, 2, 29), True),
        ("other", date(2001, 11, 22), True),
    ]:
        made[login] = make_member(login, org.b11, name=f"党员{login}", active=active)
        made[login].joined_party_on = day
    db.session.commit()
    return made


def test_anniversary_is_greeted_on_the_china_day_once(org, joined):
    now = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # 00:30 on the 21st in China
    assert notice_jobs.greet_party_anniversaries(now).startswith("1 anniversary greetings sent")
    [notice] = _notices()
    assert notice.member_id == joined["y25"].id  # not who joined today, nor the inactive
    assert notice.title == "入党 25 周年纪念日"
    assert notice.body.startswith("党员y25同志：今天是您入党 25 周年纪念日。2001年11月21日")
    assert notice.dedupe_key == f"anniversary:2026:{joined['y25'].id}"
    assert notice_jobs.greet_party_anniversaries(now + timedelta(hours=8)).startswith("0 ")
    assert _count() == 1


def test_29_february_is_greeted_on_the_28th_in_other_years(org, joined):
    notice_jobs.greet_party_anniversaries(china(2027, 2, 28, 8))
    [notice] = _notices()
    assert (notice.member_id, notice.title) == (joined["leap"].id, "入党 27 周年纪念日")
    assert "今天是您入党" in notice.body

    notice_jobs.greet_party_anniversaries(china(2028, 2, 28, 8))  # a leap year: not yet
    assert _count() == 1
    notice_jobs.greet_party_anniversaries(china(2028, 2, 29, 8))
    assert [n.dedupe_key for n in _notices()] == [
        f"anniversary:2027:{joined['leap'].id}",
        f"anniversary:2028:{joined['leap'].id}",
    ]
    notice_jobs.greet_party_anniversaries(china(2028, 3, 1, 8))
    assert _count() == 2


def test_a_greeting_missed_while_down_is_sent_late_with_its_date(org, joined):
    notice_jobs.greet_party_anniversaries(china(2026, 11, 23, 8))  # down on the 21st and 22nd
    notices = _notices()
    assert [n.member_id for n in notices] == [joined["y25"].id, joined["other"].id]
    assert "11月21日是您入党 25 周年纪念日" in notices[0].body
    assert "11月22日是您入党 25 周年纪念日" in notices[1].body


def test_a_greeting_is_not_sent_long_after_the_day(org, joined):
    notice_jobs.greet_party_anniversaries(china(2026, 11, 26, 8))
    assert _count() == 0


# 4. Weekly summary for organisers


MONDAY = china(2026, 11, 23, 8, 30)  # last week: 16 to 22 November, ISO week 47


@pytest.fixture()
def last_week(org, bank, make_member):
    """Study and quizzes around last week in both units."""
    m21 = make_member("m21", org.b21)
    make_member("off", org.b12, role=Role.ORGANISER, scope=org.u1, active=False)
    material = make_material(org)
    add_study(org.m1, material, date(2026, 11, 17), 600)
    add_study(org.m1, material, date(2026, 11, 22), 300)
    add_study(org.m1, material, date(2026, 11, 23), 6000)  # this week
    add_study(org.m1, material, date(2026, 11, 15), 6000)  # the week before
    add_study(m21, material, date(2026, 11, 20), 1200)
    quiz = make_quiz(org.admin, [org.bureau], questions=[bank["single"][0]], attempts_allowed=3)
    _submitted(org.m1, quiz, china(2026, 11, 15, 23, 30), 1)  # Sunday before: no
    _submitted(org.m1, quiz, china(2026, 11, 16, 0, 30), 2)
    _submitted(org.m1, quiz, china(2026, 11, 22, 23, 59), 3)
    db.session.commit()
    return m21


def _summaries() -> dict[int, Notice]:
    return {n.member_id: n for n in _notices("weekly_summary")}


def test_weekly_summary_covers_each_organisers_subtree(org, last_week):
    assert (
        notice_jobs.weekly_summary_for_organisers(MONDAY) == "3 weekly summaries sent for 2026-W47"
    )
    sent = _summaries()
    assert set(sent) == {org.admin.id, org.org1.id, org.org2.id}  # not members, not inactive
    u1, u2, bureau = sent[org.org1.id], sent[org.org2.id], sent[org.admin.id]
    assert u1.title == "学习周报：11月16日至11月22日"
    assert u1.body == (
        "上周（2026-11-16 至 2026-11-22），第一分局：\n"
        "· 参加学习 1 人（共 2 人）\n· 学习时长合计 15 分钟\n· 提交答卷 2 份"
    )
    assert "三所党支部" not in u1.body
    assert "· 参加学习 1 人（共 2 人）\n· 学习时长合计 20 分钟\n· 提交答卷 0 份" in u2.body
    assert (
        "测试市公安局：\n· 参加学习 2 人（共 4 人）\n· 学习时长合计 35 分钟\n· 提交答卷 2 份"
        in bureau.body
    )
    assert u1.dedupe_key == f"weekly:2026-W47:{org.org1.id}"
    assert u1.link == "/manage/"


def test_weekly_summary_is_sent_once_a_week_even_when_late(org, last_week):
    notice_jobs.weekly_summary_for_organisers(MONDAY)
    before = {n.id: n.body for n in _notices()}
    wednesday = MONDAY + timedelta(days=2)
    assert notice_jobs.weekly_summary_for_organisers(wednesday).startswith("0 ")
    assert {n.id: n.body for n in _notices()} == before
    # Down all of Monday: a Tuesday run still sums the same seven days.
    db.session.execute(Notice.__table__.delete())
    db.session.commit()
    notice_jobs.weekly_summary_for_organisers(MONDAY + timedelta(days=1))
    assert {n.body for n in _notices()} == set(before.values())


# The runner


def test_scheduler_has_every_job_in_china_time(app):
    scheduler = scheduler_runner.build_scheduler(app)
    assert not scheduler.running
    scheduled = {job.id: job for job in scheduler.get_jobs()}
    assert set(scheduled) == set(jobs.JOBS)
    assert all(job.coalesce and job.max_instances == 1 for job in scheduled.values())
    assert scheduled["submit_overdue_attempts"].misfire_grace_time == 30
    noon = china(2026, 11, 21, 12)  # a Saturday
    fires = {name: job.trigger.get_next_fire_time(None, noon) for name, job in scheduled.items()}
    assert fires["greet_party_anniversaries"] == china(2026, 11, 22, 8)
    assert fires["remind_campaign_members"] == china(2026, 11, 22, 9)
    assert fires["weekly_summary_for_organisers"] == china(2026, 11, 23, 8, 30)
    # On start every job runs at once: whatever the downtime left is done first.
    assert all(job.next_run_time is not None for job in scheduled.values())


def test_a_failing_job_is_rolled_back_and_the_scheduler_goes_on(app, org, monkeypatch, caplog):
    def broken(now):
        send_notice(NoticeDraft(org.m1.id, "reminder", "半途", "", "half-done"), now)
        raise RuntimeError("database went away")

    monkeypatch.setitem(jobs.JOBS, "broken", broken)
    with caplog.at_level(logging.INFO, logger="quizapp.scheduler.runner"):
        scheduler_runner._guarded(app, "broken")()  # does not raise
        assert (
            scheduler_runner.run_job(app, "submit_overdue_attempts", NOW)
            == "0 overdue attempts submitted"
        )
    assert _count() == 0
    assert "broken failed" in caplog.text and "database went away" in caplog.text
    assert "submit_overdue_attempts: 0 overdue attempts submitted" in caplog.text


def test_the_scheduler_command_runs_the_scheduler(app, runner, monkeypatch):
    started = []
    monkeypatch.setattr("quizapp.scheduler.runner.run_forever", started.append)
    assert runner.invoke(args=["scheduler"]).exit_code == 0
    assert started == [app]


def test_the_web_app_never_imports_or_starts_apscheduler(tmp_path):
    code = (
        "import sys, threading, wsgi\n"
        "wsgi.app.test_client().get('/healthz')\n"
        "assert not [m for m in sys.modules if m.startswith('apscheduler')]\n"
        "assert not [t for t in threading.enumerate() if 'APScheduler' in t.name]\n"
    )
    env = os.environ | {
        "QUIZAPP_INSTANCE": str(tmp_path),
        "SECRET_KEY": "x",
        "DATABASE_URL": f"sqlite:///{tmp_path}/web.sqlite3",
    }
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, check=True)


# 5. Participation snapshots (the job's figures: tests/test_snapshots.py)


def test_the_snapshot_runs_nightly_and_twice_changes_nothing(app, org, caplog):
    from quizapp.participation.models import ParticipationSnapshot

    scheduled = {job.id: job for job in scheduler_runner.build_scheduler(app).get_jobs()}
    trigger = scheduled["snapshot_participation"].trigger
    assert trigger.get_next_fire_time(None, china(2026, 11, 21, 12)) == china(2026, 11, 22, 0, 20)
    with caplog.at_level(logging.INFO, logger="quizapp.scheduler.runner"):
        first = scheduler_runner.run_job(app, "snapshot_participation", NOW)
    # 14 days before the 21st, three party branches each.
    assert first.startswith("42 snapshot rows written: 14 days up to 2026-11-20")
    assert f"snapshot_participation: {first}" in caplog.text
    rows = db.session.scalar(select(func.count()).select_from(ParticipationSnapshot))
    assert scheduler_runner.run_job(app, "snapshot_participation", NOW).startswith("0 ")
    assert db.session.scalar(select(func.count()).select_from(ParticipationSnapshot)) == rows

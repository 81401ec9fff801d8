"""Issue 15's definitions, worked out by hand: 参与 beside 完成, offline-only participation,
the period of a campaign report clipped to the campaign, and the quiz results page's
population (members who moved or left in the period included).

The organisation and people are those of tests/test_participation.py (``people``: mover
B12 → B11 on 11-10, leaver deactivated 11-15, transfer B11 → B21 on 11-05, ...).
"""

from __future__ import annotations

from datetime import date

import pytest

from quizapp import db
from quizapp.participation.queries import participation
from tests import test_participation as tp
from tests import test_participation_pages as tpp
from tests.factories import NOW, add_attempt, add_offline, add_reflection, add_study, make_campaign

people, frozen = tp.people, tpp.frozen
counts, nov = tp.counts, tp.nov


def test_a_member_whose_only_activity_was_an_offline_session_took_part(org, people):
    # No offline session required: 10 minutes of study only.
    campaign = make_campaign(org.org1, "冬训学习", tp.FIRST, tp.LAST, 10, branches=[org.u1])
    add_offline(org.b11, nov(12), [org.org1, people.leaver])  # leaver: before leaving on 11-15
    add_offline(org.b11, nov(20), [org.org1])
    db.session.commit()

    report = participation(org.org1, campaign, tp.FIRST, tp.LAST, NOW, detail=True)

    # Eligible: B11 org1, m1, mover, activist; B12 leaver. Took part: org1 (2 sessions),
    # leaver (1). Nobody studied: nobody completed.
    assert counts(report, "eligible", "participants", "completed", "times") == {
        "U1": (5, 2, 0, 3),
        "B11": (4, 1, 0, 2),
        "B12": (1, 1, 0, 1),
        "B13": (0, 0, 0, 0),
    }
    assert report.top.participation_rate == pytest.approx(2 / 5)
    assert report.top.completion_rate == 0.0
    line = next(line for line in report.members if line.member_id == org.org1.id)
    assert (line.participated, line.completed, line.times) == (True, False, 2)
    assert line.missing == ["学习时长：已学 0 / 10 分钟"]


def test_times_count_each_occasion_and_are_never_fewer_than_participants(org, people):
    p = people
    quiz = tp._quiz(org, p, actor=org.org1, branches=[org.u1], attempts_allowed=2)
    campaign = make_campaign(
        org.org1,
        "冬训学习",
        tp.FIRST,
        tp.LAST,
        10,
        branches=[org.u1],
        quizzes=[(quiz, False)],
        reflections_required=1,
    )
    # m1: 2 study days, 1 offline session on one of them, 2 answer sheets, 1 accepted
    # reflection (a returned one does not count): 6 occasions.
    add_study(org.m1, p.material, nov(3), 300)
    add_study(org.m1, p.material, nov(4), 300)
    add_offline(org.b11, nov(3), [org.m1])
    add_attempt(org.m1, quiz, 1, 4, False)
    add_attempt(org.m1, quiz, 2, 8, True)
    add_reflection(org.m1, "accepted", campaign_id=campaign.id, submitted_at=tp._china(nov(5), 9))
    add_reflection(org.m1, "returned", campaign_id=campaign.id, submitted_at=tp._china(nov(6), 9))
    # mover: only an accepted reflection, written while still in B12: 1 occasion, in B11.
    add_reflection(p.mover, "accepted", campaign_id=campaign.id, submitted_at=tp._china(nov(8), 9))
    db.session.commit()

    report = participation(org.org1, campaign, tp.FIRST, tp.LAST, NOW)

    assert counts(report, "participants", "completed", "times") == {
        "U1": (2, 1, 7),
        "B11": (2, 1, 7),
        "B12": (0, 0, 0),
        "B13": (0, 0, 0),
    }
    assert all(row.times >= row.participants for row in report.rows)


@pytest.fixture()
def mid_november(org, people):
    """U1's campaign from 11-10 to 11-20, 10 minutes, and study around it."""
    p = people
    campaign = make_campaign(org.org1, "十日学习", nov(10), nov(20), 10, branches=[org.u1])
    add_study(p.mover, p.material, nov(5), 600)  # in B12, before the campaign
    add_study(org.m1, p.material, nov(12), 600)  # complete
    add_study(p.leaver, p.material, nov(14), 300)  # the day before leaving
    add_offline(org.b11, nov(25), [org.org1])  # after the campaign
    add_study(p.transfer, p.material, nov(12), 600)  # in B21 by then: not U1's
    db.session.commit()
    return campaign


def test_a_campaign_report_asked_for_more_days_counts_the_campaigns_own(org, mid_november):
    report = participation(org.org1, mid_november, tp.FIRST, tp.LAST, NOW)

    assert (report.first_day, report.last_day) == (nov(10), nov(20))
    # Eligible on 11-10..11-20: B11 org1, m1, mover (in B11 from 11-10), activist; B12 leaver.
    # Took part: m1, leaver; org1's session of 11-25 and mover's study of 11-05 are outside.
    assert counts(report, "eligible", "participants", "completed", "times") == {
        "U1": (5, 2, 1, 2),
        "B11": (4, 1, 1, 1),
        "B12": (1, 1, 0, 1),
        "B13": (0, 0, 0, 0),
    }
    # Minutes follow the clipped period too: B11 600 s / 4.
    assert counts(report, "average_minutes")["B11"] == (2.5,)


def test_a_shorter_period_judges_taking_part_on_its_days_and_completion_on_the_campaigns(
    org, mid_november
):
    report = participation(org.org1, mid_november, nov(15), nov(30), NOW)

    assert (report.first_day, report.last_day) == (nov(15), nov(20))
    # The leaver left on 11-15: not eligible. m1 studied on 11-12 (before the period) but
    # completed the campaign: completion follows the campaign's own days, and a member who
    # completed is counted as taking part.
    assert counts(report, "eligible", "participants", "completed", "times") == {
        "U1": (4, 1, 1, 0),
        "B11": (4, 1, 1, 0),
        "B12": (0, 0, 0, 0),
        "B13": (0, 0, 0, 0),
    }


def test_a_period_outside_the_campaign_is_refused(org, mid_november):
    with pytest.raises(ValueError):
        participation(org.org1, mid_november, date(2026, 12, 1), date(2026, 12, 5), NOW)


def test_the_page_clips_the_period_and_refuses_one_outside_the_campaign(
    client, auth, org, mid_november, frozen
):
    auth.login("org1")
    url = f"{tpp.BASE}/campaigns/{mid_november.id}"
    html = client.get(f"{url}?{tpp.NOVEMBER}").get_data(as_text=True)
    assert "2026-11-10 至 2026-11-20" in html
    assert "所选日期与学习任务起止日期重叠的日子" in html
    assert "参学率<br>2/5 人" in html and "完成率<br>1/5 人" in html
    response = client.get(f"{url}?first=2026-12-01&last=2026-12-05")
    assert response.status_code == 400
    assert "没有重叠" in response.get_data(as_text=True)


def test_the_quiz_results_page_labels_its_population_against_the_report(
    client, auth, org, people, make_member, frozen
):
    quiz = tp.quiz_scenario(org, people, actor=org.org1, branches=[org.u1])
    make_member("late", org.b11, name="后导入者", since=nov(25))  # imported after the quiz
    db.session.commit()

    # The report, for the quiz's own day (11-21), by membership history: B11 org1, m1,
    # mover (the leaver left on 11-15, the late member came on 11-25); m1, mover sat it.
    report = participation(org.org1, quiz, nov(21), nov(21), NOW)
    assert (report.top.eligible, report.top.participants) == (3, 2)

    # The results page counts members where they are now: the late member too, 2 of 4.
    auth.login("org1")
    html = client.get(f"/manage/results/quizzes/{quiz.id}").get_data(as_text=True)
    assert "2/4 人" in html
    assert "本页按人员现在的支部和账号状态统计" in html
    assert f'href="{tpp.BASE}/quizzes/{quiz.id}"' in html
    assert "与参学统计的区别" in html and "上报时请以参学统计为准" in html

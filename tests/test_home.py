"""The member's home (今日任务) and 我的 (study weeks, results, points) through the HTTP client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from quizapp import db
from quizapp.campaigns.services import set_published
from quizapp.practice.models import DailyQuestion
from tests.conftest import TODAY
from tests.factories import (
    NOW,
    ReviewWhen,
    add_attempt,
    add_points,
    add_study,
    make_campaign,
    make_material,
    make_quiz,
)

#: One task on the home page: (link, title, due label).
TASK = re.compile(
    r'<a class="task" href="(?P<url>[^"]+)">\s*<span class="task-head">\s*'
    r'<span class="member-name">(?P<title>[^<]+)</span>\s*'
    r'<span class="badge [^"]+">(?P<due>[^<]+)</span>'
)


@pytest.fixture()
def member(client, auth, org):
    """m1 (branch B11 of unit U1), logged in, at NOW (Saturday 21 November, 10:00 China)."""
    with time_machine.travel(NOW, tick=False):
        auth.login("m1")
        yield org.m1


@pytest.fixture()
def bank_size() -> int:
    return 2


def _tasks(client):
    html = client.get("/").get_data(as_text=True)
    return [(m["url"], m["title"], m["due"]) for m in TASK.finditer(html)], html


def _daily_done(member, day=TODAY, answered=5, total=5, bank=None):
    questions = bank["single"] + bank["multiple"] + bank["truefalse"]
    for position in range(total):
        db.session.add(
            DailyQuestion(
                member_id=member.id,
                day=day,
                position=position,
                question_id=questions[position].id,
                answered_at=NOW if position < answered else None,
                is_correct=True if position < answered else None,
            )
        )
    db.session.commit()


def _campaign(org, title, ends_on, **requirements):
    campaign = make_campaign(
        org.admin, title, TODAY - timedelta(days=5), ends_on, branches=[org.u1], **requirements
    )
    set_published(org.admin, campaign, True)
    db.session.commit()
    return campaign


# 今日任务


def test_tasks_across_campaigns_tests_and_daily_questions_most_urgent_first(
    client, member, org, bank
):
    reading = make_material(org, "纪律处分条例解读", branches=[org.u1], estimated_minutes=10)
    add_study(org.m1, reading, TODAY, 120)
    done = make_material(org, "已学完的资料", branches=[org.u1], estimated_minutes=1)
    add_study(org.m1, done, TODAY, 60)
    campaign_quiz = make_quiz(
        org.admin,
        [org.u1],
        questions=[bank["single"][0]],
        title="党章测试",
        lasts=timedelta(days=4),
    )
    campaign = _campaign(
        org,
        "党纪学习教育",
        TODAY + timedelta(days=1),
        minutes=60,
        materials=[reading, done],
        quizzes=[(campaign_quiz, True)],
        offline_sessions_required=1,
        reflections_required=1,
    )
    closing = make_quiz(
        org.admin, [org.u1], questions=[bank["single"][1]], title="今晚截止的测试"
    )  # closes at 12:00 China time today
    running_quiz = make_quiz(
        org.admin, [org.bureau], questions=[bank["truefalse"][0]], title="正在答的考试"
    )
    running = add_attempt(
        org.m1, running_quiz, status="in_progress", at=NOW, left=timedelta(minutes=30)
    )
    taken = make_quiz(org.admin, [org.u1], questions=[bank["fill"][0]], title="已交卷的测试")
    add_attempt(org.m1, taken, score=8, passed=True)
    make_quiz(org.admin, [org.u2], questions=[bank["fill"][1]], title="二分局的测试")
    make_quiz(
        org.admin,
        [org.u1],
        questions=[bank["multiple"][0]],
        title="下周的测试",
        opens_in=timedelta(days=7),
    )
    db.session.commit()

    tasks, html = _tasks(client)
    assert tasks == [
        (f"/attempts/{running.id}", "继续答题：正在答的考试", "今天 10:30 截止"),
        (f"/quizzes/{closing.id}", "参加测试：今晚截止的测试", "今天 12:00 截止"),
        ("/practice/daily", "每日答题", "今天截止"),
        (f"/study/materials/{reading.id}", "学习必学资料：纪律处分条例解读", "明天截止"),
        ("/study/", "完成学习时长：党纪学习教育", "明天截止"),
        (f"/campaigns/{campaign.id}", "参加线下学习：党纪学习教育", "明天截止"),
        (f"/reflections/new?campaign={campaign.id}", "撰写心得体会：党纪学习教育", "明天截止"),
        (f"/quizzes/{campaign_quiz.id}", "参加测试：党章测试", "11月25日 09:00 截止"),
    ]
    assert len(tasks) == 8
    assert "学习任务「党纪学习教育」 · 已学 2 / 10 分钟" in html
    assert "学习任务「党纪学习教育」 · 须及格 · 未参加" in html  # the campaign's reason
    assert "今天的 5 道题还没有答" in html
    for absent in ("已学完的资料", "已交卷的测试", "二分局的测试", "下周的测试"):
        assert absent not in html.split("今日任务")[1].split("通知")[0], absent
    # 今日任务 opens the page, before the notices.
    assert html.index("今日任务") < html.index("通知")


def test_the_campaign_ids_in_links_are_the_campaigns(client, member, org):
    campaign = _campaign(org, "党史学习", TODAY + timedelta(days=10), offline_sessions_required=2)
    tasks, _html = _tasks(client)
    assert (f"/campaigns/{campaign.id}", "参加线下学习：党史学习", "还有 10 天截止") in tasks


def test_a_failed_must_pass_test_with_attempts_left_is_a_task(client, member, org, bank):
    quiz = make_quiz(org.admin, [org.u1], questions=[bank["single"][0]], attempts_allowed=2)
    add_attempt(org.m1, quiz, score=2, passed=False)
    _campaign(org, "考试任务", TODAY + timedelta(days=3), quizzes=[(quiz, True)])
    tasks, html = _tasks(client)
    assert [t[0] for t in tasks] == [f"/quizzes/{quiz.id}", "/practice/daily"]
    assert "须及格 · 未及格" in html

    add_attempt(org.m1, quiz, 2, score=3, passed=False)  # no attempt left: nothing to do here
    db.session.commit()
    assert [t[0] for t in _tasks(client)[0]] == ["/practice/daily"]


def test_daily_questions_half_done_then_done(client, member, org, bank):
    _daily_done(org.m1, answered=2, bank=bank)
    tasks, html = _tasks(client)
    assert tasks == [("/practice/daily", "每日答题", "今天截止")] and "已答 2 / 5 题" in html
    db.session.query(DailyQuestion).update({"answered_at": NOW, "is_correct": True})
    db.session.commit()
    tasks, html = _tasks(client)
    assert tasks == []
    assert "今日任务都已完成。" in html


def test_tasks_are_tall_enough_to_tap_and_capped(client, member, org, bank):
    for i in range(10):
        make_quiz(org.admin, [org.u1], questions=[bank["single"][0]], title=f"测试{i}")
    tasks, html = _tasks(client)
    assert len(tasks) == 8
    assert "还有 3 项，查看全部学习任务" in html  # 10 tests and the daily questions


def test_home_is_a_fixed_number_of_queries(client, member, org, bank, queries):
    def grow(n):
        for i in range(n):
            material = make_material(org, f"资料{n}-{i}", branches=[org.u1])
            quiz = make_quiz(
                org.admin, [org.u1], questions=[bank["single"][i % 2]], title=f"测{n}-{i}"
            )
            add_attempt(org.m1, quiz, status="in_progress") if i % 2 else None
            _campaign(
                org,
                f"任务{n}-{i}",
                TODAY + timedelta(days=i + 1),
                minutes=30,
                materials=[material],
                quizzes=[(quiz, False)],
                offline_sessions_required=1,
            )

    grow(1)
    client.get("/")
    with queries() as few:
        assert client.get("/").status_code == 200
    grow(4)
    with queries() as many:
        assert client.get("/").status_code == 200
    assert len(many) == len(few)


def test_todays_and_this_weeks_minutes_have_one_decimal(client, member, org):
    material = make_material(org, "资料", branches=[org.u1])
    add_study(org.m1, material, TODAY, 90)  # 1.5 minutes, not 1
    add_study(org.m1, material, TODAY - timedelta(days=5), 69)  # Monday
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    minutes = re.findall(
        r'<span class="stat-value">([\d.]+)</span><span class="stat-label">'
        r"(今日学习|本周学习)（分钟）",
        html,
    )
    assert minutes == [("1.5", "今日学习"), ("2.7", "本周学习")]  # 159 s = 2.65, halves up
    # The same week on 我的 shows the same figure.
    assert '<span class="week-minutes">2.7 分钟</span>' in client.get("/me").get_data(as_text=True)


# 我的


def test_me_shows_study_weeks_with_one_decimal(client, member, org):
    material = make_material(org, "资料", branches=[org.u1])
    add_study(org.m1, material, TODAY, 125)  # this week (Monday 16 November)
    add_study(org.m1, material, TODAY - timedelta(days=5), 60)  # Monday: the same week
    add_study(org.m1, material, TODAY - timedelta(days=7), 93)  # last week
    add_study(org.m1, material, TODAY - timedelta(weeks=12), 600)  # before the 12 weeks
    db.session.commit()
    html = client.get("/me").get_data(as_text=True)
    weeks = re.findall(r'<span class="week-minutes">([\d.]+) 分钟</span>', html)
    assert len(weeks) == 12
    assert weeks[:3] == ["3.1", "1.6", "0.0"]  # 185 s, 93 s
    assert set(weeks[2:]) == {"0.0"}
    assert "本周" in html and "11月9日起" in html
    assert "学习记录（近 12 周）" in html


def test_me_without_study_says_how_to_start(client, member):
    html = client.get("/me").get_data(as_text=True)
    assert "近 12 周还没有学习记录" in html and 'href="/study/"' in html
    assert "还没有交过答卷" in html


def test_me_lists_results_with_scores_only_when_the_quiz_shows_them(
    client, member, org, bank, make_member
):
    shown, later, never = (
        make_quiz(org.admin, [org.u1], questions=[question], title=title, review_when=when)
        for question, title, when in [
            (bank["single"][0], "立即公布", ReviewWhen.IMMEDIATELY),
            (bank["single"][1], "结束后公布", ReviewWhen.AFTER_CLOSE),
            (bank["fill"][0], "不公布", ReviewWhen.NEVER),
        ]
    )
    first = add_attempt(org.m1, shown, 1, score=6, passed=True, at=NOW - timedelta(minutes=30))
    add_attempt(org.m1, later, 1, score=3, passed=False, at=NOW - timedelta(minutes=20))
    add_attempt(org.m1, never, 1, score=9.5, passed=True, at=NOW - timedelta(minutes=10))
    add_attempt(org.m1, shown, 2, status="in_progress")  # not a result yet
    add_attempt(make_member("m2", org.b11), shown, 1, score=1, passed=False)  # someone else's
    add_points(org.m1, 7, TODAY)
    add_points(org.m1, 5, TODAY - timedelta(days=40))
    db.session.commit()

    html = client.get("/me").get_data(as_text=True)
    results = html.split("我的成绩")[1]
    assert re.findall(r'class="member-name">([^<]+)<', results)[:3] == [
        "不公布",
        "结束后公布",
        "立即公布",
    ]
    assert "不公布成绩" in results and "考试结束后公布成绩" in results
    assert "9.5 分" not in results and "3 分" not in results  # nothing before it is published
    assert f'href="/attempts/{first.id}/result"' in results and "6 分" in results
    assert results.count("查看答卷") == 1 and "第 2 次" not in results
    assert "<strong>7</strong> 本月" in html and "<strong>12</strong> 累计" in html

    # After the close, the score and the review come out.
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        results = client.get("/me").get_data(as_text=True).split("我的成绩")[1]
    assert "3 分" in results and results.count("查看答卷") == 2 and "9.5 分" not in results


def test_all_results_are_paged_and_linked_from_me(client, member, org, bank):
    quiz = make_quiz(org.admin, [org.u1], questions=[bank["single"][0]], attempts_allowed=20)
    for n in range(1, 24):  # rows, not through the service
        add_attempt(org.m1, quiz, n, score=n % 11, passed=n % 2 == 0, at=NOW - timedelta(hours=n))
    db.session.commit()
    me = client.get("/me").get_data(as_text=True)
    assert me.count('class="result"') == 5 and 'href="/me/results">全部 23 次' in me
    page = client.get("/me/results").get_data(as_text=True)
    assert page.count('class="result"') == 20 and "第 1 / 2 页，共 23 次" in page
    assert page.count('class="result"') == 20
    second = client.get("/me/results?page=2").get_data(as_text=True)
    assert second.count('class="result"') == 3 and "第 23 次" in second
    # 我的 stays the active tab.
    assert (
        'class="active"' in page.split('aria-label="主导航"')[1].split("我的")[0].split("答题")[1]
    )


def test_me_pages_need_a_login(client, org):
    for path in ("/me", "/me/results"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_me_is_a_fixed_number_of_queries(client, member, org, bank, queries):
    material = make_material(org, "资料", branches=[org.u1])

    def grow(n):
        quiz = make_quiz(org.admin, [org.u1], questions=[bank["single"][0]], attempts_allowed=9)
        for i in range(n):
            add_study(org.m1, material, TODAY - timedelta(days=7 * i + n), 60)
            add_attempt(org.m1, quiz, i + 1, score=5, passed=True)
        db.session.commit()

    grow(1)
    client.get("/me")
    with queries() as few:
        assert client.get("/me").status_code == 200
    with queries() as few_results:
        assert client.get("/me/results").status_code == 200
    grow(5)
    with queries() as many:
        assert client.get("/me").status_code == 200
    with queries() as many_results:
        assert client.get("/me/results").status_code == 200
    assert len(many) == len(few) and len(many_results) == len(few_results)

"""Ranks (issue 14, item 7) and branch labels (item 4): the ranking rules (ties, non-takers,
the organiser's switches), what a member may see of them and when, the points page's switch,
and the one labelling rule for branches of the same name."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.attempts import standings
from quizapp.audiences.forms import branch_choices
from quizapp.org.labels import BranchNames
from quizapp.org.models import Branch, BranchKind
from quizapp.points.models import PointSettings
from quizapp.quizzes.models import QuizKind, RankingWhen
from quizapp.ranking import competition_ranks
from tests.conftest import _branch
from tests.factories import NOW, add_attempt, add_points, make_questions, make_quiz, quiz_form

OPEN = NOW + timedelta(minutes=30)  # the quizzes below run from NOW - 1 h to NOW + 2 h
CLOSED = NOW + timedelta(hours=3)


@pytest.fixture()
def contest(org, make_member):
    """A competition for U1 (B11: m1, org1, p1, p2; B12: q1, q2), closing at NOW + 2 h.

    m1 10 points in 600 s, p1 10 in 600 s (a tie), q1 10 in 300 s (fastest), q2 6,
    p2 and org1 absent. B11: 20 of 4 eligible = 5.0 per member; B12: 16 of 2 = 8.0.
    """
    people = {
        "p1": make_member("p1", org.b11, name="张甲"),
        "p2": make_member("p2", org.b11, name="张乙"),
        "q1": make_member("q1", org.b12, name="李甲"),
        "q2": make_member("q2", org.b12, name="李乙"),
    }
    bank = make_questions(org.admin, n_each=1)
    quiz = make_quiz(org.org1, [org.u1], questions=[bank["single"][0]], kind=QuizKind.COMPETITION)
    took = {"m1": 600, "p1": 600, "q1": 300, "q2": 600}
    scores = {"m1": 10, "p1": 10, "q1": 10, "q2": 6}
    members = {"m1": org.m1, **people}
    for key, seconds in took.items():
        add_attempt(
            members[key], quiz, score=scores[key], passed=True, took=timedelta(seconds=seconds)
        )
    db.session.commit()
    quiz.people = members
    return quiz


def test_competition_ranks_share_places_1_1_3():
    assert competition_ranks([9, 8, 8, 7, 7, 7, 1], key=lambda x: x) == [1, 2, 2, 4, 4, 4, 7]
    assert competition_ranks([], key=lambda x: x) == []


def test_members_rank_by_score_then_time_and_ties_share(org, contest):
    table = standings.quiz_standings(contest)
    people = contest.people
    place = {row.member_id: row.rank for row in table.rows}
    assert place[people["q1"].id] == 1  # 10 points, fastest
    assert place[people["m1"].id] == place[people["p1"].id] == 2  # same score and time
    assert place[people["q2"].id] == 4
    assert place[people["p2"].id] is None and place[org.org1.id] is None  # took no part


def test_branches_rank_over_eligible_members_non_takers_count_zero(org, contest):
    table = standings.quiz_standings(contest)
    lines = {line.branch.code: line for line in table.lines}
    b11, b12 = lines["B11"], lines["B12"]
    # B11's takers average 10 but half of its 4 members took no part: 20 / 4 = 5.
    assert (b11.average, b11.per_eligible, b11.participation_rate) == (10, 5, 0.5)
    assert (b12.average, b12.per_eligible, b12.participation_rate) == (8, 8, 1)
    assert [line.branch.code for line in table.lines] == ["B12", "B11"]
    assert (b12.rank, b11.rank) == (1, 2)
    assert (table.total.participants, table.total.eligible) == (4, 6)


def test_visibility_follows_the_organisers_setting(org, contest):
    assert contest.ranking_when == RankingWhen.AFTER_CLOSE  # competitions' default
    assert standings.member_ranking(contest, org.m1, OPEN) is None
    after = standings.member_ranking(contest, org.m1, CLOSED)
    assert after.mine.rank == 2 and after.personal and after.branch_id == org.b11.id

    contest.ranking_when = RankingWhen.LIVE.value
    assert standings.member_ranking(contest, org.m1, NOW - timedelta(hours=2)) is None
    assert standings.member_ranking(contest, org.m1, OPEN).mine.rank == 2

    contest.ranking_personal = False  # only the branches' table
    branch_only = standings.member_ranking(contest, org.m1, OPEN)
    assert branch_only.mine is None and not branch_only.personal
    assert [line.branch.code for line in branch_only.lines] == ["B12", "B11"]

    contest.ranking_when = RankingWhen.NEVER.value
    assert standings.member_ranking(contest, org.m1, CLOSED) is None


def test_other_quizzes_publish_no_ranking_unless_asked(org):
    bank = make_questions(org.admin, n_each=1)
    test = make_quiz(org.org1, [org.u1], questions=[bank["single"][0]])
    assert test.ranking_when == RankingWhen.NEVER and not test.is_ranked
    live = make_quiz(
        org.org1,
        [org.u1],
        questions=[bank["single"][0]],
        title="实时排名的测试",
        ranking_when=RankingWhen.LIVE,
    )
    assert live.ranking_when == RankingWhen.LIVE and live.is_ranked


def test_the_quiz_form_saves_the_ranking_settings(client, auth, org, time_machine):
    bank = make_questions(org.admin, n_each=1)
    db.session.commit()
    time_machine.move_to(NOW, tick=False)
    auth.login("org1")
    form = quiz_form(
        "竞赛",
        str(org.u1.id),
        bank["single"][0].key,
        kind="competition",
        closes_at="2026-11-22T10:00",
        **{f"points-{code}": "2" for code in ("single", "multiple", "truefalse", "fill", "essay")},
    )
    assert "向党员公布排名" in client.get("/manage/quizzes/new").get_data(as_text=True)
    assert client.post("/manage/quizzes/new", data=form).status_code == 302
    assert (
        client.post(
            "/manage/quizzes/new", data={**form, "title": "实时", "ranking_when": "live"}
        ).status_code
        == 302
    )
    from quizapp.quizzes.models import Quiz

    saved = {q.title: q for q in db.session.scalars(select(Quiz))}
    # Nothing chosen: the kind's default; the box not ticked: no personal places.
    assert (saved["竞赛"].ranking_when, saved["竞赛"].ranking_personal) == ("after_close", False)
    assert saved["实时"].ranking_when == "live"


# What a member may see, and when


def test_member_pages_show_the_ranking_only_once_allowed(client, auth, org, contest, time_machine):
    attempt_id = next(a.id for a in _attempts(contest) if a.member_id == org.m1.id)
    time_machine.move_to(OPEN, tick=False)
    auth.login("m1")
    assert client.get(f"/quizzes/{contest.id}/ranking").status_code == 404
    before = client.get(f"/quizzes/{contest.id}").get_data(as_text=True)
    assert "查看排名" not in before and "您的名次" not in before
    assert "您的名次" not in client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)

    time_machine.move_to(CLOSED, tick=False)
    page = client.get(f"/quizzes/{contest.id}/ranking")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "您的名次：第 <strong" in body and ">2</strong> 名" in body
    assert "排名依据：" in body and "未参加的人员按 0 分计" in body
    # Branch figures only: no other member's name, score or answers.
    for name in ("张甲", "张乙", "李甲", "李乙", "一分局管理员"):
        assert name not in body
    assert "查看排名" in client.get(f"/quizzes/{contest.id}").get_data(as_text=True)
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "您的名次" in result and "二所党支部" in result


def test_no_ranking_for_a_quiz_that_publishes_none_or_a_member_outside_it(
    client, auth, org, contest, make_member, time_machine
):
    make_member("out", org.b21, name="外单位党员")
    db.session.commit()
    time_machine.move_to(CLOSED, tick=False)
    auth.login("out")  # not in U1's audience
    assert client.get(f"/quizzes/{contest.id}/ranking").status_code == 404
    auth.switch_to("org2")
    assert client.get(f"/quizzes/{contest.id}/ranking").status_code == 404
    auth.logout()
    contest.ranking_when = RankingWhen.NEVER.value
    db.session.commit()
    auth.login("m1")
    assert client.get(f"/quizzes/{contest.id}/ranking").status_code == 404
    auth.logout()
    assert client.get(f"/quizzes/{contest.id}/ranking").status_code == 302  # to the login


def test_with_personal_places_off_members_see_only_the_branches(
    client, auth, org, contest, time_machine
):
    contest.ranking_personal = False
    db.session.commit()
    time_machine.move_to(CLOSED, tick=False)
    auth.login("m1")
    body = client.get(f"/quizzes/{contest.id}/ranking").get_data(as_text=True)
    assert "您的名次" not in body and "不公布个人名次" in body and "一所党支部" in body


def test_the_organisers_page_says_how_it_ranks(client, auth, org, contest, time_machine):
    time_machine.move_to(CLOSED, tick=False)
    auth.login("org1")
    body = client.get(f"/manage/results/quizzes/{contest.id}").get_data(as_text=True)
    assert "排名依据：" in body and "人均得分" in body
    assert body.index("二所党支部") < body.index("一所党支部")  # B12 ranks first


# The points lists


def test_points_page_shows_the_branch_list_and_the_switch_hides_personal_ranks(
    client, auth, org, make_member, time_machine
):
    time_machine.move_to(NOW, tick=False)
    other = make_member("p1", org.b11, name="张甲")
    add_points(org.m1, 5, date(2026, 11, 3))
    add_points(other, 9, date(2026, 11, 4))
    db.session.commit()
    auth.login("m1")
    body = client.get("/points").get_data(as_text=True)
    assert "本月红黄蓝榜" in body and "排名依据：" in body
    assert "在本支部 3 人中排第 <strong>2</strong> 名" in body  # 张甲 9, m1 5, org1 0
    assert "张甲" not in body  # no other member's name or points

    db.session.add(PointSettings(id=1, red_min=30, yellow_min=15, members_see_rank=False))
    db.session.commit()
    hidden = client.get("/points").get_data(as_text=True)
    assert "在本支部" not in hidden and "本局不公布个人积分排名" in hidden
    assert "一所党支部" in hidden  # the branch's place stays


def test_only_admins_turn_the_personal_points_ranking_off(client, auth, org):
    form = {"red_min": "30", "yellow_min": "15"}
    auth.login("org1")
    assert client.post("/manage/points/settings", data=form).status_code == 403
    auth.switch_to("admin")
    page = client.get("/manage/points/settings").get_data(as_text=True)
    assert "党员可以看到本人在支部内的积分名次" in page
    for key in ("minutes", "daily_questions", "quiz_passed", "offline", "reflection"):
        for part in ("points", "cap", "enabled", "unit"):
            form.setdefault(f"{key}_{part}", "1" if part != "enabled" else "y")
    assert client.post("/manage/points/settings", data=form).status_code == 302
    assert db.session.get(PointSettings, 1).members_see_rank is False
    form["members_see_rank"] = "y"
    client.post("/manage/points/settings", data=form)
    db.session.expire_all()
    assert db.session.get(PointSettings, 1).members_see_rank is True


# Branch labels


@pytest.fixture()
def twins(org):
    """Two 刑侦大队党支部 (in 第一分局 and 第二分局) and one at the bureau's level."""
    a = _branch(org.u1, BranchKind.BRANCH, "XZ1", "刑侦大队党支部", 5)
    b = _branch(org.u2, BranchKind.BRANCH, "XZ2", "刑侦大队党支部", 5)
    c = _branch(org.bureau, BranchKind.BRANCH, "XZ0", "刑侦大队党支部", 9)
    db.session.commit()
    return a, b, c


def test_a_shared_name_gets_the_shortest_part_of_its_path_that_tells_it_apart(org, twins):
    a, b, c = twins
    names = BranchNames.load()
    assert names(org.b11) == "一所党支部"  # unique: the name alone
    assert names(a) == "第一分局 / 刑侦大队党支部"
    assert names(b) == "第二分局 / 刑侦大队党支部"
    assert names(c) == "测试市公安局 / 刑侦大队党支部"
    assert names(a.id) == names(a) and names(None) == ""
    labels = {choice.label.strip("　") for choice in branch_choices([a, b, org.b11])}
    assert labels == {"第一分局 / 刑侦大队党支部", "第二分局 / 刑侦大队党支部", "一所党支部"}


def test_units_of_one_name_in_two_places_go_one_level_up(org):
    for parent, code in ((org.u1, "A"), (org.u2, "B")):
        unit = _branch(parent, BranchKind.UNIT, f"CG{code}", "城关派出所")
        _branch(unit, BranchKind.BRANCH, f"CG{code}1", "刑侦中队党支部")
    db.session.commit()
    labels = sorted(
        BranchNames.load()(branch)
        for branch in db.session.scalars(select(Branch).where(Branch.name == "刑侦中队党支部"))
    )
    assert labels == [
        "第一分局 / 城关派出所 / 刑侦中队党支部",
        "第二分局 / 城关派出所 / 刑侦中队党支部",
    ]


def test_labels_cost_one_query_whatever_the_rows(client, auth, org, twins, make_member, queries):
    a, b, _ = twins
    auth.login("admin")

    def statements() -> int:
        with queries() as done:
            page = client.get("/manage/members/").get_data(as_text=True)
        assert "第一分局 / 刑侦大队党支部" in page
        return len(done)

    make_member("t1", a, name="队员一")
    db.session.commit()
    few = statements()
    for i in range(10):
        make_member(f"t{i + 2}", (a, b)[i % 2], name=f"队员{i + 2}")
    db.session.commit()
    assert statements() == few


def _attempts(quiz):
    from quizapp.quizzes.attempt_models import Attempt

    return list(db.session.scalars(select(Attempt).where(Attempt.quiz_id == quiz.id)))


def test_the_demo_shows_ranks_and_same_named_branches(app, runner, client):
    from quizapp.quizzes.models import Quiz

    assert runner.invoke(args=["demo"]).exit_code == 0
    contest = db.session.scalar(select(Quiz).where(Quiz.kind == QuizKind.COMPETITION.value))
    assert contest.ranking_when == RankingWhen.AFTER_CLOSE  # it closed three days ago
    client.post("/login", data={"login_id": "m0001", "password": "demo123456"})
    body = client.get(f"/quizzes/{contest.id}/ranking").get_data(as_text=True)
    assert "您的名次" in body and "城关派出所党支部" in body
    client.post("/logout")
    client.post("/login", data={"login_id": "admin", "password": "demo123456"})
    members = client.get("/manage/members/").get_data(as_text=True)
    assert "城关分局 / 刑侦大队党支部" in members and "经济开发区分局 / 刑侦大队党支部" in members


# The review (item 8)


def test_the_review_reads_as_practice_and_hides_what_the_quiz_keeps(
    client, auth, org, time_machine
):
    from quizapp.attempts import services as attempts

    bank = make_questions(org.admin, n_each=1)
    fill = bank["fill"][0]
    fill.answer = [["惩前毖后", "惩前毖后，治病救人"]]
    quizzes = [
        make_quiz(org.admin, [org.u1], questions=[fill, bank["single"][0]], title=title, **policy)
        for title, policy in (
            ("公布答案", {}),
            ("只公布解析", {"review_show_answers": False}),
        )
    ]
    time_machine.move_to(NOW, tick=False)
    pages = []
    for quiz in quizzes:
        attempt, _ = attempts.start_attempt(org.m1, quiz, NOW)
        attempts.submit_attempt(attempt, NOW + timedelta(minutes=1))
        db.session.commit()
        pages.append(attempt.id)
    auth.login("m1")
    shown = client.get(f"/attempts/{pages[0]}/result").get_data(as_text=True)
    assert "正确答案：<strong>惩前毖后 或 惩前毖后，治病救人</strong>" in shown
    assert "|" not in shown.split("答题详情")[1].split("</section>")[0]
    assert shown.count('class="review-item practice-item" data-result=') == 2
    assert "/static/js/practice.js" in shown
    kept = client.get(f"/attempts/{pages[1]}/result").get_data(as_text=True)
    assert "data-result" not in kept and "正确答案" not in kept
    assert "您的答案：未作答" in kept and "第八条。" in kept  # the explanation is published

"""Probing issue 14's new pages as the people who want more than they may have: a member after
a score or a colleague's result, a unit organiser after another unit's people or the bureau's
work to change, a shared phone. Each test fails if the protection it names is removed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp import db
from quizapp.quizzes.models import RankingWhen, ReviewWhen
from tests.factories import NOW, add_attempt, make_material, make_quiz

RUNNING = NOW + timedelta(minutes=30)  # the quizzes below run from NOW - 1 h to NOW + 2 h
CLOSED = NOW + timedelta(hours=3)


@pytest.fixture()
def bank_size() -> int:
    return 1


def _ranked_quiz(org, make_member, bank, review_when, ranking_when):
    """A U1 test ranked for members; m1 (B11, with org1: 2 eligible) hands in 7 of 10 first."""
    make_member("q1", org.b12, name="李甲")
    quiz = make_quiz(
        org.org1,
        [org.u1],
        questions=[bank["single"][0]],
        review_when=review_when,
        ranking_when=ranking_when,
        title="排名探测",
    )
    attempt = add_attempt(org.m1, quiz, score=7, passed=True)
    db.session.commit()
    return quiz, attempt


# A member's own score, before the quiz publishes it, through the ranking


@pytest.mark.parametrize(
    ("review_when", "ranking_when", "moment"),
    [
        (ReviewWhen.AFTER_CLOSE, RankingWhen.LIVE, RUNNING),  # 考试结束后公布, ranked live
        (ReviewWhen.NEVER, RankingWhen.LIVE, RUNNING),  # 不公布, ranked live
        (ReviewWhen.NEVER, RankingWhen.AFTER_CLOSE, CLOSED),  # 不公布, ranked after the close
    ],
)
def test_the_ranking_tells_no_score_the_quiz_does_not_publish_yet(
    client, auth, org, make_member, bank, time_machine, review_when, ranking_when, moment
):
    # B11's line reads 参考率 50%, 人均得分 3.5: m1's hidden score is 3.5 / 50% = 7.
    quiz, attempt = _ranked_quiz(org, make_member, bank, review_when, ranking_when)
    time_machine.move_to(moment, tick=False)
    auth.login("m1")
    results = client.get("/me/results").get_data(as_text=True)
    assert "7 分" not in results  # the score is withheld here...
    assert client.get(f"/quizzes/{quiz.id}/ranking").status_code == 404  # ...and here
    for page in (f"/quizzes/{quiz.id}", f"/attempts/{attempt.id}/result"):
        body = client.get(page).get_data(as_text=True)
        assert "人均得分" not in body and "您的名次" not in body and "3.5" not in body


def test_the_ranking_opens_with_the_published_scores(
    client, auth, org, make_member, bank, time_machine
):
    quiz, _ = _ranked_quiz(org, make_member, bank, ReviewWhen.AFTER_CLOSE, RankingWhen.LIVE)
    time_machine.move_to(CLOSED, tick=False)
    auth.login("m1")
    body = client.get(f"/quizzes/{quiz.id}/ranking").get_data(as_text=True)
    assert "您的名次" in body and "3.5" in body
    assert "李甲" not in body and "一分局管理员" not in body  # never another member's name
    quiz.ranking_when = RankingWhen.NEVER.value  # the switch still rules
    db.session.commit()
    assert client.get(f"/quizzes/{quiz.id}/ranking").status_code == 404


# A unit organiser and the bureau's work: another unit's people, the bureau's drafts, writes


@pytest.fixture()
def bureau_work(org, make_member, bank):
    """The bureau's test for the whole bureau (m1 in U1 and 丁 in U2 sat it), its test for U2
    only, its draft, and its material for U2 only."""
    ding = make_member("d1", org.b21, name="丁某")
    everyone = make_quiz(org.admin, [org.bureau], questions=[bank["single"][0]], title="全局测试")
    u2_only = make_quiz(org.admin, [org.u2], questions=[bank["single"][0]], title="二分局专项")
    draft = make_quiz(
        org.admin, [org.bureau], questions=[bank["single"][0]], publish=False, title="全局草稿"
    )
    mine = add_attempt(org.m1, everyone, score=8, passed=True)
    theirs = add_attempt(ding, everyone, score=3, passed=False)
    sibling = add_attempt(ding, u2_only, score=5, passed=False)
    material = make_material(org, "二分局资料", branches=[org.u2])
    db.session.commit()
    return {
        "everyone": everyone,
        "u2_only": u2_only,
        "draft": draft,
        "mine": mine,
        "theirs": theirs,
        "sibling": sibling,
        "material": material,
    }


def test_a_unit_organiser_reads_the_bureaus_quiz_for_their_own_people_only(
    client, auth, org, bureau_work, time_machine
):
    time_machine.move_to(CLOSED, tick=False)
    everyone = bureau_work["everyone"]
    auth.login("org1")
    results = client.get(f"/manage/results/quizzes/{everyone.id}")
    assert results.status_code == 200
    assert "普通党员" in results.get_data(as_text=True)
    assert "丁某" not in results.get_data(as_text=True)
    assert client.get(f"/manage/results/attempts/{bureau_work['mine'].id}").status_code == 200
    # 丁 sits in U2: their sheet is not U1's to read, whoever owns the quiz.
    assert client.get(f"/manage/results/attempts/{bureau_work['theirs'].id}").status_code == 404
    export = client.get(f"/manage/results/quizzes/{everyone.id}/export.csv")
    assert export.status_code == 200 and "丁某" not in export.data.decode("utf-8-sig")


@pytest.mark.parametrize(
    "path",
    [
        "/manage/quizzes/{u2_only}",
        "/manage/results/quizzes/{u2_only}",
        "/manage/results/quizzes/{u2_only}/items",
        "/manage/results/quizzes/{u2_only}/export.xlsx",
        "/manage/results/attempts/{sibling}",
        "/manage/quizzes/{draft}",
        "/manage/results/quizzes/{draft}",
        "/manage/materials/{material}",
        "/manage/materials/{material}/learners",
        "/manage/materials/{material}/learners.xlsx",
    ],
)
def test_a_unit_organiser_types_the_ids_of_the_bureaus_work_for_a_sibling_unit(
    client, auth, org, bureau_work, time_machine, path
):
    time_machine.move_to(CLOSED, tick=False)
    ids = {name: row.id for name, row in bureau_work.items()}
    url = path.format(**ids)
    auth.login("org2")  # U2 reads the bureau's work for U2...
    if "{draft}" not in path:
        assert client.get(url).status_code == 200, url
    auth.logout()
    auth.login("org1")  # ...U1, its sibling, finds nothing there
    assert client.get(url).status_code == 404, url


def test_a_read_only_viewer_changes_nothing_of_the_bureaus_quiz(
    client, auth, org, bureau_work, time_machine
):
    everyone = bureau_work["everyone"]
    auth.login("org1")
    assert client.get(f"/manage/quizzes/{everyone.id}").status_code == 200  # reads it
    base = f"/manage/quizzes/{everyone.id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.post(f"{base}/edit", data={"title": "改"}).status_code == 404
    assert client.get(f"{base}/preview").status_code == 404  # a paper with its answers
    assert client.post(f"{base}/publish", data={"published": "0"}).status_code == 404
    assert client.post(f"{base}/release-practice").status_code == 404
    assert db.session.get(type(everyone), everyone.id).status == "published"


# A shared phone


def test_the_page_after_logout_tells_the_offline_shell_to_forget_the_member(client, auth, org):
    auth.login("m1")
    home = client.get("/").get_data(as_text=True)
    assert f'data-member="{org.m1.id}"' in home and "sw-register.js" in home
    auth.logout()
    login = client.get("/login").get_data(as_text=True)
    assert "sw-register.js" in login and 'data-member=""' in login


def test_the_worker_keeps_attempt_pages_only(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    source = worker.get_data(as_text=True)
    assert "var ATTEMPT_PAGE = /^\\/attempts\\/(\\d+)$/;" in source
    assert 'if (request.method !== "GET") return;' in source
    assert "/manage" not in source

"""Quiz management pages: create, edit, show, preview and publish, through the HTTP client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.attempts.services import start_attempt
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import DrawRule, Quiz, QuizKind, QuizQuestion
from tests.factories import NOW, make_quiz


def _category_id(name: str) -> int:
    from quizapp.bank.models import Category

    return db.session.scalar(select(Category.id).where(Category.name == name))


def _form(org, **changes) -> dict:
    """A complete, valid quiz form for org1: two fixed questions and one draw rule."""
    form = {
        "title": "纪律处分条例学习测试",
        "description": "第一季度学习测试。",
        "kind": "exam",
        "opens_at": "2026-11-21T10:00",
        "closes_at": "2026-11-28T18:30",
        "time_limit_minutes": "30",
        "attempts_allowed": "2",
        "counting": "latest",
        "pass_percent": "80",
        "points-single": "2",
        "points-multiple": "4",
        "points-truefalse": "1",
        "points-fill": "2.5",
        "points-essay": "10",
        "partial_credit": "y",
        "shuffle_questions": "y",
        "review_when": "after_close",
        "review_show_answers": "y",
        "leave_policy": "submit",
        "leave_limit": "3",
        "branch_ids": [str(org.b11.id), str(org.b12.id)],
        "statuses": ["full", "probationary"],
        "roster": "",
        "question_keys": "s0\nm0",
        "rules-0-type": "truefalse",
        "rules-0-category_id": "",
        "rules-0-difficulty_min": "1",
        "rules-0-difficulty_max": "5",
        "rules-0-count": "2",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _only_quiz() -> Quiz:
    db.session.expire_all()
    return db.session.scalars(select(Quiz)).one()


def _body(response) -> str:
    return response.get_data(as_text=True)


def _value(body: str, name: str) -> str | None:
    """Return what the page puts in input ``name`` (WTForms writes attributes sorted)."""
    found = re.search(rf'<input[^>]* name="{name}"[^>]* value="([^"]*)"', body)
    return found and found.group(1)


def _selected(body: str, name: str) -> str | None:
    """Return the selected option of select ``name``."""
    found = re.search(
        rf'<select[^>]* name="{name}"[^>]*>.*?<option selected value="([^"]*)"', body, re.DOTALL
    )
    return found and found.group(1)


def _textarea(body: str, name: str) -> str | None:
    """Return the text of textarea ``name`` (WTForms starts it with a line break)."""
    found = re.search(rf'<textarea[^>]* name="{name}"[^>]*>\r?\n(.*?)</textarea>', body, re.DOTALL)
    return found and found.group(1)


def _checked(body: str, name: str) -> list[str]:
    """Return the values of the checked checkboxes called ``name``."""
    return re.findall(rf'<input type="checkbox" name="{name}" value="([^"]*)" checked>', body)


def test_create_with_fixed_questions_and_rules(client, auth, org, bank):
    auth.login("org1")
    page = client.get("/manage/quizzes/new")
    assert page.status_code == 200
    assert "一所党支部" in _body(page) and "三所党支部" not in _body(page)

    response = client.post("/manage/quizzes/new", data=_form(org))
    assert response.status_code == 302
    quiz = _only_quiz()
    assert response.headers["Location"] == f"/manage/quizzes/{quiz.id}"
    assert (quiz.title, quiz.kind, quiz.status) == ("纪律处分条例学习测试", "exam", "draft")
    assert quiz.owner_branch_id == org.u1.id
    assert (quiz.time_limit_minutes, quiz.attempts_allowed, quiz.counting) == (30, 2, "latest")
    assert (quiz.pass_percent, quiz.partial_credit, quiz.leave_limit) == (80, True, 3)
    assert quiz.leave_policy == "submit"
    assert (quiz.shuffle_questions, quiz.shuffle_options) == (True, False)
    assert (quiz.review_when, quiz.review_show_answers, quiz.review_show_explanations) == (
        "after_close",
        True,
        False,
    )
    assert quiz.points == {"single": 2, "multiple": 4, "truefalse": 1, "fill": 2.5, "essay": 10}
    assert [fq.question.key for fq in quiz.fixed_questions] == ["s0", "m0"]
    assert [(r.type, r.category_id, r.count) for r in quiz.draw_rules] == [("truefalse", None, 2)]
    assert sorted(b.id for b in quiz.audience.branches) == sorted([org.b11.id, org.b12.id])
    assert quiz.audience.status_list == ["full", "probationary"]

    shown = _body(client.get(response.headers["Location"]))
    assert "纪律处分条例学习测试" in shown and "草稿" in shown
    assert "每份试卷 4 题，满分 8 分" in shown  # 2 + 4 fixed, 2 × 1 drawn
    assert "一所党支部、二所党支部的正式党员、预备党员" in shown
    assert "2026-11-21 10:00" in shown and "2026-11-28 18:30" in shown


def test_window_is_entered_and_shown_in_china_time(client, auth, org, bank):
    auth.login("org1")
    client.post(
        "/manage/quizzes/new",
        data=_form(org, opens_at="2026-11-21T10:00", closes_at="2026-11-22T07:59"),
    )
    quiz = _only_quiz()
    assert quiz.opens_at == datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    assert quiz.closes_at == datetime(2026, 11, 21, 23, 59, tzinfo=UTC)
    edit = _body(client.get(f"/manage/quizzes/{quiz.id}/edit"))
    assert 'value="2026-11-21T10:00"' in edit and 'value="2026-11-22T07:59"' in edit
    listed = _body(client.get("/manage/quizzes/"))
    assert "2026-11-21 10:00 至 2026-11-22 07:59" in listed


def test_new_form_has_sensible_defaults(client, auth, org, time_machine):
    time_machine.move_to(NOW, tick=False)
    auth.login("org1")
    page = _body(client.get("/manage/quizzes/new"))
    assert (_value(page, "opens_at"), _value(page, "closes_at")) == (
        "2026-11-21T10:00",
        "2026-11-28T10:00",
    )
    assert (_value(page, "pass_percent"), _value(page, "attempts_allowed")) == ("60", "1")
    assert [_value(page, f"points-{t}") for t in ("single", "multiple", "truefalse", "fill")] == [
        "2",
        "3",
        "1",
        "2",
    ]
    assert _checked(page, "branch_ids") == [] and _value(page, "rules-0-count") == ""
    # One blank rule row shows; the other five wait behind 再添加抽题规则.
    shown, more = page.split("再添加抽题规则")
    assert shown.count('name="rules-') == 5 and more.count('name="rules-') == 25


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"closes_at": "2026-11-21T09:00"}, "结束时间必须晚于开始时间"),
        ({"rules-0-count": "5"}, "判断题只有 3 道，不够抽取 5 道"),
        ({"question_keys": "s0\nnope-1\nm0\nnope-2"}, "题库中没有这些编号：nope-1、nope-2"),
        (
            {"roster": "m1\nx404\n13900000000"},
            "找不到这些人员，或不在您的管理范围内：x404、13900000000",
        ),
        ({"roster": "org2"}, "找不到这些人员，或不在您的管理范围内：org2"),
        ({"branch_ids": [], "roster": ""}, "请选择参加的组织，或填写参加人员名单"),
        ({"question_keys": "", "rules-0-count": ""}, "试卷中没有题目"),
    ],
)
def test_bad_input_saves_nothing_and_keeps_what_was_typed(
    client, auth, org, bank, changes, message
):
    auth.login("org1")
    response = client.post("/manage/quizzes/new", data=_form(org, **changes))
    assert response.status_code == 200
    body = _body(response)
    assert message in body
    assert _count(Quiz) == 0 and _count(QuizQuestion) == 0 and _count(DrawRule) == 0
    # Every input comes back as typed.
    typed = _form(org, **changes)
    assert _value(body, "title") == "纪律处分条例学习测试"
    assert "第一季度学习测试。</textarea>" in body
    for name in (
        "opens_at",
        "closes_at",
        "time_limit_minutes",
        "attempts_allowed",
        "pass_percent",
        "points-fill",
        "leave_limit",
    ):
        assert _value(body, name) == typed[name], name
    assert 'checked id="kind-1"' in body  # 考试
    assert _checked(body, "branch_ids") == typed["branch_ids"]
    assert _checked(body, "statuses") == ["full", "probationary"]
    assert _selected(body, "counting") == "latest"
    assert _selected(body, "rules-0-type") == "truefalse"
    assert _value(body, "rules-0-count") == typed["rules-0-count"]
    assert _textarea(body, "question_keys") == typed["question_keys"]
    assert _textarea(body, "roster") == typed["roster"]


def test_every_problem_shows_at_once(client, auth, org, bank):
    auth.login("org1")
    response = client.post(
        "/manage/quizzes/new",
        data=_form(
            org, title="", question_keys="nope-1", roster="x404", **{"rules-0-count": "500"}
        ),
    )
    body = _body(response)
    assert "还没有保存" in body and "请填写标题" in body
    assert "题库中没有这些编号：nope-1" in body and "找不到这些人员" in body
    assert "题数应为 1 至 200" in body
    assert _count(Quiz) == 0


def test_retired_question_key_is_named(client, auth, org, bank):
    bank["single"][1].is_active = False
    db.session.commit()
    auth.login("org1")
    body = _body(client.post("/manage/quizzes/new", data=_form(org, question_keys="s0\ns1")))
    assert "这些题目已停用，不能再组卷：s1" in body
    assert _count(Quiz) == 0


def test_roster_by_police_number_or_phone(client, auth, org, bank, make_member):
    make_member("p2001", org.b12, name="培训学员", phone="13800000001")
    db.session.commit()
    auth.login("org1")
    response = client.post(
        "/manage/quizzes/new", data=_form(org, branch_ids=[], roster="m1\n138-0000-0001\n m1 ")
    )
    assert response.status_code == 302
    quiz = _only_quiz()
    assert sorted(m.name for m in quiz.audience.roster) == ["培训学员", "普通党员"]
    assert "指定名单（2 人）" in _body(client.get(f"/manage/quizzes/{quiz.id}"))
    edit = _body(client.get(f"/manage/quizzes/{quiz.id}/edit"))
    assert sorted(_textarea(edit, "roster").split("\n")) == ["m1", "p2001"]


def test_edit(client, auth, org, bank):
    quiz = make_quiz(
        org.org1,
        [org.b11],
        questions=[bank["single"][0]],
        publish=False,
        rules=[{"type": "multiple", "count": 2, "difficulty_min": 2}],
        statuses=["probationary"],
        points={"single": 2, "multiple": 3.5, "truefalse": 1, "fill": 2, "essay": 10},
    )
    auth.login("org1")
    page = _body(client.get(f"/manage/quizzes/{quiz.id}/edit"))
    assert _value(page, "title") == "纪律处分条例测试"
    assert (_value(page, "opens_at"), _value(page, "closes_at")) == (
        "2026-11-21T09:00",
        "2026-11-21T12:00",
    )  # NOW - 1 h, + 3 h, in China time
    assert [_value(page, f"points-{t}") for t in ("single", "multiple", "truefalse", "fill")] == [
        "2",
        "3.5",
        "1",
        "2",
    ]
    assert _textarea(page, "question_keys") == "s0"
    assert _checked(page, "branch_ids") == [str(org.b11.id)]
    assert _checked(page, "statuses") == ["probationary"]
    assert (
        _selected(page, "rules-0-type"),
        _selected(page, "rules-0-difficulty_min"),
        _value(page, "rules-0-count"),
    ) == ("multiple", "2", "2")
    assert _value(page, "rules-1-count") == ""
    response = client.post(
        f"/manage/quizzes/{quiz.id}/edit",
        data=_form(
            org,
            title="改过的测试",
            question_keys="f0",
            **{
                "rules-0-type": "single",
                "rules-0-category_id": str(_category_id("纪律")),
                "rules-0-difficulty_min": "2",
                "rules-0-difficulty_max": "2",
                "rules-1-type": "fill",
                "rules-1-count": "1",
            },
        ),
    )
    assert response.status_code == 302
    quiz = _only_quiz()
    assert quiz.title == "改过的测试"
    assert [fq.question.key for fq in quiz.fixed_questions] == ["f0"]
    assert [
        (r.type, r.category and r.category.name, r.difficulty_min, r.difficulty_max, r.count)
        for r in quiz.draw_rules
    ] == [("single", "纪律", 2, 2, 2), ("fill", None, 1, 5, 1)]


def test_edit_refused_by_the_service_keeps_the_quiz(client, auth, org, bank):
    quiz = make_quiz(org.org1, [org.b11], questions=[bank["single"][0]], publish=False)
    auth.login("org1")
    response = client.post(
        f"/manage/quizzes/{quiz.id}/edit",
        data=_form(org, title="不该保存", **{"rules-0-count": "9"}),
    )
    assert response.status_code == 200
    assert "不够抽取 9 道" in _body(response) and 'value="不该保存"' in _body(response)
    assert _only_quiz().title == "纪律处分条例测试"


def test_publish_and_withdraw(client, auth, org, bank):
    quiz = make_quiz(org.org1, [org.b11], questions=[bank["single"][0]], publish=False)
    auth.login("org1")
    client.post(f"/manage/quizzes/{quiz.id}/publish", data={"published": "1"})
    assert _only_quiz().status == "published"
    assert "撤回为草稿" in _body(client.get(f"/manage/quizzes/{quiz.id}"))
    client.post(f"/manage/quizzes/{quiz.id}/publish", data={"published": "0"})
    assert _only_quiz().status == "draft"


def test_withdraw_refused_once_attempts_exist(client, auth, org, bank):
    quiz = make_quiz(org.org1, [org.b11], questions=[bank["single"][0]])
    start_attempt(org.m1, quiz, NOW)
    db.session.commit()
    auth.login("org1")
    page = _body(client.get(f"/manage/quizzes/{quiz.id}"))
    assert "已有 1 份答卷，不能撤回为草稿" in page and 'name="published" value="0"' not in page
    response = client.post(
        f"/manage/quizzes/{quiz.id}/publish", data={"published": "0"}, follow_redirects=True
    )
    assert "已有 1 份答卷，不能撤回" in _body(response)
    assert _only_quiz().status == "published"


def test_preview_draws_a_paper_and_saves_nothing(client, auth, org, bank):
    quiz = make_quiz(
        org.org1,
        [org.b11],
        questions=[bank["fill"][0]],
        rules=[{"type": "single", "count": 2}, {"type": "multiple", "count": 1}],
    )
    before = (_count(Attempt), _count(Quiz), _count(QuizQuestion), _count(DrawRule))
    auth.login("org1")
    response = client.get(f"/manage/quizzes/{quiz.id}/preview")
    assert response.status_code == 200
    body = _body(response)
    assert "共 4 题，满分 9 分" in body
    assert body.count('class="question"') == 4
    inputs = re.findall(r"<input[^>]*>", body.split('class="question"', 1)[1])
    assert len(inputs) == 1 + 2 * 4 + 4  # one blank, two singles and a multiple of 4 options
    assert all("disabled" in tag for tag in inputs)
    assert "正确答案：惩前毖后" in body
    assert body.count("正确答案：") == 4
    db.session.expire_all()
    assert (_count(Attempt), _count(Quiz), _count(QuizQuestion), _count(DrawRule)) == before


def test_preview_reports_a_bank_that_ran_short(client, auth, org, bank):
    quiz = make_quiz(org.org1, [org.b11], rules=[{"type": "truefalse", "count": 3}])
    for question in bank["truefalse"]:
        question.is_active = False
    db.session.commit()
    auth.login("org1")
    response = client.get(f"/manage/quizzes/{quiz.id}/preview")
    assert response.status_code == 200
    assert "题库中的题目不够抽取" in _body(response)
    shown = _body(client.get(f"/manage/quizzes/{quiz.id}"))
    assert "不够" in shown


def test_list_shows_state_audience_and_attempts(client, auth, org, bank, time_machine):
    time_machine.move_to(NOW, tick=False)
    running = make_quiz(org.org1, [org.b11], questions=[bank["single"][0]], title="进行中的测试")
    make_quiz(
        org.org1,
        [org.b12],
        questions=[bank["single"][0]],
        title="还没开始的考试",
        opens_in=timedelta(days=2),
    )
    make_quiz(org.org1, [org.u1], questions=[bank["single"][0]], title="草稿测试", publish=False)
    start_attempt(org.m1, running, NOW)
    db.session.commit()
    auth.login("org1")
    body = _body(client.get("/manage/quizzes/"))
    assert all(t in body for t in ("进行中的测试", "还没开始的考试", "草稿测试"))
    assert "一所党支部的全体人员 · 答卷 1 份" in body
    open_only = _body(client.get("/manage/quizzes/?state=open"))
    assert "进行中的测试" in open_only and "还没开始的考试" not in open_only
    assert "草稿测试" not in open_only
    upcoming = _body(client.get("/manage/quizzes/?state=upcoming"))
    assert "还没开始的考试" in upcoming and "进行中的测试" not in upcoming
    drafts = _body(client.get("/manage/quizzes/?state=draft"))
    assert "草稿测试" in drafts and "进行中的测试" not in drafts


def test_list_takes_the_same_queries_however_many_quizzes(client, auth, org, bank, queries):
    auth.login("org1")

    def statements_for_list() -> int:
        with queries() as statements:
            assert client.get("/manage/quizzes/").status_code == 200
        return len(statements)

    make_quiz(org.org1, [org.b11], questions=[bank["single"][0]])
    few = statements_for_list()
    for i in range(6):
        make_quiz(
            org.org1,
            [org.b11, org.b12],
            questions=[bank["single"][0]],
            title=f"测试{i}",
            statuses=["full"],
        )
    make_quiz(org.org1, [], questions=[bank["single"][0]], roster=[org.m1], title="名单测试")
    assert statements_for_list() == few


def test_list_is_paged(client, auth, org, bank):
    for i in range(23):
        make_quiz(
            org.org1,
            [org.b11],
            questions=[bank["single"][0]],
            title=f"测试{i:02d}",
            publish=False,
            opens_in=timedelta(hours=i),
        )
    auth.login("org1")
    first = _body(client.get("/manage/quizzes/"))
    assert "测试22" in first and "测试03" in first and "测试02" not in first
    assert "第 1 / 2 页，共 23 条" in first
    assert "测试02" in _body(client.get("/manage/quizzes/?page=2"))


def test_other_subtree_sees_nothing_of_the_quiz(client, auth, org, bank):
    quiz = make_quiz(org.org1, [org.b11], questions=[bank["single"][0]], title="一分局的考试")
    auth.login("org2")
    assert "一分局的考试" not in _body(client.get("/manage/quizzes/"))
    for path in ("", "/edit", "/preview"):
        assert client.get(f"/manage/quizzes/{quiz.id}{path}").status_code == 404
    assert client.post(f"/manage/quizzes/{quiz.id}/edit", data=_form(org)).status_code == 404
    response = client.post(f"/manage/quizzes/{quiz.id}/publish", data={"published": "0"})
    assert response.status_code == 404
    assert _only_quiz().status == "published" and _only_quiz().title == "一分局的考试"


def test_admin_sees_every_quiz_and_member_is_refused(client, auth, org, bank):
    quiz = make_quiz(org.org1, [org.b11], questions=[bank["single"][0]], title="一分局的考试")
    auth.login("admin")
    assert "一分局的考试" in _body(client.get("/manage/quizzes/"))
    assert client.get(f"/manage/quizzes/{quiz.id}").status_code == 200
    auth.switch_to("m1")
    assert client.get("/manage/quizzes/").status_code == 403


def test_organiser_cannot_pick_a_branch_outside_scope(client, auth, org, bank):
    auth.login("org1")
    response = client.post("/manage/quizzes/new", data=_form(org, branch_ids=[str(org.b21.id)]))
    assert response.status_code == 200
    assert "所选组织不存在或不在您的管理范围内" in _body(response)
    assert _count(Quiz) == 0


def test_moving_a_quiz_later_tells_of_the_personal_windows_it_cuts(client, auth, org, bank):
    from quizapp.deferrals import services as deferrals

    quiz = make_quiz(
        org.org1,
        [org.b11, org.b12],
        questions=[bank["single"][0]],
        opens_in=timedelta(0),
        lasts=timedelta(days=1),
        kind=QuizKind.EXAM,
    )
    row = deferrals.request_deferral(org.m1, quiz, "duty", "", NOW)
    deferrals.approve_deferral(
        org.org1, row, NOW + timedelta(hours=1), NOW + timedelta(days=10), "", NOW
    )
    db.session.commit()
    auth.login("org1")
    same = client.post(f"/manage/quizzes/{quiz.id}/edit", data=_form(org), follow_redirects=True)
    assert "已保存" in same.text and "个人考试时间" not in same.text
    moved = client.post(
        f"/manage/quizzes/{quiz.id}/edit",
        data=_form(org, opens_at="2026-11-25T10:00", closes_at="2026-11-28T18:30"),
        follow_redirects=True,
    )
    assert "早于新开始时间的个人考试时间，现改为从新的开始时间起" in moved.text
    listed = client.get(f"/manage/deferrals/quizzes/{quiz.id}").text
    assert "（测试已调整，现从 2026-11-25 10:00 起）" in listed

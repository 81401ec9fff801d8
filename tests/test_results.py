"""Results for organisers: rows, branch figures, counting rules, rankings, item statistics,
the .xlsx export, scope and query counts. Every expected figure is worked out by hand."""

from __future__ import annotations

import io
import math
import re
from datetime import timedelta
from urllib.parse import quote

import openpyxl
import pytest

from quizapp import db
from quizapp.attempts import autosave
from quizapp.attempts import services as attempts
from quizapp.attempts.standings import BranchLine, branch_summary, rank_branches, rank_members
from quizapp.auth.session_ref import SessionRef
from quizapp.members.models import Role
from quizapp.org.models import Branch, BranchKind
from quizapp.quizzes.models import Counting, QuizKind
from quizapp.results import queries
from quizapp.results.exports import export_filename
from quizapp.results.items import item_statistics, pearson
from tests.conftest import _branch
from tests.factories import NOW, make_quiz

LATER = NOW + timedelta(minutes=30)
#: A member's name in the results list (after their rank, if any).
MEMBER_NAME = re.compile(r'class="member-name">(?:<span class="rank">[^<]*</span> )?([^<\n]+)\n')
#: The single-choice question's right option is 1 (记过); the true/false one's is True.
RIGHT_S, WRONG_S = 1, 0


@pytest.fixture()
def bank_size() -> int:
    return 2


def _quiz(org, bank, actor=None, branches=None, **options):
    """A quiz of one single choice (2 points) and one true/false (1 point): 3 points in all,
    passed from 1.8 (60 %)."""
    questions = options.pop("questions", [bank["single"][0], bank["truefalse"][0]])
    return make_quiz(actor or org.org1, branches or [org.u1], questions=questions, **options)


def _sit(member, quiz, responses, *, start=NOW, seconds=600, submit=True):
    """Take the quiz: answer ``{question: response}`` and submit ``seconds`` after ``start``."""
    attempt, _ = attempts.start_attempt(member, quiz, start)
    db.session.commit()
    for seq, (question, response) in enumerate(responses.items(), start=1):
        autosave.save_answer(
            SessionRef(member.id, member.session_version),
            attempt.id,
            question.id,
            response,
            seq,
            start,
        )
    if submit:
        attempts.submit_attempt(attempt, start + timedelta(seconds=seconds))
    db.session.commit()
    return attempt


def _answers(bank, single=None, truefalse=None):
    s, t = bank["single"][0], bank["truefalse"][0]
    return {q: r for q, r in ((s, single), (t, truefalse)) if r is not None}


@pytest.fixture()
def unit(org, bank, make_member):
    """U1's quiz with people in every state.

    B11: 普通党员 m1 (3 points, passed), 甲 a1 (1 point, failed), org1 (absent),
         an inactive member (not eligible);
    B12: 乙 b1 (in progress), 丙 b2 (absent);
    B13: nobody (an empty branch);
    B21 (outside the audience and org1's scope): 丁 c1, who submitted.
    """
    _branch(org.u1, BranchKind.BRANCH, "B13", "五所党支部", 3)
    people = {
        "a1": make_member("a1", org.b11, name="甲"),
        "b1": make_member("b1", org.b12, name="乙"),
        "b2": make_member("b2", org.b12, name="丙"),
        "c1": make_member("c1", org.b21, name="丁"),
        "d1": make_member("d1", org.b11, name="停用人员", active=False),
    }
    quiz = _quiz(org, bank)
    outside = _quiz(org, bank, actor=org.admin, branches=[org.b21], title="三所测试")
    _sit(org.m1, quiz, _answers(bank, RIGHT_S, True))
    _sit(people["a1"], quiz, _answers(bank, WRONG_S, True))
    _sit(people["b1"], quiz, _answers(bank, RIGHT_S), submit=False)
    _sit(people["c1"], outside, _answers(bank, RIGHT_S, True))
    return quiz


# Rows and branch figures


def test_rows_cover_eligible_members_in_scope(org, unit):
    quiz = unit
    results = queries.quiz_results(org.org1, quiz, LATER)
    assert results.state == "open"
    rows = {row.name: row for row in results.rows}
    assert set(rows) == {"普通党员", "甲", "一分局管理员", "乙", "丙"}
    assert rows["普通党员"].status_label == "已交卷"
    assert (rows["普通党员"].score, rows["普通党员"].max_score) == (3, 3)
    assert rows["普通党员"].passed is True and rows["普通党员"].seconds_used == 600
    assert rows["普通党员"].submitted_at == NOW + timedelta(seconds=600)
    assert rows["甲"].score == 1 and rows["甲"].passed is False
    assert rows["乙"].status_label == "答题中" and rows["乙"].attempts == 1
    assert rows["乙"].score is None
    assert rows["丙"].status_label == "未参加" and rows["丙"].attempts == 0
    assert rows["一分局管理员"].login_id == "org1"
    # Tree order: B11's people, then B12's.
    assert [r.branch.code for r in results.rows] == ["B11"] * 3 + ["B12"] * 2
    # Nobody in U2 is in the audience: org2's view of the rows would be empty.
    nobody = queries.quiz_results(org.org2, quiz, LATER)
    assert (nobody.rows, nobody.branches) == ([], [])


def test_branch_summary_rates_including_an_empty_branch(org, unit):
    quiz = unit
    results = queries.quiz_results(org.org1, quiz, LATER)
    assert [b.code for b in results.branches] == ["B11", "B12", "B13"]
    summary = branch_summary(results.rows, results.branches)
    lines = {line.branch.code: line for line in summary.lines}
    b11, b12, empty = lines["B11"], lines["B12"], lines["B13"]
    # B11: 3 eligible, 2 took part (3 and 1 points), 1 passed.
    assert (b11.eligible, b11.participants, b11.passed) == (3, 2, 1)
    assert b11.participation_rate == pytest.approx(2 / 3)
    assert b11.average == pytest.approx(2.0) and b11.pass_rate == pytest.approx(0.5)
    # B12: the attempt in progress does not make a participant.
    assert (b12.eligible, b12.participants, b12.passed) == (2, 0, 0)
    assert b12.participation_rate == 0 and b12.average is None and b12.pass_rate is None
    assert (empty.eligible, empty.participation_rate, empty.average) == (0, None, None)
    total = summary.total
    assert (total.name, total.eligible, total.participants, total.passed) == ("合计", 5, 2, 1)
    assert total.participation_rate == pytest.approx(0.4)
    assert total.average == pytest.approx(2.0) and total.pass_rate == pytest.approx(0.5)


def test_results_page_shows_figures_and_filters(client, auth, org, unit, time_machine):
    quiz = unit
    time_machine.move_to(LATER, tick=False)
    auth.login("org1")
    body = client.get(f"/manage/results/quizzes/{quiz.id}").get_data(as_text=True)
    assert "支部汇总" in body and "五所党支部" in body
    assert "66.7%" in body and "40.0%" in body and "50.0%" in body
    assert "参加人数 ÷ 应参加人数" in body and "及格人数 ÷ 参加人数" in body
    assert "丁" not in body and "三所党支部" not in body

    def names(show, **args):
        page = client.get(f"/manage/results/quizzes/{quiz.id}", query_string={"show": show, **args})
        assert page.status_code == 200
        return set(MEMBER_NAME.findall(page.get_data(as_text=True)))

    assert names("all") == {"普通党员", "甲", "一分局管理员", "乙", "丙"}
    assert names("absent") == {"一分局管理员", "丙"}
    assert names("in_progress") == {"乙"}
    assert names("submitted") == {"普通党员", "甲"}
    assert names("failed") == {"甲"}
    assert names("all", branch=org.b12.id) == {"乙", "丙"}


def test_results_count_attempts_past_their_deadline_once_submitted(
    client, auth, org, unit, time_machine
):
    quiz = unit
    time_machine.move_to(NOW + timedelta(hours=5), tick=False)  # closed at NOW + 2 h
    auth.login("org1")
    # The page only reads: it says an attempt waits for the scheduler's automatic submission.
    waiting = client.get(f"/manage/results/quizzes/{quiz.id}?show=submitted").get_data(as_text=True)
    assert "有 1 份答卷已过答题截止时间" in waiting and "乙" not in MEMBER_NAME.findall(waiting)
    assert attempts.expire_overdue(NOW + timedelta(hours=5)) == 1  # the scheduler's job
    db.session.commit()
    body = client.get(f"/manage/results/quizzes/{quiz.id}?show=submitted").get_data(as_text=True)
    assert "乙" in body and "自动交卷" in body and "已结束" in body
    assert "已过答题截止时间" not in body
    db.session.expire_all()
    rows = {r.name: r for r in queries.quiz_results(org.org1, quiz, NOW + timedelta(hours=5)).rows}
    assert rows["乙"].status == "submitted" and rows["乙"].end_reason == "closed"
    assert rows["乙"].score == 2  # the saved single choice counts
    # Time used runs to the deadline, not to when someone looked.
    assert rows["乙"].seconds_used == 2 * 3600


def test_counting_rules_pick_highest_latest_or_first(org, bank):
    quiz = _quiz(org, bank, attempts_allowed=3)
    _sit(org.m1, quiz, _answers(bank, WRONG_S, True), start=NOW)  # 1 point
    _sit(org.m1, quiz, _answers(bank, RIGHT_S, True), start=NOW + timedelta(minutes=20))  # 3
    _sit(org.m1, quiz, _answers(bank, RIGHT_S, False), start=NOW + timedelta(minutes=40))  # 2
    expected = {Counting.HIGHEST: (3, 2), Counting.LATEST: (2, 3), Counting.FIRST: (1, 1)}
    for counting, (score, number) in expected.items():
        quiz.counting = counting.value
        db.session.flush()
        row = next(
            r for r in queries.quiz_results(org.org1, quiz, LATER).rows if r.member_id == org.m1.id
        )
        assert (row.score, row.counted.number, row.attempts) == (score, number, 3), counting
        assert row.passed is (score >= 1.8)


# Competitions


def test_competition_ranks_by_score_then_time_then_submission(org, bank, make_member):
    quiz = _quiz(org, bank, kind=QuizKind.COMPETITION)
    p = make_member("p1", org.b11, name="P")
    q = make_member("q1", org.b11, name="Q")
    r = make_member("r1", org.b12, name="R")
    s = make_member("s1", org.b12, name="S")
    _sit(p, quiz, _answers(bank, RIGHT_S, True), start=NOW, seconds=100)
    _sit(q, quiz, _answers(bank, RIGHT_S, True), start=NOW + timedelta(seconds=60), seconds=100)
    _sit(r, quiz, _answers(bank, RIGHT_S, True), start=NOW, seconds=50)
    _sit(s, quiz, _answers(bank, WRONG_S, True), start=NOW, seconds=30)
    results = queries.quiz_results(org.org1, quiz, LATER)
    ranked = rank_members(results.rows)
    # R is fastest of the full marks; P and Q tie (same score, same time), P submitted first.
    assert [(row.name, row.rank) for row in ranked[:4]] == [("R", 1), ("P", 2), ("Q", 2), ("S", 4)]
    assert all(row.rank is None for row in ranked[4:]) and len(ranked) == 6
    lines = rank_branches(branch_summary(results.rows, results.branches).lines)
    # B11 averages 3 (P, Q) but only 2 of its 4 took part: 6 / 4 = 1.5 per eligible member.
    # B12 averages 2 (R 3, S 1) with both taking part: 4 / 2 = 2. Turnout is not rewarded.
    assert [(line.branch.code, line.rank, line.average) for line in lines] == [
        ("B12", 1, 2.0),
        ("B11", 2, 3.0),
    ]
    assert [line.per_eligible for line in lines] == [2.0, 1.5]
    assert lines[1].participation_rate == pytest.approx(0.5)


def test_branch_ranking_ties_share_a_rank():
    def line(name, eligible, participants, score_sum):
        return BranchLine(Branch(name=name), eligible, participants, 0, score_sum)

    # Per eligible member: 甲 6/4 = 1.5, 乙 6/2 = 3, 丙 0 (nobody took part), 丁 4, 戊 3 (like
    # 乙, with fewer taking part: listed after it, same rank), 己 has nobody eligible.
    lines = rank_branches(
        [
            line("甲", 4, 2, 6.0),
            line("乙", 2, 2, 6.0),
            line("丙", 3, 0, 0.0),
            line("丁", 1, 1, 4.0),
            line("戊", 4, 3, 12.0),
            line("己", 0, 0, 0.0),
        ]
    )
    assert [(x.name, x.rank) for x in lines] == [
        ("丁", 1),
        ("乙", 2),
        ("戊", 2),
        ("甲", 4),
        ("丙", 5),
        ("己", None),
    ]


def test_a_member_imported_after_a_closed_quiz_changes_only_the_labelled_figure(
    client, auth, org, unit, make_member, time_machine
):
    """The results page counts by current branch (and says so, pointing at 参学统计); the
    participation report of the quiz counts by the history of its days and does not move."""
    quiz = unit
    time_machine.move_to(NOW + timedelta(days=2), tick=False)
    auth.login("org1")
    rate = re.compile(r'<span class="stat-label">参考率<br>(\d+)/(\d+) 人</span>')

    def figures():
        results = client.get(f"/manage/results/quizzes/{quiz.id}").get_data(as_text=True)
        report = client.get(f"/manage/participation/quizzes/{quiz.id}").get_data(as_text=True)
        return results, rate.search(results).groups(), rate.search(report).groups()

    page, results_before, report_before = figures()
    assert "与参学统计的区别" in page and "测试结束后转接、停用或新导入的人员会改变本页" in page
    assert "按测试开放期间组织关系统计的参考率见" in page and "参与率" not in page
    make_member("n1", org.b11, name="新导入", since=(NOW + timedelta(days=1)).date())
    db.session.commit()
    _, results_after, report_after = figures()
    assert report_after == report_before  # the quiz's period: the newcomer was not there
    assert results_after == (results_before[0], str(int(results_before[1]) + 1))  # labelled


def test_competition_page_shows_ranks(client, auth, org, bank, time_machine):
    quiz = _quiz(org, bank, kind=QuizKind.COMPETITION)
    _sit(org.m1, quiz, _answers(bank, RIGHT_S, True))
    time_machine.move_to(LATER, tick=False)
    auth.login("org1")
    body = client.get(f"/manage/results/quizzes/{quiz.id}").get_data(as_text=True)
    assert "支部排名" in body and "个人排名" in body and "第 1 名" in body


# Item statistics


@pytest.fixture()
def item_quiz(org, bank, make_member):
    """Four papers of three questions, worked by hand (S: 2 points, T: 1, F: 2).

    member  S (response)  T      F      score
    A       2 (B)         1      2      5
    B       2 (B)         0      2      4
    C       0 (none)      1      0      1
    D       0 (C)         0      2      2
    E starts but never submits: not counted.
    """
    s, t, f = bank["single"][0], bank["truefalse"][0], bank["fill"][0]
    quiz = _quiz(org, bank, questions=[s, t, f], shuffle_questions=False)
    right, wrong = ["惩前毖后"], ["惩前"]
    papers = {
        "A": {s: 1, t: True, f: right},
        "B": {s: 1, t: False, f: right},
        "C": {t: True, f: wrong},
        "D": {s: 2, t: False, f: right},
    }
    for name, responses in papers.items():
        _sit(make_member(f"i{name}", org.b11, name=name), quiz, responses)
    _sit(make_member("iE", org.b11, name="E"), quiz, {s: 1}, submit=False)
    return quiz


def test_facility_and_discrimination_by_hand(org, bank, item_quiz):
    stats = item_statistics(item_quiz)
    s, t, f = stats
    assert [x.question.id for x in stats] == [
        bank[k][0].id for k in ("single", "truefalse", "fill")
    ]
    assert (s.attempts, s.answered, t.attempts, f.answered) == (4, 3, 4, 4)
    # Facility: Σ mark / Σ points.
    assert s.facility == pytest.approx(4 / 8)
    assert t.facility == pytest.approx(2 / 4)
    assert f.facility == pytest.approx(6 / 8)
    # S: x = 2,2,0,0; rest = 3,2,1,2 -> Sxy = 2, Sxx = 4, Syy = 2 -> r = 2/√8.
    assert s.discrimination == pytest.approx(1 / math.sqrt(2))
    # T: x = 1,0,1,0; rest = 4,4,0,2 -> Sxy = -1, Sxx = 1, Syy = 11 -> r = -1/√11.
    assert t.discrimination == pytest.approx(-1 / math.sqrt(11))
    assert t.is_doubtful
    # F: x = 2,2,0,2; rest = 3,2,1,0 -> Sxy = 1, Sxx = 3, Syy = 5 -> r = 1/√15.
    assert f.discrimination == pytest.approx(1 / math.sqrt(15))
    # Option shares: out of the 4 papers; C answered nothing.
    assert [(o.label, o.count, o.share, o.is_answer) for o in s.options] == [
        ("A", 0, 0.0, False),
        ("B", 2, 0.5, True),
        ("C", 1, 0.25, False),
        ("D", 0, 0.0, False),
    ]
    assert [(o.label, o.share, o.is_answer) for o in t.options] == [
        ("对", 0.5, True),
        ("错", 0.5, False),
    ]
    assert f.options == []


def test_discrimination_is_undefined_without_spread(org, bank, make_member):
    quiz = _quiz(org, bank)
    _sit(org.m1, quiz, _answers(bank, RIGHT_S, True))
    one = {stat.question.type: stat for stat in item_statistics(quiz)}
    assert one["single"].discrimination is None  # a single paper
    assert one["single"].facility == 1
    _sit(make_member("z1", org.b11), quiz, _answers(bank, WRONG_S, True))
    two = {stat.question.type: stat for stat in item_statistics(quiz)}
    assert two["truefalse"].discrimination is None  # everybody right: no variance
    assert two["single"].discrimination is None  # the rest (T) does not vary either
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1)
    assert pearson([1, 2, 3], [5, 5, 5]) is None


def test_items_page_shows_stems_and_figures(client, auth, org, item_quiz, bank, time_machine):
    time_machine.move_to(LATER, tick=False)
    auth.login("org1")
    body = client.get(f"/manage/results/quizzes/{item_quiz.id}/items").get_data(as_text=True)
    assert bank["single"][0].stem in body and bank["fill"][0].stem in body
    assert "0.71" in body and "-0.30" in body and "0.26" in body and "0.75" in body
    assert "区分度偏低" in body and "皮尔逊相关系数" in body


# Export


def test_export_reads_back_with_neutralised_formulas(
    client, auth, org, bank, make_member, time_machine
):
    quiz = _quiz(org, bank, title="纪律/条例:测试")
    hacker = make_member("x1", org.b11, name="=cmd()")
    _sit(hacker, quiz, _answers(bank, WRONG_S, True))
    _sit(org.m1, quiz, _answers(bank, RIGHT_S, True))
    time_machine.move_to(LATER, tick=False)
    auth.login("org1")
    response = client.get(f"/manage/results/quizzes/{quiz.id}/export.xlsx")
    assert response.status_code == 200
    name = "纪律_条例_测试-成绩-2026-11-21.xlsx"
    assert f"filename*=UTF-8''{quote(name)}" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["成绩明细", "支部汇总", "答卷明细", "题目分析", "说明"]
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    members = book["成绩明细"]
    assert [c.value for c in members[1]][:6] == [
        "姓名",
        "警号/手机号",
        "党支部",
        "状态",
        "答题次数",
        "计分成绩",
    ]
    by_name = {row[0]: row for row in members.iter_rows(min_row=2, values_only=True)}
    assert by_name["=cmd()"][3:8] == ("已交卷", 1, 1, 3, "否")  # as typed: a string cell
    assert by_name["普通党员"][7] == "是"
    assert by_name["一分局管理员"][3] == "未参加"
    branches = list(book["支部汇总"].iter_rows(values_only=True))
    assert branches[0] == (
        "党支部",
        "应参加人数",
        "参加人数",
        "参考率",
        "人均得分",
        "平均分",
        "及格人数",
        "及格率",
    )
    assert branches[1][:4] == ("一所党支部", 3, 2, pytest.approx(2 / 3))
    assert branches[-1][0] == "合计"
    items = list(book["题目分析"].iter_rows(values_only=True))
    assert items[0][:3] == ("序号", "题型", "题干") and len(items) == 3
    notes = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["测试名称"] == "纪律/条例:测试"
    assert notes["答题时间（北京时间）"] == "2026-11-21 09:00 至 2026-11-21 12:00"
    assert notes["导出时间（北京时间）"] == "2026-11-21 10:30:00"
    assert notes["统计范围"].startswith("第一分局及其下属组织")
    assert "参考率" in notes and "区分度" in notes


def test_export_filename_is_safe():
    assert (
        export_filename('a\\b/c:d*e?f"g<h>i|j', NOW) == "a_b_c_d_e_f_g_h_i_j-成绩-2026-11-21.xlsx"
    )
    assert export_filename("  ..  ", NOW) == "测试-成绩-2026-11-21.xlsx"


# Scope


@pytest.mark.parametrize("path", ["", "/items", "/export.xlsx"])
def test_other_subtree_gets_404_and_members_403(client, auth, org, bank, path):
    quiz = _quiz(org, bank)
    auth.login("org2")
    assert client.get(f"/manage/results/quizzes/{quiz.id}{path}").status_code == 404
    assert client.get(f"/manage/results/quizzes/999999{path}").status_code == 404
    auth.switch_to("m1")
    assert client.get(f"/manage/results/quizzes/{quiz.id}{path}").status_code == 403


def test_bureau_quiz_is_read_by_a_unit_organiser_for_their_members_only(
    client, auth, org, bank, make_member, time_machine
):
    quiz = _quiz(org, bank, actor=org.admin, branches=[org.bureau])
    c1 = make_member("c1", org.b21, name="丁")
    _sit(c1, quiz, _answers(bank, RIGHT_S, False))
    _sit(org.m1, quiz, _answers(bank, RIGHT_S, True))
    # The query keeps org1 to U1's members even for a quiz reaching the whole bureau.
    names = {r.name for r in queries.quiz_results(org.org1, quiz, LATER).rows}
    assert names == {"普通党员", "一分局管理员"}
    # The admin, on the bureau node, is never an eligible member.
    everyone = {r.name for r in queries.quiz_results(org.admin, quiz, LATER).rows}
    assert everyone == {"普通党员", "一分局管理员", "二分局管理员", "丁"}
    # Item statistics count U1's papers only for org1: m1 got the true/false right, 丁 not.
    tf = {s.question.type: s for s in item_statistics(quiz, org.org1)}["truefalse"]
    assert (tf.attempts, tf.facility) == (1, 1)
    everything = {s.question.type: s for s in item_statistics(quiz, org.admin)}["truefalse"]
    assert (everything.attempts, everything.facility) == (2, 0.5)
    time_machine.move_to(LATER, tick=False)
    auth.login("org1")
    body = client.get(f"/manage/results/quizzes/{quiz.id}").get_data(as_text=True)
    assert "局级 · 只读" in body and "普通党员" in body
    assert "丁" not in body and "三所党支部" not in body and "第二分局" not in body
    items = client.get(f"/manage/results/quizzes/{quiz.id}/items").get_data(as_text=True)
    assert "1 / 1" in items  # 答卷 / 作答: m1's paper alone
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/manage/results/quizzes/{quiz.id}/export.xlsx").data)
    )
    names = [row[0] for row in book["成绩明细"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["一分局管理员", "普通党员"]
    assert [r[0] for r in book["支部汇总"].iter_rows(min_row=2, values_only=True)] == [
        "一所党支部",
        "二所党支部",
        "合计",
    ]
    auth.switch_to("admin")
    body = client.get(f"/manage/results/quizzes/{quiz.id}").get_data(as_text=True)
    assert "丁" in body and "三所党支部" in body and "只读" not in body


def test_member_who_moved_out_of_scope_drops_out(org, bank):
    quiz = _quiz(org, bank, actor=org.admin, branches=[org.bureau])
    _sit(org.m1, quiz, _answers(bank, RIGHT_S, True))
    org.m1.branch = org.b21
    db.session.commit()
    assert org.m1.id not in {r.member_id for r in queries.quiz_results(org.org1, quiz, LATER).rows}
    assert org.m1.id in {r.member_id for r in queries.quiz_results(org.org2, quiz, LATER).rows}


# Query counts


def test_results_take_a_bounded_number_of_queries(
    client, auth, org, bank, make_member, queries, time_machine
):
    quiz = _quiz(org, bank)
    for i in range(60):
        member = make_member(f"q{i:03d}", org.b11 if i % 2 else org.b12, name=f"队员{i:03d}")
        _sit(member, quiz, _answers(bank, RIGHT_S if i % 3 else WRONG_S, True))
    db.session.expire_all()
    time_machine.move_to(LATER, tick=False)
    auth.login("org1")
    for path in ("", "?show=failed&page=2", "/items", "/export.xlsx"):
        with queries() as statements:
            response = client.get(f"/manage/results/quizzes/{quiz.id}{path}")
        assert response.status_code == 200
        assert len(statements) <= 16, (path, len(statements), statements)


def test_admin_role_is_described_as_the_whole_bureau(client, auth, org, bank, time_machine):
    quiz = _quiz(org, bank, actor=org.admin)
    assert org.admin.role == Role.ADMIN
    time_machine.move_to(LATER, tick=False)
    auth.login("admin")
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/manage/results/quizzes/{quiz.id}/export.xlsx").data)
    )
    notes = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["统计范围"].startswith("全局")

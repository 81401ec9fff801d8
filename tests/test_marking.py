"""简答 (essay): the type, 待阅卷 after submit, marking (rules, concurrency, notices) and the
marking pages with their scoping."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from quizapp import db
from quizapp.attempts import services
from quizapp.bank.services import QuestionData, save_question
from quizapp.bank.types import get_type, type_from_label
from quizapp.errors import DomainError
from quizapp.marking import hints
from quizapp.marking import services as marking
from quizapp.marking.models import QuizMarker
from quizapp.notices.models import Notice
from quizapp.quizzes.attempt_models import AttemptAnswer, AttemptStatus
from tests.factories import NOW, ReviewWhen, fresh, make_questions, make_quiz

ESSAY = {
    "reference": "坚定理想信念，严守党的纪律，全心全意为人民服务。",
    "points": ["理想信念", "严守纪律", "为人民服务"],
}


@pytest.fixture()
def bank(org):
    made = make_questions(org.admin, n_each=1)
    data = QuestionData(
        type="essay",
        stem="简述新时代人民警察应如何践行训词精神。",
        options=[],
        answer=ESSAY,
        category_path="测试/简答",
        key="e0",
    )
    made["essay"] = [save_question(org.admin, data)]
    db.session.commit()
    return made


def _quiz(org, bank, **options):
    questions = [bank["single"][0], bank["essay"][0]]
    return make_quiz(org.admin, [org.u1], questions=questions, **options)


def _sit(org, quiz, member, essay_text, now=NOW):
    attempt, _ = services.start_attempt(member, quiz, now)
    for answer in fresh(attempt).answers:
        answer.response = 1 if answer.question.type == "single" else essay_text
    db.session.flush()
    services.submit_attempt(attempt, now)
    db.session.commit()
    return fresh(attempt)


def _reload(answer: AttemptAnswer) -> AttemptAnswer:
    db.session.expire_all()
    return db.session.get(AttemptAnswer, (answer.attempt_id, answer.question_id))


def _essay_answer(attempt) -> AttemptAnswer:
    return next(a for a in fresh(attempt).answers if a.question.type == "essay")


# The type


def test_essay_type_reads_writes_and_checks_answers():
    essay = get_type("essay")
    assert type_from_label("论述题") is essay and type_from_label("简答") is essay
    answer = essay.answer_from_text("参考答案正文\n评分要点：1. 理想信念；2、严守纪律", [], "题")
    assert answer == {"reference": "参考答案正文", "points": ["理想信念", "严守纪律"]}
    assert essay.answer_from_text(essay.answer_to_text(answer, []), [], "题") == answer
    assert essay.answer_from_data({"参考答案": "甲", "评分要点": ["乙", "丙"]}, [], "题") == {
        "reference": "甲",
        "points": ["乙", "丙"],
    }
    with pytest.raises(ValueError, match="参考答案"):
        essay.answer_from_text("评分要点：只有要点", [], "题")
    assert essay.check("题", [], {"reference": " ", "points": []}) == ["简答题应有参考答案"]
    assert essay.parse_response("  我的回答 ", [], "题") == "我的回答"
    with pytest.raises(DomainError, match="2000"):
        essay.parse_response("字" * 2001, [], "题")
    with pytest.raises(DomainError):
        essay.parse_response(["不是文本"], [], "题")
    assert essay.grade(answer, "写了", 10) is None and essay.grade(answer, None, 10) == 0.0


def test_hints_highlight_key_point_words_without_scoring():
    text = "要坚定理想信念，<b>严守</b>纪律。"
    html = str(hints.highlight(text, ["理想信念", "严守纪律"]))
    assert "<mark>理想信念</mark>" in html and "&lt;b&gt;" in html
    found = hints.point_hints(text, ["理想信念", "为人民服务"])
    assert [h.seen for h in found] == [True, False]


# 待阅卷 and marking


def test_written_essay_waits_for_marking_then_scores_and_notifies(org, bank):
    quiz = _quiz(org, bank, pass_percent=60)
    attempt = _sit(org, quiz, org.m1, "我要坚定理想信念。")
    assert attempt.status == AttemptStatus.MARKING
    assert attempt.score is None and attempt.passed is None
    assert services.counted_attempt([attempt], quiz.counting) is None
    answer = _essay_answer(attempt)
    marking.mark_answer(org.admin, answer, "5.5", "要点不全", answer.mark_version, NOW)
    db.session.commit()
    attempt = fresh(attempt)
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.score == 7.5 and attempt.passed is True  # 2 + 5.5 of 12, 60 %: 7.2
    answer = _essay_answer(attempt)
    assert (answer.mark, answer.mark_comment, answer.marked_by_id) == (
        5.5,
        "要点不全",
        org.admin.id,
    )
    notice = db.session.scalar(select(Notice).where(Notice.member_id == org.m1.id))
    assert "阅卷完毕" in notice.body and "7.5 / 12" in notice.body


def test_empty_essay_needs_no_marking_and_a_paper_being_written_is_not_shown(
    org, bank, make_member
):
    from quizapp.marking import queries

    quiz = _quiz(org, bank)
    attempt = _sit(org, quiz, org.m1, None)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 2
    assert queries.list_queue(quiz) == []
    running, _ = services.start_attempt(make_member("m2", org.b11), quiz, NOW)
    for answer in running.answers:
        answer.response = "正在写" if answer.question.type == "essay" else None
    db.session.commit()
    assert queries.list_queue(quiz) == []
    with pytest.raises(NotFound):
        queries.get_answer(quiz, running.id, bank["essay"][0].id)


def test_marks_are_half_points_within_the_maximum(org, bank):
    attempt = _sit(org, _quiz(org, bank), org.m1, "回答")
    answer = _essay_answer(attempt)
    for bad, message in (("10.5", "0 至 10"), ("-1", "0 至 10"), ("7.3", "半分"), ("七", "数字")):
        with pytest.raises(DomainError, match=message):
            marking.mark_answer(org.admin, answer, bad, None, 0, NOW)
    assert fresh(attempt).status == AttemptStatus.MARKING


def test_two_markers_do_not_both_win_and_a_double_submit_is_done_once(org, bank, make_member):
    second = save_question(
        org.admin,
        QuestionData(type="essay", stem="简述四个意识。", options=[], answer=ESSAY, key="e1"),
    )
    quiz = make_quiz(org.admin, [org.u1], questions=[bank["essay"][0], second], title="两道简答")
    marker = make_member("mk", org.b21, name="阅卷员")  # outside the audience
    marking.add_marker(org.admin, quiz, marker, NOW)
    attempt = _sit(org, quiz, org.m1, "回答")
    first = next(a for a in fresh(attempt).answers if a.question_id == bank["essay"][0].id)
    # Both opened the answer at version 0; the admin saves first.
    marking.mark_answer(org.admin, first, "6", None, 0, NOW)
    db.session.commit()
    assert marking.mark_answer(org.admin, first, "6", None, 0, NOW).mark == 6  # double submit
    with pytest.raises(marking.MarkTaken, match="管理员"):
        marking.mark_answer(marker, _reload(first), "9", None, 0, NOW)
    db.session.rollback()
    # Re-marking on the version seen is allowed while the attempt waits; who and when recorded.
    marking.mark_answer(marker, _reload(first), "7", "复核", 1, NOW)
    first = _reload(first)
    assert (first.mark, first.marked_by_id, first.mark_version) == (7, marker.id, 2)
    assert fresh(attempt).status == AttemptStatus.MARKING
    other = next(a for a in fresh(attempt).answers if a.question_id == second.id)
    marking.mark_answer(marker, other, "3", None, 0, NOW)
    assert fresh(attempt).score == 10 and fresh(attempt).status == AttemptStatus.SUBMITTED
    # Once the attempt is scored its marks are final.
    with pytest.raises(DomainError, match="阅卷完毕"):
        marking.mark_answer(org.admin, _reload(first), "8", None, 2, NOW)


def test_markers_come_from_the_quiz_owners_subtree(org, bank, make_member):
    quiz = make_quiz(org.org1, [org.b11], questions=[bank["essay"][0]], title="一分局测试")
    outsider = make_member("m21", org.b21)
    with pytest.raises(DomainError):
        marking.add_marker(org.admin, quiz, outsider, NOW)
    marking.add_marker(org.org1, quiz, org.m1, NOW)
    assert db.session.get(QuizMarker, (quiz.id, org.m1.id)) is not None
    with pytest.raises(DomainError):
        marking.add_marker(org.org2, quiz, org.m1, NOW)


# Pages


def _login(client, auth, login_id):
    auth.logout()
    assert auth.login(login_id).status_code == 302


def test_marking_pages_for_organisers_and_named_markers_only(
    client, auth, org, bank, make_member, time_machine
):
    time_machine.move_to(NOW, tick=False)
    quiz = _quiz(org, bank)
    marker = make_member("mk", org.b21, name="阅卷员")  # outside the audience
    db.session.commit()
    attempt = _sit(org, quiz, org.m1, "坚定理想信念，严守纪律")
    qid = bank["essay"][0].id
    queue = f"/marking/quizzes/{quiz.id}"
    page = f"{queue}/questions/{qid}"
    _login(client, auth, "org2")  # another unit's organiser: nothing
    assert client.get(queue).status_code == 404 and client.get(page).status_code == 404
    assert client.get(f"/manage/marking/quizzes/{quiz.id}").status_code == 404
    url = f"{page}/attempts/{attempt.id}"
    assert client.post(url, data={"points": "1", "version": "0"}).status_code == 404
    for login_id in ("mk", "m1"):  # not (yet) a marker; the paper's own member
        _login(client, auth, login_id)
        assert client.get(queue).status_code == 404 and client.get(page).status_code == 404
        assert client.post(url, data={"points": "1", "version": "0"}).status_code == 404
        assert client.get(f"/manage/marking/quizzes/{quiz.id}").status_code == 403
    # The member sees their paper waiting: on the quiz's page, the result and 我的.
    assert "待阅卷" in client.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "简答题正在阅卷" in client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "简答题待阅卷" in client.get("/me/results").get_data(as_text=True)
    assert _essay_answer(attempt).mark is None
    auth.logout()
    assert client.get(queue).headers["Location"].startswith("/login")
    _login(client, auth, "admin")
    results = client.get(f"/manage/results/quizzes/{quiz.id}").get_data(as_text=True)
    assert "有 1 人的答卷含简答题待阅卷" in results and f"/marking/quizzes/{quiz.id}" in results
    assert client.get(f"/manage/marking/quizzes/{quiz.id}").status_code == 200
    # The organiser's other pages show a 简答 and a paper waiting without error.
    sheet = client.get(f"/manage/results/attempts/{attempt.id}").get_data(as_text=True)
    assert "坚定理想信念，严守纪律" in sheet and "评分要点" in sheet
    for path in (
        f"/manage/results/quizzes/{quiz.id}/items",
        f"/manage/results/quizzes/{quiz.id}/export.xlsx",
        f"/manage/bank/{qid}",
    ):
        assert client.get(path).status_code == 200, path
    r = client.post(f"/manage/marking/quizzes/{quiz.id}/markers", data={"member_id": marker.id})
    assert r.status_code == 302
    client.post(f"/manage/marking/quizzes/{quiz.id}/blind", data={"blind": "y"})
    assert fresh(quiz).blind_marking
    _login(client, auth, "mk")
    assert "1 份简答待阅" in client.get("/marking/").get_data(as_text=True)
    assert f"阅卷：{quiz.title}" in client.get("/").get_data(as_text=True)  # 待办 on home
    html = client.get(page).get_data(as_text=True)
    assert "<mark>理想信念</mark>" in html and "匿名答卷" in html and "普通党员" not in html
    r = client.post(url, data={"comment": "较好", "version": "0"})  # no score chosen
    assert r.status_code == 400 and "请选择得分。" in r.get_data(as_text=True)
    r = client.post(url, data={"points": "8", "comment": "较好", "version": "0"})
    assert r.status_code == 302
    assert fresh(attempt).score == 10 and fresh(attempt).status == AttemptStatus.SUBMITTED
    # The member's review shows the mark and the comment.
    _login(client, auth, "m1")
    review = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "较好" in review and "10" in review


# Imports and exports


def test_essay_rows_import_from_xlsx_and_yaml_and_export_back(org):
    from quizapp.bank.formats import xlsx, yaml_files
    from quizapp.bank.formats.xlsx_template import questions_xlsx
    from tests.test_bank_formats import row, workbook_bytes

    content = workbook_bytes(
        [
            row(
                "论述题",
                "论述严守纪律的意义。",
                answer="参考答案正文\n评分要点：政治纪律；组织纪律",
            ),
            row("简答", "只有要点的简答。", answer="评分要点：一点"),
        ]
    )
    drafts, _ = xlsx.read("题库.xlsx", content)
    assert drafts[0].data.answer == {
        "reference": "参考答案正文",
        "points": ["政治纪律", "组织纪律"],
    }
    assert "简答题请填写参考答案" in "".join(drafts[1].problems)
    text = (
        "questions:\n"
        "  - type: 简答\n"
        "    stem: 简述四个意识。\n"
        "    answer:\n"
        "      reference: 政治意识、大局意识、核心意识、看齐意识。\n"
        "      points: [政治意识, 大局意识]\n"
    )
    [draft], _ = yaml_files.read("题库.yaml", text.encode())
    assert draft.problems == [] and draft.data.answer["points"] == ["政治意识", "大局意识"]
    again, _ = xlsx.read("导出.xlsx", questions_xlsx([drafts[0].data, draft.data]))
    assert [d.data.answer for d in again] == [drafts[0].data.answer, draft.data.answer]


def test_bank_form_saves_the_reference_and_key_points(client, auth, org):
    auth.login("admin")
    form = client.get("/manage/bank/new").get_data(as_text=True)
    assert 'name="reference"' in form and 'name="key_points"' in form
    response = client.post(
        "/manage/bank/new",
        data={
            "type": "essay",
            "stem": "简述训词精神。",
            "reference": "对党忠诚、服务人民、执法公正、纪律严明。",
            "key_points": "1. 对党忠诚\n2. 服务人民",
            "difficulty": "3",
        },
    )
    assert response.status_code == 302
    from quizapp.bank.models import Question

    question = db.session.scalar(select(Question).where(Question.type == "essay"))
    assert question.answer == {
        "reference": "对党忠诚、服务人民、执法公正、纪律严明。",
        "points": ["对党忠诚", "服务人民"],
    }
    edit = client.get(f"/manage/bank/{question.id}/edit").get_data(as_text=True)
    assert "对党忠诚\n服务人民</textarea>" in edit
    missing = client.post("/manage/bank/new", data={"type": "essay", "stem": "没有参考答案。"})
    assert missing.status_code == 200 and "简答题请填写参考答案" in missing.get_data(as_text=True)


def test_practice_never_offers_essays(org, bank):
    from quizapp.practice.queries import practisable

    ids = set(db.session.scalars(select(bank["essay"][0].__class__.id).where(practisable(org.m1))))
    assert bank["essay"][0].id not in ids and bank["single"][0].id in ids


# What follows once marking ends


def test_points_results_and_participation_follow_only_once_marked(org, bank):
    from datetime import timedelta

    from quizapp.participation.queries import participation
    from quizapp.points.models import PointEntry
    from quizapp.points.services import award
    from quizapp.results.queries import quiz_results

    quiz = _quiz(org, bank, lasts=timedelta(days=30))
    attempt = _sit(org, quiz, org.m1, "坚定理想信念")
    day = NOW.date()

    def b11():
        report = participation(org.org1, quiz, day, day + timedelta(days=20), NOW)
        return next(r for r in report.rows if r.branch.code == "B11")

    def row():
        return next(r for r in quiz_results(org.admin, quiz, NOW).rows if r.member_id == org.m1.id)

    assert (b11().participants, b11().passed) == (0, 0)
    assert (row().status, row().status_label, row().score) == ("marking", "待阅卷", None)
    award(NOW)
    assert db.session.scalar(select(PointEntry).where(PointEntry.member_id == org.m1.id)) is None
    # Marked ten days later, past the points job's look-back from the submission.
    later = NOW + timedelta(days=10)
    answer = _essay_answer(attempt)
    marking.mark_answer(org.admin, answer, "8", None, 0, later)
    db.session.commit()
    assert fresh(attempt).marked_at == later
    assert (b11().participants, b11().passed) == (1, 1)
    assert (row().status, row().score) == ("submitted", 10)
    award(later)
    entry = db.session.scalar(select(PointEntry).where(PointEntry.member_id == org.m1.id))
    assert entry.source_key == f"quiz:{org.m1.id}:{quiz.id}"
    assert entry.day == (later + timedelta(hours=8)).date()  # the China day marking ended


def test_a_quiz_publishing_at_its_close_tells_once(org, bank):
    from datetime import timedelta

    from quizapp.attempts.result_notices import send_result_notices

    quiz = _quiz(org, bank, review_when=ReviewWhen.AFTER_CLOSE)
    attempt = _sit(org, quiz, org.m1, "回答")
    after = quiz.closes_at + timedelta(minutes=5)
    assert send_result_notices(after) == 0  # waits for marking
    marking.mark_answer(org.admin, _essay_answer(attempt), "6", None, 0, after)
    db.session.commit()
    notices = list(db.session.scalars(select(Notice).where(Notice.member_id == org.m1.id)))
    assert len(notices) == 1 and "8 / 12" in notices[0].body
    assert send_result_notices(after + timedelta(minutes=5)) == 0  # not told twice


def test_the_demo_has_essays_marked_and_waiting(app, runner):
    from sqlalchemy import func

    from quizapp.quizzes.attempt_models import Attempt

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0 and "简答 test with" in result.output
    quiz = db.session.scalar(select(QuizMarker.quiz_id))
    states = dict(
        db.session.execute(
            select(Attempt.status, func.count())
            .where(Attempt.quiz_id == quiz)
            .group_by(Attempt.status)
        ).all()
    )
    assert states.get("marking", 0) >= 1 and states.get("submitted", 0) >= 1
    marked = select(func.count()).where(AttemptAnswer.marked_by_id.is_not(None))
    assert db.session.scalar(marked) >= 2


# Named markers: a notice for the day's first paper, their own paper not counted


def test_named_markers_hear_of_the_first_paper_of_each_day_not_of_their_own(org, bank, make_member):
    from datetime import timedelta

    from quizapp.marking import queries
    from quizapp.scheduler.jobs import notify_markers

    day = timedelta(days=1)
    quiz = _quiz(org, bank, lasts=3 * day, attempts_allowed=1)
    marker = make_member("mk", org.b12, name="阅卷员")
    marking.add_marker(org.admin, quiz, marker, NOW)
    # Named too, but still to sit the quiz: may not mark it yet, so is never told.
    waiting_to_sit = make_member("mk2", org.b12, name="未考阅卷员")
    marking.add_marker(org.admin, quiz, waiting_to_sit, NOW)
    db.session.commit()

    def told():
        return db.session.scalars(
            select(Notice).where(Notice.member_id == marker.id).order_by(Notice.id)
        ).all()

    _sit(org, quiz, marker, "阅卷员自己的答卷")  # their own paper: nothing to mark, no notice
    assert notify_markers(NOW) == "0 marker notices sent"
    assert queries.count_waiting(marker) == []
    assert [(q.id, n) for q, n in queries.count_waiting(org.admin)] == [(quiz.id, 1)]
    _sit(org, quiz, org.m1, "第一份")
    assert notify_markers(NOW) == "1 marker notices sent"
    assert [n for _, n in queries.count_waiting(marker)] == [1]
    _sit(org, quiz, make_member("m2", org.b11), "第二份")  # the same China day: no second
    assert notify_markers(NOW) == "0 marker notices sent"
    # The queue and the answer page count what the marker may mark: not their own paper.
    assert [line.waiting for line in queries.list_queue(quiz, marker.id)] == [2]
    assert [line.waiting for line in queries.list_queue(quiz)] == [3]
    qid = bank["essay"][0].id
    waiting = queries.list_answers(quiz, qid, waiting=True, marker_id=marker.id)
    assert marker.id not in {a.attempt.member_id for a in waiting} and len(waiting) == 2
    # Papers older than a day are not announced again; the next day's first paper tells again.
    assert notify_markers(NOW + 2 * day) == "0 marker notices sent"  # nothing new (or old)
    _sit(org, quiz, make_member("m3", org.b11), "次日的答卷", now=NOW + day)
    assert notify_markers(NOW + day) == "1 marker notices sent"
    assert notify_markers(NOW + day) == "0 marker notices sent"
    notices = told()
    assert [n.kind for n in notices] == ["marking_waiting"] * 2
    assert db.session.scalar(select(func.count()).where(Notice.member_id == waiting_to_sit.id)) == 0
    assert quiz.title in notices[0].title and notices[0].link == f"/marking/quizzes/{quiz.id}"
    # Organisers are not told (their queue is on the results page and 今日任务).
    assert db.session.scalar(select(Notice).where(Notice.member_id == org.admin.id)) is None


def test_the_answer_sheet_shows_the_markers_comment_and_name(client, auth, org, bank, make_member):
    quiz = _quiz(org, bank)
    quiz.blind_marking = True
    marker = make_member("mk", org.b12, name="阅卷员")
    marking.add_marker(org.admin, quiz, marker, NOW)
    db.session.commit()
    _sit(org, quiz, marker, "阅卷员自己的答卷")  # in the audience: sits before marking
    attempt = _sit(org, quiz, org.m1, "坚定理想信念")
    url = f"/manage/results/attempts/{attempt.id}"
    _login(client, auth, "admin")
    sheet = client.get(url).get_data(as_text=True)
    assert "阅卷人" not in sheet and "评语" not in sheet
    answer = _essay_answer(attempt)
    marking.mark_answer(marker, answer, "6", "要点基本齐全", answer.mark_version, NOW)
    db.session.commit()
    sheet = client.get(url).get_data(as_text=True)
    assert "要点基本齐全" in sheet and "阅卷员" in sheet and "阅卷人" in sheet
    assert "普通党员的答卷" in sheet  # blind marking hides the member from markers only

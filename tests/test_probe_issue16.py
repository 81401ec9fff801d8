"""Probing issue 16's features as the people who want more than they may have: a member after
a running exam's answers (as a named marker, through the report form), a deferred member
after the questions before their window, another unit's organiser typing URLs, and a hostile
Word file. Each test fails if the protection it names is removed."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.attempts import services as attempts
from quizapp.bank.services import QuestionData, save_question
from quizapp.deferrals import services as deferrals
from quizapp.deferrals.models import QuizException
from quizapp.errors import DomainError
from quizapp.marking import services as marking
from quizapp.regrade import services as regrade
from tests.factories import NOW, fresh, make_questions, make_quiz
from tests.test_bank_word import make_docx

ESSAY = {"reference": "坚定理想信念，严守党的纪律。", "points": ["理想信念", "严守纪律"]}


@pytest.fixture()
def bank(org):
    made = make_questions(org.admin, n_each=1)
    data = QuestionData(
        type="essay", stem="简述严守纪律的要求。", options=[], answer=ESSAY, key="probe-e"
    )
    made["essay"] = [save_question(org.admin, data)]
    db.session.commit()
    return made


def _login(client, auth, login_id):
    auth.logout()
    assert auth.login(login_id).status_code == 302


def _sit(member, quiz, text=None, now=NOW):
    attempt, _ = attempts.start_attempt(member, quiz, now)
    for answer in fresh(attempt).answers:
        answer.response = text if answer.question.type == "essay" else None
    db.session.flush()
    attempts.submit_attempt(attempt, now)
    db.session.commit()
    return fresh(attempt)


# (a) A member named marker who has the quiz still to sit


def test_a_named_marker_sees_no_paper_or_reference_while_they_may_still_sit(
    client, auth, org, bank, make_member, time_machine
):
    time_machine.move_to(NOW, tick=False)
    quiz = make_quiz(org.admin, [org.u1], questions=[bank["essay"][0]], title="简答探测")
    marker = make_member("mk", org.b12, name="阅卷员")  # in the quiz's audience
    marking.add_marker(org.admin, quiz, marker, NOW)
    db.session.commit()
    paper = _sit(org.m1, quiz, "要严守党的纪律。")
    queue = f"/marking/quizzes/{quiz.id}"
    page = f"{queue}/questions/{bank['essay'][0].id}"
    mark = f"{page}/attempts/{paper.id}"
    _login(client, auth, "mk")
    # Before sitting (the quiz open to them): neither the reference nor m1's answer.
    assert "简答探测" not in client.get("/marking/").get_data(as_text=True)
    assert client.get(queue).status_code == 404 and client.get(page).status_code == 404
    assert client.post(mark, data={"points": "1", "version": "0"}).status_code == 404
    # While writing their own paper: still nothing.
    mine, _ = attempts.start_attempt(marker, quiz, NOW)
    db.session.commit()
    assert client.get(page).status_code == 404
    # Handed in, no attempt left: now they mark (never their own paper).
    fresh(mine).answers[0].response = "我自己的回答"
    db.session.flush()
    attempts.submit_attempt(mine, NOW)
    db.session.commit()
    own = f"{page}/attempts/{mine.id}"
    assert client.post(own, data={"points": "10", "version": "0"}).status_code == 302
    assert fresh(mine).answers[0].mark is None and fresh(mine).score is None
    html = client.get(page).get_data(as_text=True)
    assert "坚定理想信念" in html and "要严守党的纪律" in html
    assert client.post(mark, data={"points": "1", "version": "0"}).status_code == 302
    assert fresh(paper).score == 1


def test_a_named_marker_with_a_pending_deferral_marks_nothing(org, bank, make_member):
    quiz = make_quiz(org.admin, [org.u1], questions=[bank["essay"][0]], title="简答探测")
    marker = make_member("mk", org.b12, name="阅卷员")
    marking.add_marker(org.admin, quiz, marker, NOW)
    paper = _sit(org.m1, quiz, "要严守党的纪律。")
    deferrals.request_deferral(marker, quiz, "duty", "", NOW)
    db.session.commit()
    after_close = quiz.closes_at + timedelta(hours=1)
    answer = fresh(paper).answers[0]
    with pytest.raises(DomainError, match="无权"):
        marking.mark_answer(marker, answer, "1", None, 0, after_close)


# (e) A deferred member after the questions before their own window


def test_a_deferred_member_cannot_open_the_quiz_questions_by_the_report_form(
    client, auth, org, bank, make_member, time_machine
):
    time_machine.move_to(NOW, tick=False)
    on_quiz, elsewhere = bank["single"][0], bank["truefalse"][0]
    quiz = make_quiz(org.org1, [org.u1], questions=[on_quiz], title="缓考探测")
    row = deferrals.request_deferral(org.m1, quiz, "duty", "", NOW)
    deferrals.approve_deferral(
        org.org1,
        row,
        quiz.closes_at + timedelta(days=1),
        quiz.closes_at + timedelta(days=2),
        "",
        NOW,
    )
    _sit(make_member("m2", org.b12), quiz)
    db.session.commit()
    _login(client, auth, "m1")
    assert client.get(f"/questions/{elsewhere.id}/report").status_code == 200  # the controls
    control = f"/practice/api/questions/{elsewhere.id}/answer"
    assert client.post(control, json={"response": True}).status_code == 200
    for when in (NOW, quiz.closes_at + timedelta(hours=1)):  # others sat; review has opened
        time_machine.move_to(when, tick=False)
        r = client.get(f"/questions/{on_quiz.id}/report")
        assert r.status_code == 404 and on_quiz.stem not in r.get_data(as_text=True)
        answer = f"/practice/api/questions/{on_quiz.id}/answer"  # would tell the key
        assert client.post(answer, json={"response": 0}).status_code == 404
        for page in (f"/quizzes/{quiz.id}", f"/quizzes/{quiz.id}/ranking", "/practice/wrong"):
            assert on_quiz.stem not in client.get(page).get_data(as_text=True), page


def test_the_report_form_tells_nothing_of_a_paper_being_written(
    client, auth, org, bank, time_machine
):
    time_machine.move_to(NOW, tick=False)
    question = bank["single"][0]
    quiz = make_quiz(org.org1, [org.u1], questions=[question], title="进行中")
    _login(client, auth, "m1")
    assert client.get(f"/questions/{question.id}/report").status_code == 200  # practisable
    attempts.start_attempt(org.m1, quiz, NOW)
    db.session.commit()
    assert client.get(f"/questions/{question.id}/report").status_code == 404
    assert client.post(f"/questions/{question.id}/report", data={"reason": "key"}).status_code in (
        400,
        404,
    )


# (d) Another unit's organiser typing URLs


def test_another_units_organiser_reaches_no_report_regrade_or_marking_page(
    client, auth, org, bank, time_machine
):
    time_machine.move_to(NOW, tick=False)
    own = save_question(
        org.org1,
        QuestionData(type="truefalse", stem="一分局的题。", options=[], answer=True, key="u1-q"),
    )
    quiz = make_quiz(org.org1, [org.u1], questions=[own, bank["essay"][0]], title="一分局")
    _sit(org.m1, quiz, "回答")
    db.session.commit()
    paths = (
        f"/manage/question-reports/{own.id}",
        f"/manage/regrade/questions/{own.id}",
        f"/marking/quizzes/{quiz.id}",
        f"/manage/marking/quizzes/{quiz.id}",
        f"/manage/deferrals/quizzes/{quiz.id}",
    )
    _login(client, auth, "org1")  # the control: the pages exist for their owner
    assert [client.get(p).status_code for p in paths] == [200] * len(paths)
    _login(client, auth, "org2")
    for path in paths:
        assert client.get(path).status_code == 404, path


def test_a_hand_marked_question_is_never_regraded_by_a_key(org, bank):
    quiz = make_quiz(org.admin, [org.u1], questions=[bank["essay"][0]], title="简答")
    _sit(org.m1, quiz, "回答")
    with pytest.raises(DomainError, match="人工阅卷"):
        regrade.plan_regrade(org.admin, bank["essay"][0], [quiz.id], False)


# (f) A hostile Word file: a Chinese message, never a 500, nothing saved


def _patched(content: bytes, name: str, change) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, change(data) if info.filename == name else data)
    return out.getvalue()


def _nested(data: bytes) -> bytes:
    inner = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    for _ in range(200):  # past the XML parser's depth limit
        inner = b"<w:tbl><w:tr><w:tc>" + inner + b"</w:tc></w:tr></w:tbl><w:p/>"
    return data.replace(b"<w:body>", b"<w:body>" + inner, 1)


def _numbered_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("一、单选题")
    document.add_paragraph("题（  ）。", style="List Number")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


QUESTION = ("一、单选题", "1. 入党誓词共有几句（  ）。", "A. 八", "B. 十", "答案：A")


@pytest.mark.parametrize(
    "build",
    [
        lambda: _patched(make_docx(*QUESTION), "word/document.xml", lambda d: d[:-40]),
        lambda: _patched(make_docx(*QUESTION), "word/document.xml", _nested),
        lambda: _patched(
            _numbered_docx(),
            "word/numbering.xml",
            lambda d: d.replace(b'w:ilvl="0"', b'w:ilvl="x"').replace(b'w:val="1"', b'w:val="?"'),
        ),
        lambda: b"PK\x03\x04" + b"\x00" * 100,
    ],
    ids=["broken-xml", "nested-tables", "odd-numbering", "not-a-zip"],
)
def test_a_hostile_word_file_gets_a_chinese_answer(client, auth, org, build):
    _login(client, auth, "org1")
    data = {"file": (io.BytesIO(build()), "题库.docx"), "preview": "y"}
    r = client.post("/manage/bank/import", data=data, content_type="multipart/form-data")
    assert r.status_code in (200, 400)
    body = r.get_data(as_text=True)
    assert "题库.docx" in body or "预览" in body


def test_word_entities_are_never_expanded(org):
    from quizapp.bank.formats import word

    bomb = b'<!DOCTYPE w:document [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    content = _patched(
        make_docx(*QUESTION),
        "word/document.xml",
        lambda d: d.replace(b"<w:document", bomb + b"<w:document", 1).replace(
            "入党".encode(), b"&b;", 1
        ),
    )
    try:
        drafts, _ = word.read("题库.docx", content)
    except DomainError:
        return  # refused outright: as good
    assert all("AAAAA" not in d.data.stem for d in drafts if d.data)


# (a) A member who handed in a paper still being marked asks for 缓考 (a fresh paper, later)


def test_a_paper_waiting_for_its_marks_counts_as_handed_in_for_deferral(
    client, auth, org, bank, time_machine
):
    time_machine.move_to(NOW, tick=False)
    quiz = make_quiz(
        org.org1, [org.u1], questions=[bank["single"][0], bank["essay"][0]], title="简答缓考"
    )
    early = deferrals.request_deferral(org.m1, quiz, "duty", "", NOW)  # asked, then sat anyway
    db.session.commit()
    paper = _sit(org.m1, quiz, "我的回答")
    assert paper.status == "marking"
    with pytest.raises(DomainError, match="已经交卷"):
        deferrals.approve_deferral(
            org.org1, early, NOW + timedelta(days=1), NOW + timedelta(days=2), "", NOW
        )
    db.session.rollback()
    deferrals.withdraw_deferral(org.m1, fresh(early), NOW)
    db.session.commit()
    _login(client, auth, "m1")
    r = client.post(f"/quizzes/{quiz.id}/deferral", data={"reason": "duty"}, follow_redirects=True)
    assert "您已交卷，不能再申请缓考" in r.get_data(as_text=True)
    rows = db.session.scalars(select(QuizException).where(QuizException.quiz_id == quiz.id))
    assert [row.status for row in rows] == ["withdrawn"]


def test_tolerant_fill_never_accepts_a_hedge_or_a_part():
    from quizapp.bank.types import get_type

    fill = get_type("fill")
    answer = [["5年"]]
    assert fill.grade(answer, ["五年"], 2) == 2 and fill.grade(answer, ["“5 年”。"], 2) == 2
    for hedge in ("5年或6年", "5年、6年", "5年。6年", "年", "5", "。", "“”", "五"):
        assert fill.grade(answer, [hedge], 2) == 0, hedge
    two = [["不得"], ["十二"]]
    assert fill.grade(two, ["得", "12"], 2) == 1  # "不得" is never "得"
    assert fill.grade(two, ["不得十二", ""], 2) == 0  # both parts in one blank


def _flood(paragraphs: int) -> bytes:
    """A small .docx whose document unpacks to ``paragraphs`` empty paragraphs."""
    return _patched(
        make_docx(*QUESTION),
        "word/document.xml",
        lambda d: d.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * paragraphs, 1),
    )


def test_a_flood_of_paragraphs_is_refused_before_it_eats_the_server(client, auth, org, monkeypatch):
    from quizapp.bank.formats import docx_lines, word

    # A 40 kB file of 100 000 empty paragraphs once took minutes (a style lookup each);
    # limits keep it to what a bank needs (lowered here to keep the test quick).
    monkeypatch.setattr(docx_lines, "MAX_LINES", 100)
    with pytest.raises(DomainError, match="段落超过 100 个"):
        word.read("题库.docx", _flood(200))
    drafts, _ = word.read("题库.docx", _flood(50))  # within the limits: read as usual
    assert [d.data.answer for d in drafts] == [0]
    monkeypatch.setattr(docx_lines, "MAX_LINES", 100_000)
    tags = docx_lines._count_tags(_flood(0))
    monkeypatch.setattr(docx_lines, "MAX_TAGS", tags + 1000)
    assert len(word.read("题库.docx", _flood(900))[0]) == 1
    with pytest.raises(DomainError, match="内容元素过多"):
        word.read("题库.docx", _flood(1100))
    _login(client, auth, "org1")
    data = {"file": (io.BytesIO(_flood(1100)), "题库.docx"), "preview": "y"}
    r = client.post("/manage/bank/import", data=data, content_type="multipart/form-data")
    assert "内容元素过多" in r.get_data(as_text=True)


def test_too_many_questions_in_a_word_file_are_refused_while_reading(monkeypatch):
    from quizapp.bank.formats import word

    monkeypatch.setattr(word, "MAX_QUESTIONS", 3)
    lines = [line for n in range(1, 5) for line in (f"{n}. 第{n}题（  ）。", "A. 甲", "B. 乙")]
    with pytest.raises(DomainError, match="超过 3 道题"):
        word.read("题库.docx", make_docx("一、单选题", *lines, "答案：A"))


def test_the_word_preview_shows_markup_in_a_file_as_text(client, auth, org):
    _login(client, auth, "org1")
    content = make_docx(
        "一、单选题", "1. <script>alert(1)</script>（  ）。", "A. <b>甲</b>", "B. 乙", "答案：A"
    )
    data = {"file": (io.BytesIO(content), "题库.docx"), "preview": "y"}
    body = client.post(
        "/manage/bank/import", data=data, content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "<b>甲</b>" not in body

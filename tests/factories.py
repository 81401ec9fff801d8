"""Factories shared by the tests: bank questions and quizzes, materials, campaigns, offline
sessions, and the facts members leave behind (study minutes, attempts, attendance,
reflections), plus small helpers to read things back."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl

from quizapp import db
from quizapp.audiences.services import build_audience
from quizapp.bank.services import QuestionData, save_question
from quizapp.campaigns.models import Campaign
from quizapp.campaigns.services import CampaignData, save_campaign
from quizapp.clock import CHINA
from quizapp.deferrals.services import grant_extra
from quizapp.offline.models import OfflineAttendance, OfflineSession
from quizapp.offline.services import SessionData, create_session
from quizapp.points.models import PointEntry
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import Counting, QuizKind, ReviewWhen
from quizapp.quizzes.services import QuizData, RuleData, save_quiz, set_published
from quizapp.study.models import Material, Reflection, StudyMinute
from tests.conftest import TODAY

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # 10:00 in China


def china(*args) -> datetime:
    """A moment given in China time."""
    return datetime(*args, tzinfo=CHINA)


#: The sample question of each type, numbered ``i`` (a different last option, a different key).
SAMPLES = {
    "single": lambda i: dict(
        stem=f"单选题{i}：处分种类不包括（  ）。",
        options=["警告", "记过", "开除党籍", f"严重警告{i}"],
        answer=1,
        explanation="第八条。",
        source="《中国共产党纪律处分条例》第八条",
    ),
    "multiple": lambda i: dict(
        stem=f"多选题{i}：属于处分种类的有（  ）。",
        options=["警告", "记过", "留党察看", f"罚款{i}"],
        answer=[0, 2],
    ),
    "truefalse": lambda i: dict(stem=f"判断题{i}：开除党籍是最高处分。", options=[], answer=True),
    "fill": lambda i: dict(
        stem=f"填空题{i}：坚持____、治病救人。", options=[], answer=[["惩前毖后"]]
    ),
}


def make_questions(actor, n_each: int = 3, category: str = "测试/纪律") -> dict[str, list]:
    """Create ``n_each`` questions of every type (keys s0, m0, t0, f0, s1…); return them by type."""
    made: dict[str, list] = {kind: [] for kind in SAMPLES}
    for i in range(n_each):
        for kind, sample in SAMPLES.items():
            data = QuestionData(type=kind, category_path=category, key=f"{kind[0]}{i}", **sample(i))
            made[kind].append(save_question(actor, data))
    db.session.flush()
    return made


def make_essay(actor, key: str = "e0"):
    """Create a 简答 question (a reference and its key points): a paper with a written answer
    to it waits 待阅卷 for a marker."""
    answer = {"reference": "坚定理想信念，严守党的纪律。", "points": ["理想信念", "严守纪律"]}
    data = QuestionData(
        type="essay", stem="简述严守纪律的要求。", options=[], answer=answer, key=key
    )
    return save_question(actor, data)


def make_quiz(
    actor,
    branches,
    *,
    questions=(),
    rules=(),
    publish=True,
    now=NOW,
    opens_in=timedelta(hours=-1),
    lasts=timedelta(hours=3),
    **options,
):
    """Create (and publish) a quiz for ``branches`` around ``now``."""
    data = QuizData(
        title=options.pop("title", "纪律处分条例测试"),
        opens_at=now + opens_in,
        closes_at=now + opens_in + lasts,
        kind=options.pop("kind", QuizKind.TEST),
        fixed_questions=list(questions),
        rules=[RuleData(**r) if isinstance(r, dict) else r for r in rules],
        branches=list(branches),
        **options,
    )
    quiz = save_quiz(actor, data)
    if publish:
        set_published(actor, quiz, True)
    db.session.commit()
    return quiz


def move_close(actor, quiz, closes_at, branches, **changes):
    """``actor`` saves ``quiz`` (of fixed questions, for ``branches``) as it is but for its
    close and ``changes``, and commits."""
    data = QuizData(
        title=quiz.title,
        opens_at=quiz.opens_at,
        closes_at=closes_at,
        time_limit_minutes=changes.pop("time_limit_minutes", quiz.time_limit_minutes),
        fixed_questions=[fq.question for fq in quiz.fixed_questions],
        branches=list(branches),
        **changes,
    )
    save_quiz(actor, data, quiz)
    db.session.commit()


def quiz_form(title: str, branch_ids: str, question_keys: str, **changes) -> dict:
    """The quiz form of a plain test of ``question_keys`` for ``branch_ids``, 21 to 28
    November: one attempt, 60 % to pass, the default points, answers shown at once;
    ``changes`` set other fields or replace these."""
    return {
        "title": title,
        "kind": "test",
        "opens_at": "2026-11-21T10:00",
        "closes_at": "2026-11-28T10:00",
        "attempts_allowed": "1",
        "counting": "highest",
        "pass_percent": "60",
        "points-single": "2",
        "points-multiple": "3",
        "points-truefalse": "1",
        "points-fill": "2",
        "points-essay": "10",
        "review_when": "immediately",
        "branch_ids": branch_ids,
        "question_keys": question_keys,
    } | changes


__all__ = [
    "NOW",
    "Counting",
    "QuizKind",
    "ReviewWhen",
    "add_attempt",
    "add_offline",
    "add_points",
    "add_reflection",
    "add_study",
    "fresh",
    "grant_makeup",
    "make_campaign",
    "make_essay",
    "make_material",
    "make_questions",
    "make_quiz",
    "make_session",
    "move_close",
    "pdf_bytes",
    "quiz_form",
    "upload_questions",
    "xlsx_bytes",
]


def make_campaign(actor, title, starts_on, ends_on, minutes=0, **options) -> Campaign:
    """Save a campaign (a draft) through the service asking for ``minutes`` of study;
    ``options`` as ``CampaignData``'s."""
    data = CampaignData(
        title=title, starts_on=starts_on, ends_on=ends_on, minute_target=minutes, **options
    )
    return save_campaign(actor, data)


def make_material(org, title="党纪学习", *, branches=None, owner=None, **values) -> Material:
    """Create a published article (flushed) for ``branches`` (the bureau), owned by ``owner``
    (the bureau); ``values`` set or override other columns (status, topic, minutes...)."""
    defaults = {
        "topic": "党纪学习教育",
        "body_markdown": "正文",
        "body_html": "<p>正文</p>",
        "estimated_minutes": 10,
        "status": "published",
    }
    material = Material(
        title=title,
        audience=build_audience(org.admin, branches or [org.bureau], [], []),
        owner_branch_id=(owner or org.bureau).id,
        **(defaults | values),
    )
    db.session.add(material)
    db.session.flush()
    return material


def add_study(member, material: Material, day, seconds: int, *, at=None, until=None) -> None:
    """Credit ``seconds`` of study on ``material`` to ``member`` on the China ``day``, beating
    at ``at`` (10:00 China time that day) and last at ``until`` (the same moment)."""
    beat = at or datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    db.session.add(
        StudyMinute(
            member_id=member.id,
            material_id=material.id,
            day=day,
            seconds=seconds,
            first_beat_at=beat,
            last_beat_at=until or beat,
        )
    )
    db.session.flush()


def add_attempt(
    member,
    quiz,
    number=1,
    score=None,
    passed=None,
    *,
    status="submitted",
    at=NOW,
    took=timedelta(minutes=20),
    left=timedelta(hours=1),
    max_score=10,
    end_reason="member",
    leave_count=0,
) -> Attempt:
    """Add an attempt row (flushed) handed in at ``at``, begun ``took`` before it with
    ``left`` to go, ended for ``end_reason``; with another ``status`` it has no submission
    time nor end."""
    attempt = Attempt(
        quiz_id=quiz.id,
        member_id=member.id,
        number=number,
        status=status,
        started_at=at - took,
        deadline_at=at + left,
        submitted_at=at if status == "submitted" else None,
        end_reason=end_reason if status == "submitted" else None,
        leave_count=leave_count,
        score=score,
        max_score=max_score,
        passed=passed,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def make_session(
    actor,
    branch,
    attendees=(),
    *,
    title="主题党日",
    kind="party_day",
    held_on=TODAY - timedelta(days=1),
    minutes=90,
    today=TODAY,
) -> OfflineSession:
    """Record an offline session of ``branch`` through the service (flushed)."""
    data = SessionData(
        title=title,
        kind=kind,
        held_on=held_on,
        duration_minutes=minutes,
        branch=branch,
        attendees=list(attendees),
    )
    return create_session(actor, data, today)


def add_offline(branch, held_on, attendees, minutes=60) -> OfflineSession:
    """Add a lecture held by ``branch`` and its attendance rows (flushed), bypassing the rules."""
    session = OfflineSession(
        title="专题讲座",
        kind="lecture",
        held_on=held_on,
        duration_minutes=minutes,
        branch_id=branch.id,
    )
    db.session.add(session)
    db.session.flush()
    db.session.add_all(OfflineAttendance(session_id=session.id, member_id=m.id) for m in attendees)
    db.session.flush()
    return session


def add_reflection(member, status, *, body="学习心得" * 20, **subject) -> None:
    """Add a reflection row (flushed) on ``material``/``campaign`` with ``submitted_at``."""
    db.session.add(
        Reflection(member_id=member.id, title="心得", body=body, status=status, **subject)
    )
    db.session.flush()


def add_points(member, points, day, *, rule="minutes", reason="测试", key=None, by=None):
    """Add an entry to ``member``'s ledger (flushed); ``by`` is whoever made a correction."""
    entry = PointEntry(
        member_id=member.id,
        day=day,
        rule=rule,
        points=points,
        reason=reason,
        source_key=key or f"test:{member.id}:{day}:{points}:{reason}",
        created_by_id=by.id if by else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def grant_makeup(actor, quiz, member, reason: str, now: datetime, **terms):
    """补考: ``actor`` grants ``member`` one more attempt at ``quiz``, in the quiz's own window
    and with its time limit, unless ``terms`` (``grant_extra``'s) say otherwise."""
    terms = {"attempts": 1, "minutes": None, "opens_at": None, "closes_at": None} | terms
    return grant_extra(actor, quiz, member, reason=reason, now=now, **terms)


def upload_questions(client, content: bytes | str, filename: str, **boxes):
    """Post ``content`` to the bank's import page as ``filename`` (its extension says the
    format); each of ``boxes`` that is true (only_valid, preview) is ticked."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    data = {"file": (io.BytesIO(content), filename)}
    data |= {box: "y" for box, ticked in boxes.items() if ticked}
    return client.post("/manage/bank/import", data=data, content_type="multipart/form-data")


def fresh(obj):
    """``obj`` read again from the database, as another request would see it."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def xlsx_bytes(rows, headers, before=()) -> bytes:
    """An .xlsx whose first sheet has ``before`` rows, the header, then ``rows``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [*before, headers, *rows]:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_bytes(pages: int = 3) -> bytes:
    """A valid A4 PDF of ``pages`` pages, each saying its number (Helvetica, not embedded)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
        + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(pages):
        text = b"BT /F1 36 Tf 72 700 Td (Page %d) Tj ET" % (i + 1)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def between_read_and_write(monkeypatch, module, name: str, action) -> list:
    """Run ``action()`` once, right after the hot read ``module.name`` (a ``HotStatement``)
    first runs and before the code that read goes on to write: an interleaving made by hand.
    Returns a list that will hold what ``action`` returned (reads made inside ``action`` go
    straight through)."""
    read = getattr(module, name)
    done: list = []

    class ReadThenAct:
        statement = read.statement

        def execute(self, connection, params):
            result = read.execute(connection, params)
            if not done:
                done.append(None)
                done[0] = action()
            return result

    monkeypatch.setattr(module, name, ReadThenAct())
    return done

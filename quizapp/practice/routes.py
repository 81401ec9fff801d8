"""Practice (练习), daily questions (每日答题) and the wrong-answer book (错题本), for members.

Pages (GET, read only):
  /practice/                  practice.index           categories with counts, daily, wrong book
  /practice/category/<id>     practice.category        one random question of the category
  /practice/daily             practice.daily           today's questions, or a button to draw them
  /practice/wrong             practice.wrong_book      open entries, newest first (?page=)
  /practice/wrong/practice    practice.wrong_practice  one open entry at a time
  The practice pages take ``?recent=3-17-9``: questions just seen, avoided while others remain.
  POST /practice/daily        practice.draw_daily      draw today's questions (once a day)

JSON API, used by static/js/practice.js: session cookie, ``X-CSRFToken`` header, JSON body
``{"response": R}`` with R in the forms of quizapp.bank.types (e.g. ``2``, ``[0, 3]``,
``true``, ``["惩前毖后"]``):
  POST /practice/api/questions/<question_id>/answer   practice answer, a practisable question
  (practice.queries.practisable: own bank, not used by an exam, not on a running paper)
  POST /practice/api/daily/<question_id>/answer       one of today's daily questions, once
  200: {"correct": bool, "right": <the answer in response form>, "blanks": [bool] | null,
        "feedback_html": str, "wrong_book": {"open", "streak", "wrong_count"} | null}
       and for daily answers "daily": {"total", "answered", "correct", "done", "summary_html"}
  Errors (errors.py): {"error": <code>, "message": "<中文>", "status": n}: 400 malformed body
  or response, 401 not logged in, 404 no such question (daily: not among today's), 409 daily
  question already answered.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp.actions import run, transaction
from quizapp.bank.models import Question
from quizapp.bank.types.web import type_label
from quizapp.clock import china_today, utcnow
from quizapp.errors import BadRequest, NotFound
from quizapp.pagination import page_number
from quizapp.practice import queries, services
from quizapp.wrongbook.models import Origin, WrongAnswer
from quizapp.wrongbook.services import RESOLVE_STREAK

bp = Blueprint("practice", __name__)

#: How many recently seen questions the practice pages avoid (at most half the pool).
RECENT_LIMIT = 20


def _origin_label(origin: str) -> str:
    return Origin(origin).label if origin in Origin._value2member_map_ else origin


@bp.context_processor
def _helpers() -> dict:
    return {
        "blank_marks": services.blank_marks,
        "type_label": lambda q: type_label(q.type),
        "origin_label": _origin_label,
        "resolve_streak": RESOLVE_STREAK,
    }


def _response_from_body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "response" not in body:
        raise BadRequest("提交的内容无法识别，请刷新页面后重试。")
    return body["response"]


def _recent() -> list[int]:
    raw = request.args.get("recent", "")[:1000]
    # ASCII digits only ("²".isdigit() is true) and ids a database column can hold.
    ids = [
        int(part)
        for part in raw.split("-")
        if part.isascii() and part.isdigit() and len(part) <= 10
    ]
    return [i for i in ids if i < 2**31][-RECENT_LIMIT:]


def _next_recent(recent: list[int], question: Question, pool: int) -> str:
    """The ``recent`` of the next page: this question added, at most half the pool kept."""
    keep = min(RECENT_LIMIT, pool // 2)
    ids = [i for i in recent if i != question.id] + [question.id]
    return "-".join(str(i) for i in ids[-keep:]) if keep else ""


def _question_page(
    mode: str,
    heading: str,
    question: Question | None,
    entry: WrongAnswer | None,
    pool: int,
    recent: list[int],
    endpoint: str,
    **args: int,
) -> str:
    """Render one practice question, linking the next one (``endpoint`` with ``args``)."""
    next_url = (
        url_for(endpoint, recent=_next_recent(recent, question, pool) or None, **args)
        if question
        else None
    )
    return render_template(
        "practice/question.html",
        heading=heading,
        question=question,
        pool=pool,
        entry=entry,
        next_url=next_url,
        mode=mode,
    )


def _answer_json(result: services.Result) -> dict:
    graded, entry = result.graded, result.entry
    return {
        "correct": graded.is_correct,
        "right": graded.question.answer,
        "blanks": graded.blanks,
        "feedback_html": render_template(
            "practice/_feedback.html",
            q=graded.question,
            is_correct=graded.is_correct,
            response=graded.response,
            entry=entry,
            fresh=True,
        ),
        "wrong_book": None
        if entry is None
        else {
            "open": entry.resolved_at is None,
            "streak": entry.streak,
            "wrong_count": entry.wrong_count,
        },
    }


# --- pages --------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    """Choose a category to practise, or go to the daily questions or the wrong-answer book."""
    return render_template(
        "practice/index.html",
        categories=queries.list_practice_categories(current_user),
        progress=queries.get_daily_progress(current_user.id, china_today(utcnow())),
        daily_count=services.DAILY_COUNT,
        wrong_count=queries.count_open_wrong_answers(current_user),
    )


@bp.get("/category/<int:category_id>")
@login_required
def category(category_id: int):
    """Practise one category (subcategories included): a random question, instant feedback."""
    cat = queries.get_category(category_id)
    pool = queries.count_category_questions(current_user, cat)
    recent = _recent()
    question = queries.pick_practice_question(current_user, cat, recent) if pool else None
    return _question_page(
        "category", cat.name, question, None, pool, recent, "practice.category", category_id=cat.id
    )


@bp.get("/wrong/practice")
@login_required
def wrong_practice():
    """Practise the open entries of the wrong-answer book, one at a time."""
    pool = queries.count_open_wrong_answers(current_user)
    recent = _recent()
    question = queries.pick_wrong_question(current_user, recent) if pool else None
    entry = queries.get_wrong_answer(current_user.id, question.id) if question else None
    return _question_page(
        "wrong", "练习错题", question, entry, pool, recent, "practice.wrong_practice"
    )


@bp.get("/wrong")
@login_required
def wrong_book():
    """List the open entries of the member's wrong-answer book, newest first."""
    page = queries.list_open_wrong_answers(current_user, page=page_number())
    return render_template("practice/wrong_book.html", page=page)


@bp.get("/daily")
@login_required
def daily():
    """Today's daily questions once drawn; before that, the button that draws them."""
    rows = queries.list_daily_questions(current_user.id, china_today(utcnow()))
    hidden = queries.hidden_question_ids(current_user, {row.question_id for row in rows})
    return render_template(
        "practice/daily.html",
        rows=rows,
        hidden=hidden,
        progress=queries.daily_progress(rows),
        daily_count=services.DAILY_COUNT,
    )


@bp.post("/daily")
@login_required
def draw_daily():
    """Draw today's daily questions (a second press keeps the first draw), then show them."""
    if not run(lambda: services.draw_daily_questions(current_user, utcnow())):
        flash("题库暂时没有题目，今天没有每日答题。", "info")
    return redirect(url_for("practice.daily"))


# --- JSON API -----------------------------------------------------------------------------


@bp.post("/api/questions/<int:question_id>/answer")
@login_required
@transaction
def answer_question(question_id: int):
    """Grade a practice answer and update the wrong-answer book."""
    # Only a question the member may practise now: never another unit's, an exam's, or
    # one on the paper of the member's attempt in progress (that would reveal its answer).
    question = queries.get_practisable_question(current_user, question_id)
    if question is None:
        raise NotFound("没有找到这道题，或这道题目前不能练习，请刷新页面。")
    result = services.answer_practice(current_user, question, _response_from_body(), utcnow())
    return jsonify(_answer_json(result))


@bp.post("/api/daily/<int:question_id>/answer")
@login_required
def answer_daily(question_id: int):
    """Grade the answer to one of today's daily questions (once) and report the day's progress."""
    now = utcnow()
    result = run(
        lambda: services.answer_daily_question(
            current_user, question_id, _response_from_body(), now
        )
    )
    progress = queries.get_daily_progress(current_user.id, china_today(now))
    data = _answer_json(result)
    data["daily"] = {
        "total": progress.total,
        "answered": progress.answered,
        "correct": progress.correct,
        "done": progress.is_done,
        "summary_html": render_template("practice/_daily_summary.html", progress=progress),
    }
    return jsonify(data)

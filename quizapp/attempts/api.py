"""The JSON API the attempt page's script uses (documented in docs/api.md).

Every call needs the session cookie; every POST and PUT the X-CSRFToken header.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request, url_for
from flask_login import current_user, login_required

from quizapp import db
from quizapp.actions import run, transaction
from quizapp.attempts import autosave, queries, services
from quizapp.auth.session_ref import hot_login_required
from quizapp.clock import utcnow
from quizapp.errors import BadRequest, NotFound
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Quiz

bp = Blueprint("api", __name__)


def attempt_json(attempt: Attempt, now) -> dict:
    """Describe an attempt for the client: its state, deadline and (when allowed) result."""
    data = {
        "attempt_id": attempt.id,
        "quiz_id": attempt.quiz_id,
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at.isoformat(),
        "deadline_at": attempt.deadline_at.isoformat(),
        "server_time": now.isoformat(),
        "seconds_left": max(0, int((attempt.deadline_at - now).total_seconds())),
        "url": url_for("attempts.take", attempt_id=attempt.id),
    }
    if attempt.status != AttemptStatus.IN_PROGRESS:  # submitted, or 待阅卷 (no score yet)
        shown = services.review_allowed(attempt, now)
        data.update(
            {
                "submitted_at": attempt.submitted_at.isoformat(),
                "auto_submitted": attempt.auto_submitted,
                "end_reason": attempt.end_reason,
                "review_available": shown,
                "score": attempt.score if shown else None,
                "max_score": attempt.max_score if shown else None,
                "passed": attempt.passed if shown else None,
                "result_url": url_for("attempts.result", attempt_id=attempt.id),
            }
        )
    return data


@bp.post("/quizzes/<int:quiz_id>/attempts")
@login_required
def start(quiz_id: int):
    """Start an attempt (201) or return the one in progress (200)."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        raise NotFound("没有找到该测试。")
    now = utcnow()
    # Another request (a double tap, a second device) may start it first: then use theirs.
    attempt, created = run(lambda: services.start_attempt(current_user, quiz, now), retry_race=True)
    return jsonify(attempt_json(attempt, now)), 201 if created else 200


@bp.put("/attempts/<int:attempt_id>/answers/<int:question_id>")
@hot_login_required
@transaction
def save_answer(attempt_id: int, question_id: int):
    """Save one answer; an older sequence number never overwrites a newer answer."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "seq" not in body or "response" not in body:
        raise BadRequest("提交的内容无法识别：需要 seq 和 response，请刷新页面后重试。")
    result = autosave.save_answer(
        g.session_ref, attempt_id, question_id, body["response"], body["seq"], utcnow()
    )
    return jsonify(saved=result.saved, seq=result.seq)


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
@transaction
def submit(attempt_id: int):
    """Submit and grade; submitting again returns the same result.

    The page's countdown sends ``{"timed_out": true}`` at 0:00: the attempt then ends by
    time, as the server's own submission at the deadline would.
    """
    now = utcnow()
    body = request.get_json(silent=True)
    timed_out = isinstance(body, dict) and body.get("timed_out") is True
    attempt = services.get_attempt(current_user, attempt_id, now)
    reason = services.submit_reason(attempt, now, timed_out=timed_out)
    attempt = services.submit_attempt(attempt, now, reason=reason)
    return jsonify(attempt_json(attempt, now))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def show(attempt_id: int):
    """Return the attempt's state and its saved responses (to resume on another device).

    Read only: an attempt past its deadline stays in progress (``seconds_left`` 0) until the
    page submits it, the next autosave does, or the scheduler does within a minute.
    """
    now = utcnow()
    attempt = queries.get_member_attempt(current_user, attempt_id)
    data = attempt_json(attempt, now)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        data["answers"] = {
            str(a.question_id): {"response": a.response, "seq": a.seq} for a in attempt.answers
        }
    return jsonify(data)


@bp.post("/attempts/<int:attempt_id>/leave")
@login_required
@transaction
def leave(attempt_id: int):
    """Count one leaving of the page during an exam (切屏); a numbered one (``seq``) once."""
    body = request.get_json(silent=True)
    seq = body.get("seq") if isinstance(body, dict) else None
    if seq is not None and not autosave.valid_seq(seq):
        raise BadRequest("缺少有效的序号（seq），请刷新页面后重试。")
    now = utcnow()
    attempt = services.get_attempt(current_user, attempt_id, now)
    attempt = services.record_leave(attempt, now, seq)
    limit = attempt.quiz.submit_leave_limit
    return jsonify(
        attempt_json(attempt, now) | {"leave_count": attempt.leave_count, "leave_limit": limit}
    )

"""The JSON API the attempt page's script uses (documented in docs/api.md).

Every call needs the session cookie; every POST and PUT the X-CSRFToken header.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from quizapp import db
from quizapp.attempts import services
from quizapp.auth.session_ref import hot_login_required
from quizapp.clock import utcnow
from quizapp.errors import DomainError
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import Quiz

bp = Blueprint("api", __name__)


def _error(message: str, status: int):
    return jsonify(error=message, status=status), status


def _status_for(exc: DomainError) -> int:
    if isinstance(exc, services.AttemptNotFound):
        return 404
    if isinstance(exc, services.AttemptClosed):
        return 409
    if isinstance(exc, services.SessionInvalid):
        return 401
    return 400


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
    if attempt.status == "submitted":
        shown = services.review_allowed(attempt, now)
        data.update(
            {
                "submitted_at": attempt.submitted_at.isoformat(),
                "auto_submitted": attempt.auto_submitted,
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
        return _error("没有找到该测试。", 404)
    now = utcnow()
    for _ in range(2):
        try:
            attempt, created = services.start_attempt(current_user, quiz, now)
            db.session.commit()
            break
        except IntegrityError:
            # Another request (a double tap, a second device) started it first: use theirs.
            db.session.rollback()
        except DomainError as exc:
            db.session.rollback()
            return _error(exc.message, _status_for(exc))
    else:
        return _error("系统繁忙，请稍后重试。", 503)
    return jsonify(attempt_json(attempt, now)), 201 if created else 200


@bp.put("/attempts/<int:attempt_id>/answers/<int:question_id>")
@hot_login_required
def save_answer(attempt_id: int, question_id: int):
    """Save one answer; an older sequence number never overwrites a newer answer."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "seq" not in body or "response" not in body:
        return _error("提交的内容无法识别：需要 seq 和 response，请刷新页面后重试。", 400)
    try:
        result = services.save_answer(
            g.session_ref, attempt_id, question_id, body["response"], body["seq"], utcnow()
        )
    except DomainError as exc:
        db.session.commit()  # keeps an automatic submission made on the way
        return _error(exc.message, _status_for(exc))
    db.session.commit()
    return jsonify(saved=result.saved, seq=result.seq)


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    """Submit and grade; submitting again returns the same result."""
    now = utcnow()
    try:
        attempt = services.get_attempt(current_user, attempt_id, now)
        # The page's countdown submits at zero: that is the deadline's automatic submission.
        attempt = services.submit_attempt(attempt, now, auto=now >= attempt.deadline_at)
    except DomainError as exc:
        db.session.rollback()
        return _error(exc.message, _status_for(exc))
    db.session.commit()
    return jsonify(attempt_json(attempt, now))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def show(attempt_id: int):
    """Return the attempt's state and its saved responses (to resume on another device)."""
    now = utcnow()
    try:
        attempt = services.get_attempt(current_user, attempt_id, now)
    except DomainError as exc:
        return _error(exc.message, _status_for(exc))
    db.session.commit()
    data = attempt_json(attempt, now)
    if attempt.status == "in_progress":
        data["answers"] = {
            str(a.question_id): {"response": a.response, "seq": a.seq} for a in attempt.answers
        }
    return jsonify(data)


@bp.post("/attempts/<int:attempt_id>/leave")
@login_required
def leave(attempt_id: int):
    """Count one leaving of the page during an exam (切屏)."""
    now = utcnow()
    try:
        attempt = services.get_attempt(current_user, attempt_id, now)
        attempt = services.record_leave(attempt, now)
    except DomainError as exc:
        db.session.rollback()
        return _error(exc.message, _status_for(exc))
    db.session.commit()
    limit = attempt.quiz.leave_limit
    return jsonify(
        attempt_json(attempt, now) | {"leave_count": attempt.leave_count, "leave_limit": limit}
    )

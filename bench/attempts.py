"""Benchmark the attempt hot paths (autosave, submit) under gunicorn, next to GET /healthz.

    .venv/bin/python bench/attempts.py                       # SQLite in a temporary folder
    DATABASE_URL=postgresql://... .venv/bin/python bench/attempts.py   # an EMPTY database

It builds a bureau with MEMBERS members, the starter question bank and one open 50-question
exam, starts an attempt for every member (through the service, as the API would), then
serves the app with gunicorn and measures, one after the other, for SECONDS each:
GET /healthz, PUT /api/attempts/<id>/answers/<qid> (autosave), POST /api/attempts/<id>/submit.
"""

from __future__ import annotations

import itertools
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from bench.common import (
    MEMBERS,
    Request,
    build_bureau,
    json_request,
    measure,
    prepare_app,
    publish_exam,
    report,
    session_cookie,
)
from quizapp import db
from quizapp.attempts.services import start_attempt
from quizapp.clock import utcnow
from quizapp.demo.quizzes import load_starter_bank


def build(app) -> list[tuple[int, int, list[int]]]:
    """Create the bureau, members, bank, exam and attempts; return (member, attempt, qids)."""
    now = utcnow()
    rng = random.Random(7)
    with app.app_context():
        root, admin, members = build_bureau(MEMBERS, now)
        load_starter_bank(root)
        counts = {"single": 20, "multiple": 10, "truefalse": 10, "fill": 10}
        opens, closes = now - timedelta(hours=1), now + timedelta(days=1)
        quiz = publish_exam(admin, root, "基准考试", counts, opens, closes, 600)
        db.session.commit()
        rows = []
        for member in members:
            attempt, _ = start_attempt(member, quiz, now, rng)
            rows.append((member.id, attempt.id, [a.question_id for a in attempt.answers]))
        db.session.commit()
        return rows


def main() -> None:
    secret = "bench-secret-key"
    app, env, url = prepare_app(secret)
    print(f"building {MEMBERS} members and their attempts…", file=sys.stderr)
    rows = build(app)
    with app.app_context():
        from quizapp.bank.models import Question

        kinds = dict(db.session.execute(select(Question.id, Question.type)).all())
    sample = {"single": 0, "multiple": [0, 1], "truefalse": True, "fill": ["答案"]}
    sessions = {m: session_cookie(secret, m, 1, f"csrf{m}") for m, _, _ in rows}
    rng = random.Random(11)
    seq = itertools.count(1)

    def autosave() -> Request:
        member, attempt, qids = rows[rng.randrange(len(rows))]
        qid = rng.choice(qids)
        cookie, token = sessions[member]
        return json_request(
            "PUT",
            f"/api/attempts/{attempt}/answers/{qid}",
            cookie,
            token,
            {"seq": next(seq), "response": sample[kinds[qid]]},
        )

    pending = list(rows)
    rng.shuffle(pending)

    def submit() -> Request | None:
        if not pending:
            return None
        member, attempt, _ = pending.pop()
        cookie, token = sessions[member]
        return json_request("POST", f"/api/attempts/{attempt}/submit", cookie, token)

    results, settings = measure(env, [("PUT autosave", autosave), ("POST submit", submit)])
    report(url, settings, f"{MEMBERS} members with a 50-question attempt each", results)


if __name__ == "__main__":
    main()

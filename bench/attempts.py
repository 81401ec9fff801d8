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
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from bench.common import (
    HEADER,
    Request,
    Server,
    build_bureau,
    json_request,
    prepare_app,
    run_load,
    session_cookie,
)
from quizapp import db
from quizapp.attempts.services import start_attempt
from quizapp.clock import utcnow
from quizapp.demo.quizzes import load_starter_bank
from quizapp.quizzes.models import QuizKind
from quizapp.quizzes.services import QuizData, RuleData, save_quiz, set_published

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "3000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def build(app) -> list[tuple[int, int, list[int]]]:
    """Create the bureau, members, bank, exam and attempts; return (member, attempt, qids)."""
    now = utcnow()
    rng = random.Random(7)
    with app.app_context():
        root, admin, members = build_bureau(MEMBERS, now)
        load_starter_bank(root)
        quiz = save_quiz(
            admin,
            QuizData(
                title="基准考试",
                kind=QuizKind.EXAM,
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=1),
                time_limit_minutes=600,
                rules=[
                    RuleData("single", 20),
                    RuleData("multiple", 10),
                    RuleData("truefalse", 10),
                    RuleData("fill", 10),
                ],
                branches=[root],
            ),
        )
        set_published(admin, quiz, True)
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

    def healthz() -> Request:
        return Request("GET", "/healthz", {})

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

    with Server(env, workers=WORKERS) as server:
        run_load("warm-up", server.port, healthz, seconds=2, connections=CONNECTIONS)
        reference = run_load(
            "GET /healthz", server.port, healthz, seconds=SECONDS, connections=CONNECTIONS
        )
        save = run_load(
            "PUT autosave", server.port, autosave, seconds=SECONDS, connections=CONNECTIONS
        )
        done = run_load(
            "POST submit", server.port, submit, seconds=SECONDS, connections=CONNECTIONS
        )
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL)"
    print(
        f"\n{backend}; {server.settings}; {CONNECTIONS} client connections; "
        f"{MEMBERS} members with a 50-question attempt each\n"
    )
    print(HEADER)
    print(reference.line())
    print(save.line(reference))
    print(done.line(reference))
    for result in (save, done):
        if result.errors:
            print(f"{result.name}: statuses {result.statuses}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Exam day on one small server: 2,000 members sit one exam while 3,000 others study.

    .venv/bin/python bench/exam_day.py                      # SQLite in a temporary folder
    .venv/bin/python bench/exam_day.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/exam_day.py --faults             # kill a worker, restart the scheduler
    .venv/bin/python bench/exam_day.py --smoke              # a few dozen members, seconds

``--postgres`` creates a database of its own on that server and drops it afterwards.

Timeline (seconds from the start; defaults): the takers start the exam at random moments in
the first RAMP seconds, each answers its 50 questions GAP seconds apart on average (one in ten
answers changes an earlier one) and submits at a random moment in the last minute before the
exam's end; ABANDON of them never submit, and the scheduler process must submit their
attempts once their time limit has passed. Meanwhile the studiers send a heartbeat every 30 s
and a probe measures GET /healthz 5 times a second. The server is gunicorn (WORKERS sync
workers) plus ``flask --app wsgi scheduler``, as ``make run`` starts them.

With ``--faults``: a gunicorn worker is killed with SIGKILL a third of the way in, the app's
PostgreSQL connections are terminated from the server side (pg_terminate_backend) half-way,
and the scheduler process is stopped before the abandoned attempts' deadlines and started
again after them. Afterwards bench/checks.py compares every acknowledged answer and submit
with the database: lost, changed, submitted twice and overdue-in-progress must all be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    Server,
    add_materials,
    build_bureau,
    prepare_app,
    publish_exam,
    session_cookie,
)
from bench.processes import Database, Monitor, Scheduler, children, postgres_processes
from bench.scenario import (
    Client,
    Studier,
    Taker,
    loop_lag,
    probe,
    study,
    summarise_takers,
    take_exam,
)

SECRET = "bench-secret-key"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--takers", type=int, default=2000)
    parser.add_argument("--studiers", type=int, default=3000)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which takers start")
    parser.add_argument("--gap", type=float, default=4.0, help="mean seconds between answers")
    parser.add_argument("--heartbeat", type=float, default=30.0)
    parser.add_argument(
        "--abandon", type=float, default=0.02, help="share of takers who never submit"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker: above 1, gunicorn's gthread workers",
    )
    parser.add_argument(
        "--draw-at-start",
        action="store_true",
        help="no papers drawn ahead: every start draws its paper",
    )
    parser.add_argument("--postgres", metavar="URL", help="a server to create a database on")
    parser.add_argument("--faults", action="store_true")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few dozen members for a few seconds (make test runs this)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.smoke:
        args.takers, args.studiers, args.questions = 30, 20, 6
        args.ramp, args.gap, args.heartbeat = 2.0, 0.3, 1.0
    return args


def build(app, args: argparse.Namespace, exam_seconds: float):
    """Create the bureau, the bank, the exam and a material; return ids and tokens."""
    from sqlalchemy import select

    from quizapp import db
    from quizapp.bank.models import Question
    from quizapp.clock import utcnow
    from quizapp.demo.quizzes import load_starter_bank
    from quizapp.study.minutes import issue_token

    now = utcnow()
    with app.app_context():
        root, admin, members = build_bureau(args.takers + args.studiers, now)
        load_starter_bank(root)
        share = {"single": 0.4, "multiple": 0.2, "truefalse": 0.2, "fill": 0.2}
        counts = {kind: int(args.questions * part) for kind, part in share.items()}
        counts["single"] += args.questions - sum(counts.values())
        limit = math.ceil(exam_seconds / 60)
        opens, closes = now - timedelta(minutes=5), now + timedelta(hours=3)
        quiz = publish_exam(admin, root, "全局知识竞赛（压力测试）", counts, opens, closes, limit)
        [material] = add_materials(admin, root, ["压力测试学习资料"], 30)
        db.session.commit()
        if not args.draw_at_start:
            # Published ahead of the day: the scheduler's job has drawn every paper.
            from quizapp.attempts.papers import prepare_papers

            began = time.monotonic()
            print(prepare_papers(now), f"({time.monotonic() - began:.1f} s)", file=sys.stderr)
        kinds = {}
        for question in db.session.scalars(select(Question)):
            blanks = len(question.answer) if question.type == "fill" else 1
            kinds[question.id] = (question.type, len(question.options) or 2, blanks)
        ids = [m.id for m in members]
        tokens = {m: issue_token(m, material) for m in ids[args.takers :]}
        return quiz.id, limit, kinds, ids, tokens


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    answering = args.questions * 1.1 * args.gap  # the answers, plus one in ten changed
    exam_end = args.ramp + answering + (60 if not args.smoke else 2)
    with Database(args.postgres) as database:
        app, env, url = prepare_app(SECRET)
        print(f"building {args.takers + args.studiers} members…", file=sys.stderr)
        quiz_id, limit, kinds, ids, tokens = build(app, args, exam_end + 30)
        takers_ids, studier_ids = ids[: args.takers], ids[args.takers :]
        deadline_span = args.ramp + limit * 60  # the last abandoned attempt's deadline
        run_end = exam_end + 5 if args.smoke else deadline_span + 30 + 75
        takers = []
        # At least one abandoned attempt, so the deadline job always has work to prove.
        abandoning = set(rng.sample(takers_ids, max(1, round(args.takers * args.abandon))))
        for member_id in takers_ids:
            cookie, token = session_cookie(SECRET, member_id, 1, f"csrf{member_id}")
            abandons = member_id in abandoning
            takers.append(
                Taker(
                    member_id,
                    cookie,
                    token,
                    rng.uniform(0, args.ramp),
                    None
                    if abandons
                    else rng.uniform(exam_end - (60 if not args.smoke else 2), exam_end),
                )
            )
        studiers = [
            Studier(
                m,
                *session_cookie(SECRET, m, 1, f"csrf{m}"),
                tokens[m],
                rng.uniform(0, args.heartbeat),
            )
            for m in studier_ids
        ]

        log = Path(env["QUIZAPP_INSTANCE"]) / "scheduler.log"
        scheduler = Scheduler(env, log)
        access_log = Path(env["QUIZAPP_INSTANCE"]) / "access.log"
        with Server(
            env, workers=args.workers, access_log=access_log, threads=args.threads
        ) as server:
            scheduler.start()
            monitor = Monitor(
                {
                    "server (gunicorn master + workers)": lambda: [
                        server.process.pid,
                        *children(server.process.pid),
                    ],
                    "scheduler": scheduler.pids,
                    "PostgreSQL (every server process)": postgres_processes
                    if args.postgres
                    else list,
                    "load client (this process)": lambda: [os.getpid()],
                }
            )
            monitor.start()
            client = Client(server.port)
            events: list[str] = []
            started = time.monotonic()

            async def fault_worker() -> None:
                workers = children(server.process.pid)
                if workers:
                    os.kill(workers[0], signal.SIGKILL)
                    events.append(
                        f"{time.monotonic() - started:.0f} s: SIGKILL gunicorn worker {workers[0]}"
                    )

            def fault_database() -> None:
                if database.server_url:
                    n = database.terminate_connections()
                    events.append(
                        f"{time.monotonic() - started:.0f} s: pg_terminate_backend "
                        f"on {n} connections"
                    )

            async def faults() -> None:
                if not args.faults:
                    return
                if args.smoke:  # the same faults, squeezed into seconds
                    await asyncio.sleep(args.ramp)
                    await fault_worker()
                    await asyncio.sleep(1)
                    fault_database()
                    await asyncio.to_thread(scheduler.stop)
                    events.append(f"{time.monotonic() - started:.0f} s: scheduler stopped")
                    await asyncio.sleep(1)
                    scheduler.start()
                    events.append(f"{time.monotonic() - started:.0f} s: scheduler started again")
                    return
                await asyncio.sleep(
                    max(0.0, started + (args.ramp + answering / 3) - time.monotonic())
                )
                await fault_worker()
                await asyncio.sleep(
                    max(0.0, started + args.ramp + answering / 2 - time.monotonic())
                )
                fault_database()
                await asyncio.sleep(max(0.0, started + limit * 60 - 20 - time.monotonic()))
                await asyncio.to_thread(scheduler.stop)
                events.append(f"{time.monotonic() - started:.0f} s: scheduler stopped")
                await asyncio.sleep(max(0.0, started + deadline_span + 40 - time.monotonic()))
                scheduler.start()
                events.append(f"{time.monotonic() - started:.0f} s: scheduler started again")

            async def everyone() -> None:
                t0 = client.t0 = time.monotonic()
                stop_at = t0 + run_end
                await asyncio.gather(
                    probe(client, stop_at),
                    loop_lag(client, stop_at),
                    faults(),
                    *[
                        take_exam(
                            client,
                            t,
                            quiz_id,
                            kinds,
                            args.gap,
                            t0,
                            random.Random(args.seed + t.member_id),
                        )
                        for t in takers
                    ],
                    *[study(client, s, args.heartbeat, t0 + exam_end, t0) for s in studiers],
                )
                await asyncio.sleep(max(0.0, stop_at - time.monotonic()))

            print(f"running for about {run_end:.0f} s…", file=sys.stderr)
            asyncio.run(everyone())
            monitor.running = False
            monitor.join()
            scheduler.stop()
        if args.smoke:
            # The smoke run is too short for a time limit to pass: pass time for the job.
            from quizapp.clock import utcnow
            from quizapp.scheduler.runner import run_job

            run_job(app, "submit_overdue_attempts", utcnow() + timedelta(minutes=limit + 1))
        from bench.checks import verify
        from quizapp.clock import utcnow

        with app.app_context():
            now = utcnow() + (timedelta(minutes=limit + 1) if args.smoke else timedelta())
            verdict = verify(takers, quiz_id, now)
        _report(args, url, server.settings, client, monitor, takers, studiers, events, verdict)
        print(
            "gunicorn command (other settings at gunicorn's defaults): "
            + " ".join(["gunicorn", *server.command[1:]])
        )
        _print_server_times(access_log)
        return 0 if verdict.ok and not _gave_up(takers, studiers) else 1


#: Endpoint names by (method, path pattern) in the access log.
ROUTES = [
    ("GET", re.compile(r"^/healthz$"), "healthz"),
    ("POST", re.compile(r"^/quizzes/\d+/start$"), "start"),
    ("GET", re.compile(r"^/attempts/\d+$"), "load"),
    ("PUT", re.compile(r"^/api/attempts/\d+/answers/\d+$"), "autosave"),
    ("POST", re.compile(r"^/api/attempts/\d+/submit$"), "submit"),
    ("POST", re.compile(r"^/api/study/heartbeat$"), "heartbeat"),
]


def _print_server_times(log: Path) -> None:
    """Print the time each endpoint spent inside a worker (from gunicorn's access log): the
    rest of the client's latency is waiting for a free worker and the client's own delay."""
    spent: dict[str, list[float]] = {}
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) != 4:
            continue
        method, path, _status, micros = parts
        for want, pattern, name in ROUTES:
            if method == want and pattern.match(path):
                spent.setdefault(name, []).append(int(micros) / 1000)
    print("\ntime inside the worker (gunicorn access log):\n")
    print("| endpoint | requests | p50 ms | p95 ms | p99 ms |\n| --- | --- | --- | --- | --- |")
    for _, _, name in ROUTES:
        times = sorted(spent.get(name, []))
        if times:

            def at(p: float, times: list[float] = times) -> float:
                return times[min(len(times) - 1, int(p / 100 * len(times)))]

            print(f"| {name} | {len(times)} | {at(50):.1f} | {at(95):.1f} | {at(99):.1f} |")


def _gave_up(takers: list[Taker], studiers: list[Studier]) -> int:
    return sum(t.gave_up for t in takers) + sum(s.gave_up for s in studiers)


def _report(args, url, settings, client, monitor, takers, studiers, events, verdict) -> None:
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL)"
    print(
        f"\n{backend}; {settings}; {args.takers} takers × {args.questions} questions "
        f"(mean gap {args.gap} s, start ramp {args.ramp:.0f} s), {args.studiers} studiers "
        f"(heartbeat every {args.heartbeat:.0f} s); faults: {'yes' if args.faults else 'no'}\n"
    )
    print(
        "| endpoint | requests | failed (conn./5xx) | other statuses | req/s | p50 ms | "
        "p95 ms | p99 ms |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    for name in ("healthz", "start", "load", "autosave", "submit", "heartbeat"):
        e = client.endpoints.get(name)
        if e is None:
            continue
        others = {s: n for s, n in e.statuses.items() if s not in (0, 200, 201) and s < 500}
        print(
            f"| {name} | {e.requests} | {e.failures} | {others or '—'} | {e.rate:.1f} | "
            f"{e.percentile(50):.1f} | {e.percentile(95):.1f} | {e.percentile(99):.1f} |"
        )
    print("\np95 ms by minute of the run (requests in that minute):")
    for name in ("start", "load", "autosave", "heartbeat", "submit"):
        e = client.endpoints.get(name)
        if e is not None:
            print(
                f"  {name}: "
                + ", ".join(f"{m}: {p:.0f} ({n})" for m, n, p in e.by_minute(client.t0))
            )
    lag = sorted(client.lag) or [0.0]
    print(
        f"client event loop late by p50 {lag[len(lag) // 2] * 1000:.0f} ms, "
        f"p95 {lag[int(0.95 * len(lag))] * 1000:.0f} ms, max {lag[-1] * 1000:.0f} ms"
    )
    print("\nCPU and memory, sampled every second:")
    for line in monitor.summary():
        print(f"  {line}")
    for name in ("machine", "server (gunicorn master + workers)"):
        print(
            f"  {name} by minute of the run (share of one core): "
            + ", ".join(f"{m}: {share:.0%}" for m, share in monitor.by_minute(name, client.t0))
        )
    print(
        f"client retries after a failure: {client.retries}; "
        f"requests given up after {MAX_TRIES_TEXT}: {_gave_up(takers, studiers)}"
    )
    for key, value in summarise_takers(takers).items():
        print(f"takers {key}: {value}")
    print(f"study seconds credited: {sum(s.credited for s in studiers)}")
    for event in events:
        print(f"fault at {event}")
    print("\nnothing lost?")
    for line in verdict.lines():
        print(f"  {line}")
    print("  PASS" if verdict.ok else "  FAIL")


MAX_TRIES_TEXT = "12 tries"

if __name__ == "__main__":
    sys.exit(main())

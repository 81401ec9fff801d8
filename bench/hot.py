"""The hot paths (study heartbeat, answer autosave) against GET /healthz and a bare Flask
route, driven by wrk, in one interleaved run; the ratio to /healthz is the figure.

    .venv/bin/python bench/hot.py                            # SQLite in a temporary folder
    DATABASE_URL=postgresql://... .venv/bin/python bench/hot.py   # an EMPTY database
    make bench-hot                                           # the same, SQLite

Builds BENCH_MEMBERS members (default 1,000), each with a 50-question exam attempt and a study
token for three materials, then serves the app and ``bench/bare.py`` (one Flask route, no
extensions: the ceiling) with gunicorn (BENCH_WORKERS sync workers, default 2) and runs wrk
(1 thread, BENCH_CONNECTIONS connections, default 16; ``bench/wrk.lua`` replays one request
per member, with its own signed session cookie and CSRF header, so rows differ) for
BENCH_SECONDS each (default 5) in the order bare, /healthz, heartbeat, autosave, repeated
BENCH_ROUNDS times (default 3). Ratios are taken within each round; the table gives medians.

It refuses to report (exit status 2) when the client may be the bottleneck: wrk used more
than half a core while driving the bare route (so it was near its own limit), or the bare
route, which does strictly less than /healthz, was no faster than /healthz in any round (on a
shared machine one round may lose to the neighbours' load; every round cannot), or any request
to the bare route or /healthz failed. Server CPU per request (the gunicorn workers' user +
system time over the requests served) is reported too: on a shared machine it moves less
than req/s.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from bench.common import (
    ROOT,
    Server,
    add_materials,
    build_bureau,
    prepare_app,
    publish_exam,
    session_cookie,
)
from quizapp import db
from quizapp.clock import utcnow

SECRET = "bench-secret-key"
WRK = os.environ.get("WRK", "wrk")
TICKS = os.sysconf("SC_CLK_TCK")
#: wrk may use at most this share of one core while driving the bare route.
CLIENT_CPU_MAX = 0.5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=int(env("BENCH_MEMBERS", "1000")))
    parser.add_argument("--seconds", type=float, default=float(env("BENCH_SECONDS", "5")))
    parser.add_argument("--rounds", type=int, default=int(env("BENCH_ROUNDS", "3")))
    parser.add_argument("--connections", type=int, default=int(env("BENCH_CONNECTIONS", "16")))
    parser.add_argument("--workers", type=int, default=int(env("BENCH_WORKERS", "2")))
    parser.add_argument("--smoke", action="store_true", help="40 members, 1 s, 1 round")
    args = parser.parse_args(argv)
    if args.smoke:
        args.members, args.seconds, args.rounds = 40, 2, 1
    return args


def build(app, members: int) -> tuple[list[str], list[str]]:
    """Create the bureau, the exam with an attempt per member and three materials; return
    the request lines (bench/wrk.lua's format) of the heartbeats and of the autosaves."""
    from quizapp.attempts.services import start_attempt
    from quizapp.bank.models import Question
    from quizapp.demo.quizzes import load_starter_bank
    from quizapp.study.minutes import issue_token

    now = utcnow()
    rng = random.Random(17)
    sample = {"single": 0, "multiple": [0, 1], "truefalse": True, "fill": ["答案"]}
    with app.app_context():
        root, admin, people = build_bureau(members, now)
        load_starter_bank(root)
        counts = {"single": 20, "multiple": 10, "truefalse": 10, "fill": 10}
        quiz = publish_exam(
            admin, root, "基准考试", counts, now - timedelta(hours=1), now + timedelta(days=2), 600
        )
        materials = add_materials(admin, root, ["学习资料一", "学习资料二", "学习资料三"], 20)
        db.session.commit()
        kinds = dict(db.session.execute(select(Question.id, Question.type)).all())
        beats, saves = [], []
        for member in people:
            attempt, _ = start_attempt(member, quiz, now, rng)
            cookie, token = session_cookie(SECRET, member.id, 1, f"csrf{member.id}")
            material = rng.choice(materials)
            body = json.dumps({"token": issue_token(member.id, material)})
            beats.append(f"POST\t/api/study/heartbeat\t{cookie}\t{token}\t{body}")
            question = rng.choice(attempt.answers).question_id
            answer = json.dumps(sample[kinds[question]], ensure_ascii=False)
            saves.append(
                f"PUT\t/api/attempts/{attempt.id}/answers/{question}\t{cookie}\t{token}\t"
                f'{{"seq": {{seq}}, "response": {answer}}}'
            )
        db.session.commit()
    rng.shuffle(beats)
    rng.shuffle(saves)
    return beats, saves


@dataclass
class Run:
    """One wrk run against one endpoint."""

    name: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    client_cpu: float  # wrk's CPU seconds per wall second
    server_us: float  # the gunicorn workers' CPU microseconds per request

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


#: Where each run of wrk starts the autosaves' sequence numbers (bench/wrk.lua): above every
#: earlier run's, so each run's autosaves are written; an autosave refuses a number at or
#: below the stored one, which costs less than a save and would flatter the figure.
_SEQ_STARTS = itertools.count(0, 10_000_000)
_LAST_START: dict[str, int] = {}


def _start_seq(case: str) -> int:
    start = _LAST_START[case] = next(_SEQ_STARTS)
    return start


def autosaves_written(app, requests: int) -> str:
    """Say how many answers the last run of wrk on the autosave wrote (a number above its
    start): the proof that its autosaves were saves, not refusals of out-of-date numbers."""
    from quizapp.quizzes.attempt_models import AttemptAnswer

    with app.app_context():
        written = db.session.scalar(
            select(func.count()).where(AttemptAnswer.seq > _LAST_START["autosave"])
        )
    return f"autosaves written by the last run: {written:,} answers, {requests:,} requests"


def run_wrk(name: str, server: Server, path: str, lines: Path, args) -> Run:
    """Drive ``path`` (the first request; the script replays ``lines``) for args.seconds."""
    workers = server.worker_pids()
    before_client = resource.getrusage(resource.RUSAGE_CHILDREN)
    before_server = _cpu_ticks(workers)
    command = [
        WRK,
        "-t1",
        f"-c{args.connections}",
        f"-d{args.seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
        f"http://127.0.0.1:{server.port}{path}",
        "--",
        str(lines),
        "1",
        str(_start_seq(name)),
    ]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.monotonic() - started
    after_client = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_seconds = (_cpu_ticks(workers) - before_server) / TICKS
    client_seconds = (after_client.ru_utime - before_client.ru_utime) + (
        after_client.ru_stime - before_client.ru_stime
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
    figures = json.loads(line[len("BENCH ") :])
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    requests = figures["requests"]
    return Run(
        name,
        requests,
        figures["duration_us"] / 1e6,
        errors,
        figures["p50_us"] / 1000,
        figures["p99_us"] / 1000,
        client_seconds / wall,
        server_seconds / max(requests, 1) * 1e6,
    )


def wait_ready(server: Server, path: str) -> None:
    """Wait until a worker answers (gunicorn's master accepts before the workers have loaded
    the app; under load that takes seconds)."""
    import urllib.request

    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def client_verdict(rounds: list[dict[str, Run]]) -> str | None:
    """Say why the client may be the bottleneck, or None when the figures can be reported."""
    bare = [r["bare"] for r in rounds]
    health = [r["healthz"] for r in rounds]
    cpu = statistics.median(r.client_cpu for r in bare)
    if cpu > CLIENT_CPU_MAX:
        return f"wrk used {cpu:.2f} of a core driving the bare route (limit {CLIENT_CPU_MAX})"
    if all(b.rps <= h.rps for b, h in zip(bare, health, strict=True)):
        return (
            "the bare route was no faster than /healthz in any round: the client, not the "
            "server, may have set the pace"
        )
    failed = sum(r.errors for r in bare + health)
    if failed:
        return f"{failed} requests to the bare route or /healthz failed"
    return None


CASES = ["bare", "healthz", "heartbeat", "autosave"]
LABELS = {
    "bare": "GET /bare (bench/bare.py)",
    "healthz": "GET /healthz",
    "heartbeat": "POST /api/study/heartbeat",
    "autosave": "PUT /api/attempts/…/answers/…",
}


def report(rounds: list[dict[str, Run]], header: str) -> None:
    print(f"\n{header}\n")
    print(
        "| endpoint | req/s (median) | vs /healthz (median of rounds) | per round "
        "| server CPU µs/request | p50 ms | p99 ms | errors | wrk CPU share |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for case in CASES:
        runs = [r[case] for r in rounds]
        ratios = [r[case].rps / r["healthz"].rps for r in rounds]
        print(
            f"| {LABELS[case]} | {statistics.median(x.rps for x in runs):,.0f} "
            f"| **{statistics.median(ratios):.2f}** "
            f"| {' / '.join(f'{x:.2f}' for x in ratios)} "
            f"| {statistics.median(x.server_us for x in runs):,.0f} "
            f"| {statistics.median(x.p50_ms for x in runs):.1f} "
            f"| {statistics.median(x.p99_ms for x in runs):.1f} "
            f"| {sum(x.errors for x in runs)} "
            f"| {statistics.median(x.client_cpu for x in runs):.2f} |"
        )


def commit() -> str:
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return os.environ.get("BENCH_COMMIT") or done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app, env, url = prepare_app(SECRET)
    print(f"building {args.members} members…", file=sys.stderr)
    beats, saves = build(app, args.members)
    folder = Path(tempfile.mkdtemp(prefix="quizapp-wrk-"))
    files = {
        "bare": ["GET\t/bare\t\t\t"],
        "healthz": ["GET\t/healthz\t\t\t"],
        "heartbeat": beats,
        "autosave": saves,
    }
    for case, lines in files.items():
        (folder / f"{case}.txt").write_text("\n".join(lines) + "\n")
    with (
        Server(env, workers=args.workers) as server,
        Server(env, workers=args.workers, app="bench.bare:app") as bare,
    ):
        servers = {"bare": bare, "healthz": server, "heartbeat": server, "autosave": server}
        paths = {"bare": "/bare", "healthz": "/healthz"}
        wait_ready(server, "/healthz")
        wait_ready(bare, "/bare")
        warm = argparse.Namespace(**{**vars(args), "seconds": 1})
        for case in CASES:
            run_wrk(case, servers[case], paths.get(case, "/"), folder / f"{case}.txt", warm)
        rounds = []
        for _ in range(args.rounds):
            rounds.append(
                {
                    case: run_wrk(
                        case, servers[case], paths.get(case, "/"), folder / f"{case}.txt", args
                    )
                    for case in CASES
                }
            )
        settings = server.settings
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL)"
    load = os.getloadavg()[0]
    header = (
        f"{backend}; commit {commit()}; {settings}; wrk 1 thread, {args.connections} "
        f"connections, {args.seconds:g} s per endpoint, {args.rounds} interleaved rounds; "
        f"{args.members} members; load average {load:.1f} on {os.cpu_count()} cores"
    )
    verdict = client_verdict(rounds)
    if verdict:
        print(f"REFUSED: the load client may be the bottleneck: {verdict}", file=sys.stderr)
        for index, found in enumerate(rounds, 1):
            print(index, {k: (round(v.rps), round(v.client_cpu, 2)) for k, v in found.items()})
        return 2
    report(rounds, header)
    print(autosaves_written(app, rounds[-1]["autosave"].requests))
    failed = {case: sum(r[case].errors for r in rounds) for case in CASES}
    return 1 if any(failed.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

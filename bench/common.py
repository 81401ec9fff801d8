"""Shared pieces of the benchmarks: a gunicorn server, session cookies, a small load client.

The load client is a bounded asyncio HTTP/1.1 client with keep-alive connections to
127.0.0.1 only. Every figure is reported next to GET /healthz measured in the same run by the
same client, so the ratio, not the absolute number, is what to compare between machines.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

#: The sizes of the gunicorn benchmarks (attempts, heartbeat), from the environment.
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "3000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving wsgi:app on 127.0.0.1 with the given environment."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int = 2,
        access_log: Path | None = None,
        threads: int = 1,
        app: str = "wsgi:app",
    ) -> None:
        self.port = free_port()
        self.app = app
        self.workers = workers
        self.threads = threads
        self.access_log = access_log
        self.env = os.environ | env
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    @property
    def command(self) -> list[str]:
        """The gunicorn command line (every other setting is gunicorn's default)."""
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        return [
            gunicorn,
            "--workers",
            str(self.workers),
            *self._thread_options(),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            *self._access_options(),
            self.app,
        ]

    def _thread_options(self) -> list[str]:
        if self.threads <= 1:
            return []
        return ["--worker-class", "gthread", "--threads", str(self.threads)]

    def _access_options(self) -> list[str]:
        """Log each request's method, path, status and time in the worker (microseconds)."""
        if self.access_log is None:
            return []
        return [
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
        ]

    def worker_pids(self) -> list[int]:
        """The gunicorn workers' process ids (the master's children)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(c) for c in children]

    def __exit__(self, *exc) -> None:
        if self.process:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    @property
    def settings(self) -> str:
        if self.threads > 1:
            return f"gunicorn {self.workers} gthread workers × {self.threads} threads, 127.0.0.1"
        return f"gunicorn {self.workers} sync workers, 127.0.0.1"


def session_cookie(
    secret_key: str, member_id: int, session_version: int, csrf_raw: str
) -> tuple[str, str]:
    """Sign a logged-in Flask session for a member; return (cookie value, CSRF header token).

    This is what logging in would produce, without paying for a password hash per member.
    """
    from flask import Flask
    from itsdangerous import URLSafeTimedSerializer

    from quizapp.auth.session_ref import SESSION_KEY

    app = Flask("bench")
    app.secret_key = secret_key
    serializer = app.session_interface.get_signing_serializer(app)
    ref = f"{member_id}.{session_version}"
    # Flask-Login's key for the pages, the app's own for the hot endpoints (session_ref.py).
    cookie = serializer.dumps(
        {"_user_id": ref, SESSION_KEY: ref, "_fresh": True, "csrf_token": csrf_raw}
    )
    token = URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token").dumps(csrf_raw)
    return cookie, token


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    def encode(self, port: int) -> bytes:
        lines = [
            f"{self.method} {self.path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            f"Content-Length: {len(self.body)}",
        ]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


def json_request(method: str, path: str, cookie: str, token: str, body: object = None) -> Request:
    headers = {"Cookie": f"session={cookie}", "X-CSRFToken": token, "Accept": "application/json"}
    data = b""
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    return Request(method, path, headers, data)


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self, reference: Result | None = None) -> str:
        ratio = f"{self.rps / reference.rps:6.1%}" if reference else "  100%"
        return (
            f"| {self.name} | {self.requests} | {self.errors} | {self.rps:7.0f} | {ratio} | "
            f"{self.percentile(50):6.1f} | {self.percentile(95):6.1f} | "
            f"{self.percentile(99):6.1f} | {statistics.mean(self.latencies) * 1000:6.1f} |"
        )


HEADER = (
    "| endpoint | requests | errors | req/s | vs /healthz | p50 ms | p95 ms | p99 ms | "
    "mean ms |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server keeps the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, keep = 0, True
    for line in head.split(b"\r\n"):
        lower = line.lower()
        if lower.startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
        elif lower.startswith(b"connection:") and b"close" in lower:
            keep = False
    if length:
        await reader.readexactly(length)
    return status, keep


async def _worker(
    port: int,
    next_request: Callable[[], Request | None],
    stop_at: float,
    result: Result,
    ok: Callable[[int], bool],
) -> None:
    writer = None
    try:
        while time.monotonic() < stop_at:
            request = next_request()
            if request is None:
                break
            started = time.perf_counter()
            if writer is None:  # gunicorn's sync workers close after every response
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request.encode(port))
            await writer.drain()
            status, keep = await _read_response(reader)
            if not keep:
                writer.close()
                writer = None
            result.latencies.append(time.perf_counter() - started)
            result.requests += 1
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if not ok(status):
                result.errors += 1
    finally:
        if writer is not None:
            writer.close()


def run_load(
    name: str,
    port: int,
    next_request: Callable[[], Request | None],
    *,
    seconds: float = 10.0,
    connections: int = 16,
    ok: Callable[[int], bool] = lambda s: s < 400,
) -> Result:
    """Send requests from ``connections`` keep-alive connections for ``seconds``."""
    result = Result(name, 0, 0, 0.0, [], {})

    async def main() -> None:
        stop_at = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(
            *[_worker(port, next_request, stop_at, result, ok) for _ in range(connections)]
        )
        result.seconds = time.monotonic() - started

    asyncio.run(main())
    return result


def healthz() -> Request:
    """The reference request every figure is compared with."""
    return Request("GET", "/healthz", {})


def measure(env: dict[str, str], cases: list[tuple[str, Callable[[], Request | None]]]):
    """Serve the app with gunicorn (WORKERS workers); warm it up, then run GET /healthz and each
    ``(name, next request)`` case for SECONDS; return (results, healthz first, and the server's
    settings)."""
    with Server(env, workers=WORKERS) as server:
        run_load("warm-up", server.port, healthz, seconds=2, connections=CONNECTIONS)
        results = [
            run_load(name, server.port, next_request, seconds=SECONDS, connections=CONNECTIONS)
            for name, next_request in [("GET /healthz", healthz), *cases]
        ]
    return results, server.settings


def report(url: str, settings: str, what: str, results: list[Result]) -> None:
    """Print the table of ``results``, each next to the first (GET /healthz), and the statuses
    of any case that had errors."""
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL)"
    print(f"\n{backend}; {settings}; {CONNECTIONS} client connections; {what}\n")
    print(HEADER)
    reference = results[0]
    print(reference.line())
    for result in results[1:]:
        print(result.line(reference))
    for result in results[1:]:
        if result.errors:
            print(f"{result.name}: statuses {result.statuses}", file=sys.stderr)


def prepare_app(secret: str = "bench-secret-key"):
    """Create the app on DATABASE_URL (or SQLite in a temporary folder) and migrate it;
    return (app, the environment gunicorn needs, the database URL)."""
    import tempfile

    from quizapp import create_app, migrate

    folder = tempfile.mkdtemp(prefix="quizapp-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    env = {"DATABASE_URL": url, "SECRET_KEY": secret, "QUIZAPP_INSTANCE": folder}
    os.environ.update(env)
    app = create_app()
    migrate.upgrade(app)
    return app, env, url


def build_bureau(members: int, now):
    """Create a bureau of 10 units × 10 branches and ``members`` members (inside an app
    context, flushed); return (root, admin, member objects). One shared password hash."""
    from datetime import timedelta

    from quizapp import db
    from quizapp.members.models import Member, Membership, Role
    from quizapp.members.passwords import hash_password
    from quizapp.members.services import create_first_admin
    from quizapp.org.models import BranchKind
    from quizapp.org.services import create_branch, create_root

    root = create_root("JU", "基准测试市公安局")
    admin = create_first_admin(root, "admin", "管理员", "Bench2026x")
    branches = []
    for u in range(10):
        unit = create_branch(admin, root, BranchKind.UNIT, f"U{u:02d}", f"单位{u}", u)
        for b in range(10):
            branches.append(
                create_branch(
                    admin, unit, BranchKind.BRANCH, f"U{u:02d}B{b:02d}", f"支部{u}-{b}", b
                )
            )
    shared = hash_password("Bench2026x")
    people = []
    for i in range(members):
        branch = branches[i % len(branches)]
        member = Member(
            police_no=f"b{i:06d}",
            name=f"党员{i}",
            branch=branch,
            political_status="full",
            role=Role.MEMBER.value,
            password_hash=shared,
            must_change_password=False,
        )
        member.memberships.append(
            Membership(branch=branch, started_on=now.date() - timedelta(days=30))
        )
        people.append(member)
    db.session.add_all(people)
    db.session.flush()
    return root, admin, people


def publish_exam(admin, root, title: str, counts: dict[str, int], opens_at, closes_at, limit: int):
    """Save and publish an exam for the whole bureau drawing ``counts`` questions per type, with
    a time limit of ``limit`` minutes."""
    from quizapp.quizzes.models import QuizKind
    from quizapp.quizzes.services import QuizData, RuleData, save_quiz, set_published

    quiz = save_quiz(
        admin,
        QuizData(
            title=title,
            kind=QuizKind.EXAM,
            opens_at=opens_at,
            closes_at=closes_at,
            time_limit_minutes=limit,
            rules=[RuleData(kind, n) for kind, n in counts.items() if n],
            branches=[root],
        ),
    )
    set_published(admin, quiz, True)
    return quiz


def add_materials(admin, root, titles: list[str], minutes: int) -> list:
    """Add published articles for the whole bureau (flushed)."""
    from quizapp import db
    from quizapp.audiences.services import build_audience
    from quizapp.study.models import Material

    audience = build_audience(admin, [root], [], [])
    materials = [
        Material(
            title=title,
            topic="党纪学习教育",
            body_markdown="正文",
            body_html="<p>正文</p>",
            estimated_minutes=minutes,
            audience=audience,
            status="published",
            owner_branch_id=root.id,
        )
        for title in titles
    ]
    db.session.add_all(materials)
    db.session.flush()
    return materials

"""The simulated members of the exam-day scenario: a bounded asyncio client to 127.0.0.1.

Every simulated member behaves as the pages' scripts do: an exam taker starts the attempt,
loads it, saves each answer as soon as it is chosen (and sometimes changes one), retries what
the network or the server dropped with the same ``seq`` (the page keeps unacknowledged answers
in localStorage), and submits; a studier sends a heartbeat every 30 s. Every request and what
the server acknowledged is recorded, for the figures and for the check that nothing was lost.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.common import Request, json_request

#: Seconds before a request without an answer counts as failed.
TIMEOUT = 30.0
#: Tries of one request before the simulated member gives up (a real page would keep trying).
MAX_TRIES = 12
#: Where a successful start redirects to, and how the attempt page marks each question.
ATTEMPT_URL = re.compile(r"/attempts/(\d+)$")
QUESTION_ID = re.compile(r'data-question-id="(\d+)"')


def form_request(path: str, cookie: str, token: str) -> Request:
    """A POST of a page's one-button form (its CSRF field only), as a browser sends it."""
    return Request(
        "POST",
        path,
        {"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"},
        urlencode({"csrf_token": token}).encode(),
    )


@dataclass
class Endpoint:
    """Latencies and statuses of one endpoint; status 0 is a connection or timeout failure."""

    name: str
    latencies: list[float] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    first: float = float("inf")
    last: float = 0.0

    def record(self, started: float, finished: float, status: int) -> None:
        self.latencies.append(finished - started)
        self.starts.append(started)
        self.statuses[status] += 1
        self.first, self.last = min(self.first, started), max(self.last, finished)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def failures(self) -> int:
        """Requests answered by a connection error, a timeout or a 5xx."""
        return sum(n for status, n in self.statuses.items() if status == 0 or status >= 500)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    @property
    def rate(self) -> float:
        return self.requests / (self.last - self.first) if self.last > self.first else 0.0

    def by_minute(self, t0: float, p: float = 95) -> list[tuple[int, int, float]]:
        """Return (minute, requests, p-th percentile ms) for each minute of the run."""
        minutes: dict[int, list[float]] = defaultdict(list)
        for started, latency in zip(self.starts, self.latencies):
            minutes[int((started - t0) // 60)].append(latency)
        return [
            (m, len(v), sorted(v)[min(len(v) - 1, int(p / 100 * len(v)))] * 1000)
            for m, v in sorted(minutes.items())
        ]


@dataclass
class Taker:
    """One exam taker's plan and what the server acknowledged to them."""

    member_id: int
    cookie: str
    token: str
    starts_after: float
    submits_at: float | None  # None: abandons the exam (the scheduler must submit it)
    attempt_id: int | None = None
    question_ids: list[int] = field(default_factory=list)
    #: (question id, seq) -> response sent with that seq (acknowledged or not).
    sent: dict[tuple[int, int], object] = field(default_factory=dict)
    #: question id -> highest seq the server acknowledged as stored (or already newer).
    acked: dict[int, int] = field(default_factory=dict)
    #: The submit the server acknowledged: (submitted_at, score).
    submitted: tuple[str, float | None] | None = None
    gave_up: int = 0


@dataclass
class Studier:
    member_id: int
    cookie: str
    token: str
    study_token: str
    starts_after: float
    credited: int = 0
    gave_up: int = 0


class Client:
    """Sends requests, one connection each (gunicorn's sync workers close after a response)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.endpoints: dict[str, Endpoint] = {}
        self.retries = 0
        self.lag: list[float] = []
        self.t0 = time.monotonic()

    def endpoint(self, name: str) -> Endpoint:
        return self.endpoints.setdefault(name, Endpoint(name))

    async def send(self, name: str, request: Request) -> tuple[int, dict | Page | None]:
        """Send one request; return (status, JSON body or page), status 0 when none came
        back."""
        started = time.monotonic()
        writer = None
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.port), TIMEOUT
            )
            writer.write(request.encode(self.port))
            await writer.drain()
            status, body = await asyncio.wait_for(_read(reader), TIMEOUT)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            status, body = 0, None
        finally:
            if writer is not None:
                writer.close()
        self.endpoint(name).record(started, time.monotonic(), status)
        return status, body

    async def until_answered(
        self, name: str, make: Callable[[], Request]
    ) -> tuple[int, dict | Page | None]:
        """Send until the server answers with something other than a failure (as the pages
        retry), backing off up to 5 s; return the last answer."""
        delay = 0.5
        for attempt in range(MAX_TRIES):
            status, body = await self.send(name, make())
            if status != 0 and status < 500:
                return status, body
            if attempt + 1 < MAX_TRIES:
                self.retries += 1
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                delay = min(delay * 2, 5.0)
        return status, body


@dataclass
class Page:
    """A response that isn't JSON: an HTML page, or a redirect to one."""

    text: str
    location: str | None


async def _read(reader: asyncio.StreamReader) -> tuple[int, dict | Page | None]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, location, is_json = 0, None, False
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"location":
            location = value.strip().decode()
        elif name == b"content-type":
            is_json = b"json" in value
    body = await reader.readexactly(length) if length else b""
    if is_json:
        return status, json.loads(body) if body else None
    return status, Page(body.decode("utf-8", "replace"), location)


def _response(kind: tuple[str, int, int], rng: random.Random) -> object:
    """A response of the right shape for a question (type, options, blanks)."""
    qtype, options, blanks = kind
    if qtype == "single":
        return rng.randrange(options)
    if qtype == "multiple":
        return sorted(rng.sample(range(options), rng.randint(1, options)))
    if qtype == "truefalse":
        return rng.random() < 0.5
    return [rng.choice(["纪律", "规矩", "初心", "使命"]) for _ in range(blanks)]


async def take_exam(
    client: Client,
    taker: Taker,
    quiz_id: int,
    kinds: dict[int, tuple],
    gap: float,
    t0: float,
    rng: random.Random,
) -> None:
    """Start, load, answer every question a few seconds apart, then submit (or abandon)."""
    await asyncio.sleep(max(0.0, t0 + taker.starts_after - time.monotonic()))
    # As on the phone: the quiz page's start button posts a form, the server redirects to
    # the attempt page, whose HTML holds the questions.
    status, body = await client.until_answered(
        "start", lambda: form_request(f"/quizzes/{quiz_id}/start", taker.cookie, taker.token)
    )
    started = ATTEMPT_URL.search(body.location or "") if isinstance(body, Page) else None
    if status != 302 or started is None:
        taker.gave_up += 1
        return
    taker.attempt_id = int(started.group(1))
    base = f"/api/attempts/{taker.attempt_id}"
    status, body = await client.until_answered(
        "load",
        lambda: Request(
            "GET", f"/attempts/{taker.attempt_id}", {"Cookie": f"session={taker.cookie}"}
        ),
    )
    if status != 200 or not isinstance(body, Page):
        taker.gave_up += 1
        return
    taker.question_ids = sorted({int(q) for q in QUESTION_ID.findall(body.text)})
    seq = 0
    order = list(taker.question_ids)
    rng.shuffle(order)
    # Answer every question; one in ten answers changes an earlier one.
    plan = order + [rng.choice(order) for _ in range(max(1, len(order) // 10))]
    for qid in plan:
        await asyncio.sleep(gap * rng.uniform(0.5, 1.5))
        seq += rng.randint(1, 50)
        response = _response(kinds[qid], rng)
        taker.sent[(qid, seq)] = response
        await _autosave(client, taker, base, qid, seq, response)
    if taker.submits_at is None:
        return
    await asyncio.sleep(max(0.0, t0 + taker.submits_at - time.monotonic()))
    status, body = await client.until_answered(
        "submit", lambda: json_request("POST", f"{base}/submit", taker.cookie, taker.token)
    )
    if status == 200 and body and body.get("status") == "submitted":
        taker.submitted = (body["submitted_at"], body.get("score"))
    else:
        taker.gave_up += 1


async def _autosave(
    client: Client, taker: Taker, base: str, qid: int, seq: int, response: object
) -> None:
    def request() -> Request:
        return json_request(
            "PUT",
            f"{base}/answers/{qid}",
            taker.cookie,
            taker.token,
            {"seq": seq, "response": response},
        )

    status, body = await client.until_answered("autosave", request)
    if status == 200 and body is not None:
        # saved false: an equal or newer seq is stored; either way this one needs no resend.
        taker.acked[qid] = max(taker.acked.get(qid, 0), seq)
    else:
        taker.gave_up += 1


async def study(
    client: Client, studier: Studier, interval: float, stop_at: float, t0: float
) -> None:
    """Send a resume beat, then a heartbeat every ``interval`` seconds until ``stop_at``."""
    await asyncio.sleep(max(0.0, t0 + studier.starts_after - time.monotonic()))
    resume = True
    while time.monotonic() < stop_at:
        body_json = {"token": studier.study_token} | ({"resume": True} if resume else {})
        status, body = await client.until_answered(
            "heartbeat",
            lambda body_json=body_json: json_request(
                "POST", "/api/study/heartbeat", studier.cookie, studier.token, body_json
            ),
        )
        if status == 200 and body is not None:
            studier.credited += int(body.get("credited", 0))
            resume = False
        else:
            studier.gave_up += 1
        await asyncio.sleep(interval)


async def loop_lag(client: Client, stop_at: float, every: float = 0.1) -> None:
    """Record how late the client's own event loop wakes up: a client too busy to send or
    read in time would show up here, not as the server's latency."""
    while time.monotonic() < stop_at:
        due = time.monotonic() + every
        await asyncio.sleep(every)
        client.lag.append(time.monotonic() - due)


async def probe(client: Client, stop_at: float, per_second: float = 5.0) -> None:
    """GET /healthz at a steady rate: the reference measured in the same run."""
    while time.monotonic() < stop_at:
        await client.send("healthz", Request("GET", "/healthz", {}))
        await asyncio.sleep(1 / per_second)


def summarise_takers(takers: list[Taker]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for taker in takers:
        counts["started"] += taker.attempt_id is not None
        counts["answers acknowledged"] += len(taker.acked)
        counts["autosaves sent"] += len(taker.sent)
        counts["submitted (acknowledged)"] += taker.submitted is not None
        counts["abandoned (left to the scheduler)"] += taker.submits_at is None
        counts["gave up after retries"] += taker.gave_up
    return dict(counts)

"""Profile the hot requests in-process: the whole WSGI call, cookie to response bytes.

    .venv/bin/python bench/profile_hot.py              # CPU µs per request, SQLite
    .venv/bin/python bench/profile_hot.py --profile autosave   # and cProfile's top functions
    DATABASE_URL=postgresql://... .venv/bin/python bench/profile_hot.py

Builds the data of bench/hot.py, then calls the app's WSGI callable directly (no server, no
sockets) for /healthz, the bare route of bench/bare.py, the heartbeat and the autosave,
interleaved, and prints the process CPU time per request (median of rounds). CPU time, not
wall time: on a shared machine it moves much less, so it is the figure to compare between
two versions of the code.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.test import EnvironBuilder

from bench.common import prepare_app
from bench.hot import SECRET, build


def environs(lines: list[str]) -> list[dict]:
    """WSGI environments of bench/wrk.lua's request lines ({seq} filled in later)."""
    made = []
    for line in lines:
        method, path, cookie, token, body = line.split("\t", 4)
        headers = {"Accept": "application/json"}
        if cookie:
            headers["Cookie"] = f"session={cookie}"
        if token:
            headers["X-CSRFToken"] = token
        made.append((method, path, headers, body))
    return made


def call(app, request, seq: int) -> int:
    method, path, headers, body = request
    data = body.replace("{seq}", str(seq)).encode() if body else None
    environ = EnvironBuilder(
        path=path,
        method=method,
        headers=headers,
        data=data,
        content_type="application/json" if data else None,
        base_url="http://127.0.0.1:5000",
    ).get_environ()
    status = []
    chunks = app(environ, lambda s, h, e=None: status.append(s))
    b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return int(status[0].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=["healthz", "heartbeat", "autosave"])
    parser.add_argument(
        "--only",
        choices=["bare", "healthz", "heartbeat", "autosave"],
        help="send only these requests, --requests of them, and print nothing: for counting "
        "instructions under valgrind (see docs/benchmarks.md)",
    )
    parser.add_argument("sort", nargs="?", default="cumulative")
    args = parser.parse_args()
    app, _env, _url = prepare_app(SECRET)
    beats, saves = build(app, args.members)
    from bench.bare import app as bare

    cases = {
        "bare": (bare, environs(["GET\t/bare\t\t\t"])),
        "healthz": (app, environs(["GET\t/healthz\t\t\t"])),
        "heartbeat": (app, environs(beats)),
        "autosave": (app, environs(saves)),
    }
    seq = 0
    if args.only:
        target, requests = cases[args.only]
        for i in range(args.requests):
            assert call(target, requests[i % len(requests)], i + 1) == 200, args.only
        return
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (target, requests) in cases.items():
            started = time.process_time()
            for i in range(args.requests):
                seq += 1
                status = call(target, requests[i % len(requests)], seq)
                assert status == 200, (name, status)
            timings[name].append((time.process_time() - started) / args.requests * 1e6)
    print("| request | CPU µs per request (median) | vs /healthz |\n| --- | --- | --- |")
    health = statistics.median(timings["healthz"])
    for name, found in timings.items():
        median = statistics.median(found)
        print(f"| {name} | {median:,.0f} | {health / median:.2f} |")
    if args.profile:
        target, requests = cases[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(args.requests):
            seq += 1
            call(target, requests[i % len(requests)], seq)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(
            *(sys.argv[-1:] if sys.argv[-1] in ("tottime", "cumulative") else ["cumulative"])
        ).print_stats(60)
        print(out.getvalue())


if __name__ == "__main__":
    main()

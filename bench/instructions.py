"""Instructions per request of the hot paths, counted by valgrind: a figure the neighbours'
load does not move.

    .venv/bin/python bench/instructions.py                 # SQLite, 1,000 requests each
    .venv/bin/python bench/instructions.py --requests 500 heartbeat healthz

Runs bench/profile_hot.py under ``valgrind --tool=cachegrind --cache-sim=no`` once with
``--requests 0`` (the setup alone: imports, the database, the members) and once per request
kind with ``--requests N``, the same setup each time; the difference divided by N is what one
request costs, cookie to response bytes, in the app's process. Ratios are to /healthz, as in
bench/hot.py. It needs valgrind (Debian's package) and takes minutes: each run is the whole
setup under valgrind. Wall-clock throughput stays bench/hot.py's job; this is the figure to
compare two versions of the code on a shared machine.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["bare", "healthz", "heartbeat", "autosave"]


def instructions(kind: str, requests: int, members: int) -> int:
    """Instructions valgrind counted for one run of profile_hot.py."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            str(ROOT / "bench" / "profile_hot.py"),
            "--members",
            str(members),
            "--only",
            kind,
            "--requests",
            str(requests),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kinds", nargs="*", default=["healthz", "heartbeat", "autosave"])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--members", type=int, default=20)
    args = parser.parse_args()
    unknown = set(args.kinds) - set(KINDS)
    if unknown or "healthz" not in args.kinds:
        raise SystemExit(f"kinds among {KINDS}, /healthz included")
    setup = instructions("healthz", 0, args.members)
    cost = {
        kind: (instructions(kind, args.requests, args.members) - setup) / args.requests
        for kind in args.kinds
    }
    print("| request | instructions per request | vs /healthz |\n| --- | --- | --- |")
    for kind, each in cost.items():
        print(f"| {kind} | {each:,.0f} | {cost['healthz'] / each:.2f} |")


if __name__ == "__main__":
    main()

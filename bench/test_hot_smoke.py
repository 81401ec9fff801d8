"""bench/hot.py in miniature, so it never rots (not in the default run: `make bench-hot-smoke`).

Forty members, one round of 2 s per endpoint: every request must succeed, and the run either
reports the table or refuses with its reason, never anything else. The refusal rule itself is
checked on made-up figures.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from bench.hot import Run, client_verdict
from quizapp import PROJECT_ROOT


def _run(name: str, rps: float, cpu: float = 0.1, errors: int = 0) -> Run:
    return Run(name, int(rps * 5), 5.0, errors, 1.0, 2.0, cpu, 300.0)


def _round(bare: float, healthz: float, cpu: float = 0.1, errors: int = 0) -> dict[str, Run]:
    return {"bare": _run("bare", bare, cpu), "healthz": _run("healthz", healthz, errors=errors)}


def test_the_bench_refuses_when_the_client_may_be_the_bottleneck():
    assert client_verdict([_round(6000, 5000)] * 3) is None
    assert "core" in client_verdict([_round(6000, 5000, cpu=0.8)] * 3)
    assert "no faster" in client_verdict([_round(4000, 5000)] * 3)
    assert client_verdict([_round(4000, 5000), _round(6000, 5000), _round(4000, 5000)]) is None
    assert "failed" in client_verdict([_round(6000, 5000, errors=2)] * 3)


def test_hot_bench_smoke_run():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    done = subprocess.run(
        [sys.executable, "bench/hot.py", "--smoke"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    if done.returncode == 2:  # a loaded machine: the refusal must say why
        assert "REFUSED: the load client may be the bottleneck" in output, output
        return
    assert done.returncode == 0, output
    for label in ("GET /bare", "GET /healthz", "POST /api/study/heartbeat", "PUT /api/attempts"):
        assert label in output, output
    assert "commit " in output
    # The autosaves of the last run were saves (each run numbers them above the previous
    # run's), not refusals of out-of-date sequence numbers, which cost less.
    written = re.search(r"autosaves written by the last run: ([\d,]+) answers", output)
    assert written and int(written.group(1).replace(",", "")) > 0, output

"""The processes of an exam-day run beside the load client: its database, the scheduler, and
a monitor of what every process on the machine spends.

The monitor reads /proc once a second. It accounts for the whole machine, not only the
server: on a shared 2-core machine the figures mean little unless the report also says what
PostgreSQL, the scheduler, the load client and everything else took in the same seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.common import PYTHON, ROOT

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


class Database:
    """The database of the run: a temporary SQLite file, or a PostgreSQL database made for it."""

    def __init__(self, postgres: str | None) -> None:
        self.server_url = postgres
        self.url: str | None = None
        self.name = f"quizapp_exam_{uuid.uuid4().hex[:8]}"

    def __enter__(self) -> Database:
        if self.server_url:
            import psycopg

            with psycopg.connect(self.server_url, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{self.name}"')
            base = self.server_url.rsplit("/", 1)[0]
            self.url = f"{base}/{self.name}"
            os.environ["DATABASE_URL"] = self.url
        return self

    def __exit__(self, *exc) -> None:
        if self.server_url:
            import psycopg

            # WITH (FORCE) ends the app's own pooled connections too.
            with psycopg.connect(self.server_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def terminate_connections(self) -> int:
        """Terminate every connection to the run's database but our own; return how many."""
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as connection:
            return len(
                connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (self.name,),
                ).fetchall()
            )


def children(pid: int) -> list[int]:
    """Return the ids of a process's direct children."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_processes() -> list[int]:
    """Return the ids of every PostgreSQL server process on this machine."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _process_usage(pid: int) -> tuple[float, int] | None:
    """Return (CPU seconds, resident bytes) of one process, or None if it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS, int(fields[21]) * PAGE
    except (OSError, IndexError, ValueError):
        return None


def _machine_busy() -> float:
    """Return the CPU seconds every core of the machine has spent busy since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:7]) - idle) / TICKS  # user … softirq; steal is not this machine's


class Monitor(threading.Thread):
    """Sample, once a second, the CPU of each named group of processes and of the machine.

    A group's CPU in a second is the sum over the processes alive at both ends of it, so
    processes that come and go (a killed worker, a terminated database session) are counted
    while they live. "other" is what the machine spent outside every group.
    """

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        super().__init__(daemon=True)
        self.groups = groups
        self.running = True
        self.seconds: list[float] = []
        self.ends: list[float] = []  # monotonic time at the end of each sampled second
        self.used: dict[str, list[float]] = {name: [] for name in [*groups, "other", "machine"]}
        self.peak_memory: dict[str, int] = dict.fromkeys(groups, 0)
        self.load_before = os.getloadavg()

    def _sample(self) -> tuple[float, float, dict[str, dict[int, tuple[float, int]]]]:
        readings = {}
        for name, pids in self.groups.items():
            readings[name] = {p: u for p in pids() if (u := _process_usage(p)) is not None}
        return time.monotonic(), _machine_busy(), readings

    def run(self) -> None:
        before = self._sample()
        while self.running:
            time.sleep(1)
            after = self._sample()
            (t0, busy0, old), (t1, busy1, new) = before, after
            span, accounted = t1 - t0, 0.0
            for name in self.groups:
                spent = sum(
                    cpu - old[name][p][0] for p, (cpu, _) in new[name].items() if p in old[name]
                )
                self.used[name].append(spent / span)
                accounted += spent
                memory = sum(rss for _, rss in new[name].values())
                self.peak_memory[name] = max(self.peak_memory[name], memory)
            self.used["machine"].append((busy1 - busy0) / span)
            self.used["other"].append(max(0.0, busy1 - busy0 - accounted) / span)
            self.seconds.append(span)
            self.ends.append(t1)
            before = after

    def summary(self) -> list[str]:
        """Lines for the report: each group's average and busiest second, and its memory."""
        if not self.seconds:
            return ["n/a"]
        lines = [
            f"load average before the run: {self.load_before[0]:.2f} "
            f"(1 min), {self.load_before[1]:.2f} (5 min); {os.cpu_count()} cores"
        ]
        for name, shares in self.used.items():
            memory = self.peak_memory.get(name)
            tail = f", peak memory {memory / 2**20:.0f} MiB" if memory else ""
            average = sum(x * d for x, d in zip(shares, self.seconds)) / sum(self.seconds)
            lines.append(
                f"{name}: {average:.0%} of one core on average, "
                f"{max(shares):.0%} in the busiest second{tail}"
            )
        return lines

    def by_minute(self, name: str, t0: float) -> list[tuple[int, float]]:
        """Return (minute from ``t0``, average share of one core) of one group or the machine."""
        minutes: dict[int, list[tuple[float, float]]] = {}
        for end, span, share in zip(self.ends, self.seconds, self.used[name]):
            if end > t0:  # each sampled second filed under the minute its middle falls in
                minutes.setdefault(int((end - span / 2 - t0) // 60), []).append((share, span))
        return [
            (m, sum(s * d for s, d in v) / sum(d for _, d in v)) for m, v in sorted(minutes.items())
        ]


class Scheduler:
    """``flask --app wsgi scheduler`` as a process of its own, stoppable and restartable."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log, self.process = os.environ | env, log, None

    def start(self) -> None:
        flask = str(Path(PYTHON).with_name("flask"))
        self.process = subprocess.Popen(
            [flask, "--app", "wsgi", "scheduler"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )

    def pids(self) -> list[int]:
        return [self.process.pid] if self.process and self.process.poll() is None else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=120)
        self.process = None

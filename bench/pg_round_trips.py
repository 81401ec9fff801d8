"""What a PostgreSQL round trip costs the hot paths, and what fewer of them would save.

    .venv/bin/python bench/pg_round_trips.py                    # 127.0.0.1:5432, user postgres
    .venv/bin/python bench/pg_round_trips.py --url postgresql://postgres@db-host:5432/test

The heartbeat and the autosave are each four round trips on PostgreSQL: psycopg's ``BEGIN``,
a locking read (one row by its key), a conditional write and ``COMMIT``. This script times that shape of
transaction with psycopg alone (no Flask, no SQLAlchemy) and the ways of sending it in
fewer round trips, per transaction: the client's CPU (``time.process_time``), the wall time,
and the CPU of the server process serving the connection (read from /proc, so only when the
server runs on this machine). Each variant runs over TCP and, where the server has one, over
its Unix socket. It creates a database of its own and drops it afterwards.

- ``today``: BEGIN, the read (``FOR UPDATE``, a scalar subquery by key), the write, COMMIT; psycopg
  prepares both statements server-side after five runs, as in the app.
- ``pipeline``: the same inside psycopg's pipeline mode (psycopg syncs after its BEGIN).
- ``simple``: two round trips, ``BEGIN; <read>`` and ``<write>; COMMIT`` as multi-statement
  simple queries (client-side binding, so the server parses and plans every time).
- ``autocommit``: the write alone in autocommit, one round trip: the floor, not a design
  (it drops the lock that orders a save against a submit).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import psycopg
from psycopg import ClientCursor, sql

ROWS = 1000
READ = (
    "SELECT a.v, (SELECT max(b.v) FROM rt_rows b WHERE b.day = %s AND b.id = a.id) "
    "FROM rt_rows a WHERE a.id = %s FOR UPDATE"
)
WRITE = "UPDATE rt_rows SET v = v + 1 WHERE id = %s AND v = %s"


def today(conn: psycopg.Connection, key: int) -> None:
    cur = conn.cursor()
    cur.execute(READ, ("2026-12-04", key))
    value = cur.fetchone()[0]
    cur.execute(WRITE, (key, value))
    conn.commit()


def pipeline(conn: psycopg.Connection, key: int) -> None:
    cur = conn.cursor()
    with conn.pipeline():
        cur.execute(READ, ("2026-12-04", key))
        value = cur.fetchone()[0]
        cur.execute(WRITE, (key, value))
        conn.commit()


def simple(conn: psycopg.Connection, key: int) -> None:
    cur = ClientCursor(conn)
    cur.execute("BEGIN; " + READ, ("2026-12-04", key))
    cur.nextset()
    value = cur.fetchone()[0]
    cur.execute(WRITE + "; COMMIT", (key, value))


def autocommit(conn: psycopg.Connection, key: int) -> None:
    conn.cursor().execute("UPDATE rt_rows SET v = v + 1 WHERE id = %s AND v >= %s", (key, 0))


VARIANTS = {"today": (today, False), "pipeline": (pipeline, False), "simple": (simple, True)}
VARIANTS["autocommit"] = (autocommit, True)


def server_cpu(pid: int) -> float | None:
    """Seconds of CPU the server process ``pid`` used, if it runs here."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url: str, name: str, transactions: int) -> tuple[float, float, float | None]:
    """(client CPU µs, wall µs, server CPU µs) per transaction of variant ``name``."""
    run, auto = VARIANTS[name]
    with psycopg.connect(url, autocommit=auto) as conn:
        pid = conn.info.backend_pid
        for key in range(200):  # warm: statements prepared, pages cached
            run(conn, key % ROWS + 1)
        cpu, wall, server = time.process_time(), time.perf_counter(), server_cpu(pid)
        for key in range(transactions):
            run(conn, key % ROWS + 1)
        after = server_cpu(pid)
        per = 1e6 / transactions
        return (
            (time.process_time() - cpu) * per,
            (time.perf_counter() - wall) * per,
            None if server is None or after is None else (after - server) * per,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--socket", default="/var/run/postgresql", help="'' to skip")
    parser.add_argument("--transactions", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scratch = f"bench_round_trips_{os.getpid()}"
    with psycopg.connect(args.url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    base = psycopg.conninfo.conninfo_to_dict(args.url)
    routes = {"TCP": psycopg.conninfo.make_conninfo(**{**base, "dbname": scratch})}
    if args.socket and Path(args.socket).is_dir():
        routes["Unix socket"] = psycopg.conninfo.make_conninfo(
            **{**base, "dbname": scratch, "host": args.socket, "port": base.get("port", "5432")}
        )
    try:
        with psycopg.connect(routes["TCP"]) as conn:
            conn.execute("CREATE TABLE rt_rows (id int PRIMARY KEY, v int NOT NULL, day date)")
            conn.execute(
                "INSERT INTO rt_rows SELECT g, 0, DATE '2026-12-04' FROM generate_series(1, %s) g",
                (ROWS,),
            )
        print(f"{args.transactions} transactions a run, median of {args.rounds} interleaved runs")
        print("| route | variant | round trips | client CPU µs | server CPU µs | wall µs |")
        print("| --- | --- | --- | --- | --- | --- |")
        trips = {"today": 4, "pipeline": 4, "simple": 2, "autocommit": 1}
        for route, url in routes.items():
            found: dict[str, list] = {name: [] for name in VARIANTS}
            for _ in range(args.rounds):
                for name in VARIANTS:
                    found[name].append(measure(url, name, args.transactions))
            for name, runs in found.items():
                client, wall, server = (
                    statistics.median(v) if None not in v else None for v in zip(*runs, strict=True)
                )
                shown = "n/a" if server is None else f"{server:,.0f}"
                print(
                    f"| {route} | {name} | {trips[name]} | {client:,.0f} | {shown} | {wall:,.0f} |"
                )
    finally:
        with psycopg.connect(args.url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )


if __name__ == "__main__":
    main()

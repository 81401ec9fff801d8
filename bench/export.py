"""Time the participation export: the report (participation(..., detail=True)), the .xlsx
and the .csv, with the SQL statements each sends.

    .venv/bin/python bench/export.py                          # SQLite in a temporary folder
    DATABASE_URL=postgresql://... .venv/bin/python bench/export.py

On an empty database it first generates the benchmark bureau (quizapp.benchdata; sizes from
BENCH_MEMBERS, BENCH_BRANCHES, BENCH_DAYS, defaults 10,000 / 300 / 365). A database that
already holds a bureau (say, one filled by ``flask --app wsgi bench-data``) is used as it is,
so the generation is paid once. Each case runs BENCH_RUNS times (default 5) in a fresh
session; the first run (cold: statements compiled, objects loaded) is shown apart from the
median of the others. The target: report + .xlsx of the running campaign for the whole
bureau within 2 s. Then the range export is timed next to one plain SQL aggregate of the
same branch rows (bench/export_sql.py), interleaved, in wall and in process CPU time;
``--side-by-side`` runs only that.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select

from bench.common import prepare_app
from quizapp import access, db
from quizapp.benchdata import build_bench_bureau, refresh_statistics
from quizapp.campaigns.models import Campaign
from quizapp.clock import china_today, utcnow
from quizapp.members.models import Member, Role
from quizapp.participation.exports import csv_report, xlsx_report
from quizapp.participation.queries import participation

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
BRANCHES = int(os.environ.get("BENCH_BRANCHES", "300"))
DAYS = int(os.environ.get("BENCH_DAYS", "365"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def cases(now) -> list[tuple[str, int, str, int | None]]:
    """(label, actor id, subject kind, subject id) for each export to time."""
    admin = db.session.scalar(
        select(Member.id).where(Member.role == Role.ADMIN.value).order_by(Member.id)
    )
    organiser = db.session.scalar(
        select(Member.id).where(Member.role == Role.ORGANISER.value).order_by(Member.id)
    )
    today = china_today(now)
    found = list(db.session.scalars(select(Campaign).order_by(Campaign.starts_on)))
    running = [c for c in found if c.starts_on <= today <= c.ends_on and not c.is_training_class]
    headline = running[0] if running else found[-1]
    finished = [c for c in found if c.ends_on < today]
    chosen = [
        ("running campaign, whole bureau", admin, "campaign", headline.id),
        ("running campaign, one unit's organiser", organiser, "campaign", headline.id),
    ]
    if finished:
        chosen.append(("finished campaign, whole bureau", admin, "campaign", finished[0].id))
    chosen.append(("its quiz, whole bureau", admin, "quiz", headline.quizzes[0].quiz_id))
    chosen.append(("last 30 days (any study), whole bureau", admin, "range", None))
    return chosen


def run(app, label: str, actor_id: int, kind: str, subject_id: int | None, now) -> str:
    from quizapp.quizzes.models import Quiz

    engine = db.get_engine(app)
    counted: list[int] = []
    timings = []
    for _ in range(RUNS):
        with app.app_context():
            actor = db.session.get(Member, actor_id)
            subject = (
                db.session.get(Campaign if kind == "campaign" else Quiz, subject_id)
                if subject_id
                else None
            )
            if kind == "campaign":
                first, last = subject.starts_on, subject.ends_on
            elif kind == "quiz":
                first, last = china_today(subject.opens_at), china_today(subject.closes_at)
            else:
                last = china_today(now)
                first = last - timedelta(days=29)
            statements = [0]

            def count(*_args, statements: list[int] = statements) -> None:
                statements[0] += 1

            event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            report = participation(actor, subject, first, last, now, detail=True)
            reported = time.perf_counter()
            event.remove(engine, "before_cursor_execute", count)
            workbook = xlsx_report(report)
            written = time.perf_counter()
            table = csv_report(report)
            done = time.perf_counter()
            counted.append(statements[0])
            timings.append(
                (
                    reported - started,
                    written - reported,
                    done - written,
                    written - started,
                    len(workbook),
                    len(table),
                    report.top.eligible if report.top else 0,
                )
            )
    first_run, rest = timings[0], timings[1:] or timings

    def median(index: int) -> float:
        return statistics.median(t[index] for t in rest)

    return (
        f"| {label} | {first_run[6]:,} | {max(counted)} | {median(0):.2f} | {median(1):.2f} "
        f"| **{median(3):.2f}** ({first_run[3]:.2f}) | {median(2):.3f} "
        f"| {first_run[4] / 1024:,.0f} KiB |"
    )


def side_by_side(app, now) -> str:
    """The range export (last 30 days, any study, whole bureau) next to bench/export_sql.py's
    one SQL aggregate of the same per-branch rows, interleaved, BENCH_RUNS times each; check
    that both give the same rows; return the table line: wall seconds, then this process's
    CPU seconds (``time.process_time``, which neighbours on a shared machine move less)."""
    from bench.export_sql import range_summary

    last = china_today(now)
    first = last - timedelta(days=29)
    wall = {"sql": [], "report": [], "export": []}
    cpu = {"sql": [], "report": [], "export": []}

    def mark(name: str, since: tuple[float, float]) -> None:
        wall[name].append(time.perf_counter() - since[0])
        cpu[name].append(time.process_time() - since[1])

    for _ in range(RUNS):
        with app.app_context():
            actor = db.session.get(Member, cases(now)[0][1])
            started = time.perf_counter(), time.process_time()
            rows = range_summary(actor, first, last)
            mark("sql", started)
        with app.app_context():
            actor = db.session.get(Member, cases(now)[0][1])
            started = time.perf_counter(), time.process_time()
            report = participation(actor, None, first, last, now, detail=True)
            mark("report", started)
            xlsx_report(report)
            mark("export", started)
            leaves = {
                r.branch.id: (r.eligible, r.participants, r.study_seconds, r.times)
                for r in report.rows
                if not r.is_rollup and r.eligible
            }
            assert leaves == rows, "the SQL aggregate and the report disagree"

    def cells(seconds: dict[str, list[float]]) -> str:
        sql, report, export = (statistics.median(x[1:] or x) for x in seconds.values())
        return (
            f"{sql:.2f} | {report:.2f} | {export:.2f} | **{export / sql:.2f}×** "
            f"({report / sql:.2f}× without the .xlsx)"
        )

    return (
        f"| last 30 days (any study), whole bureau | {len(rows)} branches "
        f"| {cells(wall)} | {cells(cpu)} |"
    )


def main() -> None:
    app, _env, url = prepare_app()
    now = utcnow()
    with app.app_context():
        if access.root_branch() is None:
            print(
                f"generating {MEMBERS} members, {BRANCHES} branches, {DAYS} days…", file=sys.stderr
            )
            started = time.perf_counter()
            print(
                build_bench_bureau(now, members=MEMBERS, branches=BRANCHES, days=DAYS),
                file=sys.stderr,
            )
            db.session.commit()
            refresh_statistics()
            print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        chosen = cases(now)
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL)"
    print(f"\n{backend}; {RUNS} runs per case; medians of runs 2–{RUNS}, first run in brackets\n")
    print(
        "| export | eligible members | statements | report s | .xlsx s | report + .xlsx s "
        "| .csv s | .xlsx size |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    for label, actor_id, kind, subject_id in chosen:
        if "--side-by-side" not in sys.argv:  # only the comparison below
            print(run(app, label, actor_id, kind, subject_id, now), flush=True)
    print(
        "\nThe export against one SQL aggregate of the same branch rows (bench/export_sql.py), "
        f"interleaved, medians of runs 2–{RUNS}:\n\n"
        "| export | rows | SQL aggregate s | report s | report + .xlsx s | export / SQL "
        "| CPU: SQL aggregate s | report s | report + .xlsx s | export / SQL |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    print(side_by_side(app, now), flush=True)


if __name__ == "__main__":
    main()

"""Time a 10,000-row roster import against a fresh database (SQLite by default).

    .venv/bin/python bench/roster_import.py            # SQLite in a temporary folder
    BENCH_ROWS=5000 .venv/bin/python bench/roster_import.py
    DATABASE_URL=postgresql://... .venv/bin/python bench/roster_import.py

The database named by DATABASE_URL must be empty (it gets the demo bureau). Prints the wall
time and SQL statement count of: a first import (all rows new members, each with a one-time
login code and no password), the same file again (all unchanged), a file that moves 500
members to another branch, and the slip sheet (登录凭条) of the members the first import
created.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select

from quizapp import create_app, db, migrate
from quizapp.clock import china_today, utcnow
from quizapp.demo import build_demo
from quizapp.members import exports, queries
from quizapp.members.imports import import_roster
from quizapp.members.models import Member
from quizapp.members.roster_files import TEMPLATE_HEADERS
from quizapp.org.models import Branch, BranchKind

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))


def roster(branch_codes: list[str], shift: int = 0, moved: int = 0) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADERS)
    for i in range(ROWS):
        code = branch_codes[(i + (shift if i < moved else 0)) % len(branch_codes)]
        writer.writerow(
            [f"导入{i:05d}", f"B{i:06d}", f"137{i:08d}", code, "正式党员", "2010-07-01", ""]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def timed(app, label: str, actor_id: int, content: bytes) -> list[int]:
    """Import ``content`` as the actor, commit, print the figures; return the created ids."""
    statements = []
    engine = db.get_engine(app)

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    started = time.perf_counter()
    with app.app_context():
        actor = db.session.get(Member, actor_id)
        result = import_roster(actor, "roster.csv", content, china_today())
        db.session.commit()
    elapsed = time.perf_counter() - started
    event.remove(engine, "before_cursor_execute", count)
    print(
        f"{label:<28} {elapsed:6.2f} s  {len(statements):6d} statements  "
        f"created={result.created} updated={result.updated} moved={result.moved} "
        f"unchanged={result.unchanged}"
    )
    return result.created_ids


def timed_slips(app, actor_id: int, ids: list[int]) -> None:
    """Time the slip sheet of ``ids`` as the download link of the import result names them."""
    started = time.perf_counter()
    with app.test_request_context(), app.app_context():
        actor = db.session.get(Member, actor_id)
        members = queries.list_unactivated(actor, ids=exports.decode_ids(exports.encode_ids(ids)))
        data = exports.slip_xlsx(members)
    elapsed = time.perf_counter() - started
    print(
        f"{'slip sheet of the new':<28} {elapsed:6.2f} s  {len(members):6d} members  "
        f"{len(data) // 1024} KiB"
    )


def main() -> None:
    folder = tempfile.mkdtemp(prefix="quizapp-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["QUIZAPP_INSTANCE"] = folder
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    migrate.upgrade(app)
    with app.app_context():
        build_demo(utcnow())
        db.session.commit()
        admin_id = db.session.scalar(select(Member.id).where(Member.police_no == "admin"))
        codes = list(
            db.session.scalars(
                select(Branch.code)
                .where(Branch.kind == BranchKind.BRANCH.value)
                .order_by(Branch.code)
            )
        )
    print(f"database: {app.config['DATABASE_URL'].split('@')[-1]}  rows per file: {ROWS}")
    created = timed(app, "first import (all new)", admin_id, roster(codes))
    timed_slips(app, admin_id, created)
    timed(app, "same file again", admin_id, roster(codes))
    timed(app, "500 members change branch", admin_id, roster(codes, shift=1, moved=500))


if __name__ == "__main__":
    main()

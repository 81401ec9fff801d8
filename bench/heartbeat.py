"""Benchmark the study heartbeat under gunicorn, next to GET /healthz in the same run.

    .venv/bin/python bench/heartbeat.py                         # SQLite in a temporary folder
    DATABASE_URL=postgresql://... .venv/bin/python bench/heartbeat.py   # an EMPTY database

Builds MEMBERS members and 20 published materials for the whole bureau, gives every member a
study token (what the material page embeds), then measures GET /healthz and
POST /api/study/heartbeat (random member and material) for SECONDS each.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    HEADER,
    Request,
    Server,
    build_bureau,
    json_request,
    prepare_app,
    run_load,
    session_cookie,
)
from quizapp import db
from quizapp.audiences.services import build_audience
from quizapp.clock import utcnow
from quizapp.study.minutes import issue_token
from quizapp.study.models import Material

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "3000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def build(app) -> tuple[list[int], list[int]]:
    """Create the bureau, members and materials; return their ids."""
    now = utcnow()
    with app.app_context():
        root, admin, members = build_bureau(MEMBERS, now)
        audience = build_audience(admin, [root], [], [])
        materials = [
            Material(
                title=f"学习资料{i}",
                topic="党纪学习教育",
                body_markdown="正文",
                body_html="<p>正文</p>",
                estimated_minutes=20,
                audience=audience,
                status="published",
                owner_branch_id=root.id,
            )
            for i in range(20)
        ]
        db.session.add_all(materials)
        db.session.commit()
        return [m.id for m in members], [m.id for m in materials]


def main() -> None:
    secret = "bench-secret-key"
    app, env, url = prepare_app(secret)
    print(f"building {MEMBERS} members…", file=sys.stderr)
    member_ids, material_ids = build(app)
    with app.app_context():
        chosen = [db.session.get(Material, t) for t in material_ids[:3]]
        tokens = {(m, t.id): issue_token(m, t) for m in member_ids for t in chosen}
    sessions = {m: session_cookie(secret, m, 1, f"csrf{m}") for m in member_ids}
    rng = random.Random(5)

    def healthz() -> Request:
        return Request("GET", "/healthz", {})

    def heartbeat() -> Request:
        member = rng.choice(member_ids)
        material = rng.choice(material_ids[:3])
        cookie, token = sessions[member]
        return json_request(
            "POST", "/api/study/heartbeat", cookie, token, {"token": tokens[(member, material)]}
        )

    with Server(env, workers=WORKERS) as server:
        run_load("warm-up", server.port, healthz, seconds=2, connections=CONNECTIONS)
        reference = run_load(
            "GET /healthz", server.port, healthz, seconds=SECONDS, connections=CONNECTIONS
        )
        beats = run_load(
            "POST heartbeat", server.port, heartbeat, seconds=SECONDS, connections=CONNECTIONS
        )
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL)"
    print(f"\n{backend}; {server.settings}; {CONNECTIONS} client connections; {MEMBERS} members\n")
    print(HEADER)
    print(reference.line())
    print(beats.line(reference))
    if beats.errors:
        print(f"statuses {beats.statuses}", file=sys.stderr)


if __name__ == "__main__":
    main()

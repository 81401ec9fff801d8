"""Benchmark the study heartbeat under gunicorn, next to GET /healthz in the same run.

    .venv/bin/python bench/heartbeat.py                         # SQLite in a temporary folder
    DATABASE_URL=postgresql://... .venv/bin/python bench/heartbeat.py   # an EMPTY database

Builds MEMBERS members and 20 published materials for the whole bureau, gives every member a
study token (what the material page embeds), then measures GET /healthz and
POST /api/study/heartbeat (random member and material) for SECONDS each.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    MEMBERS,
    Request,
    add_materials,
    build_bureau,
    json_request,
    measure,
    prepare_app,
    report,
    session_cookie,
)
from quizapp import db
from quizapp.clock import utcnow
from quizapp.study.minutes import issue_token
from quizapp.study.models import Material


def build(app) -> tuple[list[int], list[int]]:
    """Create the bureau, members and materials; return their ids."""
    now = utcnow()
    with app.app_context():
        root, admin, members = build_bureau(MEMBERS, now)
        materials = add_materials(admin, root, [f"学习资料{i}" for i in range(20)], 20)
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

    def heartbeat() -> Request:
        member = rng.choice(member_ids)
        material = rng.choice(material_ids[:3])
        cookie, token = sessions[member]
        return json_request(
            "POST", "/api/study/heartbeat", cookie, token, {"token": tokens[(member, material)]}
        )

    results, settings = measure(env, [("POST heartbeat", heartbeat)])
    report(url, settings, f"{MEMBERS} members", results)


if __name__ == "__main__":
    main()

"""A realistic bureau for the benchmarks: ``flask --app wsgi bench-data``.

Default scale: 8 units, 300 party branches of uneven size, 10,000 members and a year of
activity ending today. Political statuses in the proportions of a police bureau; some members
moved branch during the year, some left (their history stays), some joined. Members differ in
diligence: some study most days, most now and then, some never. On top of a year of study
minutes: offline party days and lectures, four campaigns (two finished, one running, one
training class for activists) with required materials and a quiz each, attempts with their
answers, and reflections.

Small objects (the tree, materials, quizzes, campaigns) go through the services, so they obey
the same rules as the app's pages; the large tables are written with bulk ``INSERT``
statements of plain dicts (see :mod:`quizapp.benchdata.activity`).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import text

from quizapp import db
from quizapp.audiences.services import build_audience
from quizapp.benchdata.bureau import (
    BENCH_PASSWORD,
    Bureau,
    build_members,
    build_tree,
    china_moment,
)
from quizapp.clock import china_today
from quizapp.members.services import create_first_admin
from quizapp.org.services import create_root
from quizapp.study.models import Material, MaterialStatus
from quizapp.study.sanitize import render_markdown

TOPICS = ["党纪学习教育", "主题教育", "党章党规", "公安业务", "廉洁自律", "政治理论"]


def build_bench_bureau(
    now: datetime, *, members: int = 10_000, branches: int = 300, days: int = 365, seed: int = 2026
) -> str:
    """Create the benchmark bureau in an empty database (flushed, not committed); summarise it."""
    from quizapp.benchdata.activity import build_activity

    rng = random.Random(seed)
    today = china_today(now)
    first = today - timedelta(days=days - 1)
    root = create_root("JU", "基准市公安局")
    admin = create_first_admin(root, "admin", "局机关党委管理员", BENCH_PASSWORD)
    units, leaves = build_tree(admin, root, branches, rng)
    people = build_members(units, leaves, members, first, today, rng)
    bureau = Bureau(root, admin, units, leaves, people, first, today, now)
    activity = build_activity(bureau, _materials(bureau, rng), rng)
    return (
        f"bench bureau: {len(units)} units, {len(leaves)} branches, {len(people)} members "
        f"over {days} days; {activity}; logins admin, org01…org{len(units):02d} "
        f"(password {BENCH_PASSWORD})"
    )


def refresh_statistics() -> None:
    """Let PostgreSQL's planner know the new tables' sizes now (autovacuum would, later).

    Run after committing the bureau: planning on empty statistics, PostgreSQL takes the
    attempts of a whole bureau for one row and joins them in nested loops.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _materials(bureau: Bureau, rng: random.Random) -> list[Material]:
    """Publish a material every fortnight or so over the year, for the whole bureau."""
    days = (bureau.today - bureau.first).days + 1
    count = max(6, min(24, days // 15))
    audience = build_audience(bureau.admin, [bureau.root], [], [])
    materials = []
    for number in range(count):
        opens = bureau.first + timedelta(days=number * days // count)
        topic = TOPICS[number % len(TOPICS)]
        body = (
            f"# {topic}学习资料（第{number + 1}期）\n\n本期围绕{topic}，"
            "学习相关党内法规和上级部署要求，结合公安工作实际谈认识、找差距、抓落实。\n"
        )
        materials.append(
            Material(
                title=f"{topic}学习资料（第{number + 1}期）",
                topic=topic,
                body_markdown=body,
                body_html=render_markdown(body),
                estimated_minutes=rng.choice((10, 15, 20, 30)),
                sort_order=number,
                status=MaterialStatus.PUBLISHED.value,
                opens_at=china_moment(opens, 8),
                audience=audience,
                owner_branch_id=bureau.root.id,
                created_by_id=bureau.admin.id,
            )
        )
    db.session.add_all(materials)
    db.session.flush()
    return materials

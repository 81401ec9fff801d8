"""The demo bureau that `make run` loads into an empty database."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app

from quizapp import db
from quizapp.clock import china_today
from quizapp.members.models import Member, Membership, PoliticalStatus, Role
from quizapp.members.passwords import hash_password
from quizapp.members.services import create_first_admin
from quizapp.org.models import Branch, BranchKind
from quizapp.org.services import create_branch, create_root

DEMO_PASSWORD = "demo123456"

UNITS = [
    (
        "CG",
        "城关分局",
        [
            "城关派出所",
            "东关派出所",
            "西关派出所",
            "南街派出所",
            "北街派出所",
            "刑侦大队",
            "治安大队",
            "分局机关",
        ],
    ),
    (
        "KF",
        "经济开发区分局",
        [
            "开发区派出所",
            "高新派出所",
            "工业园派出所",
            "港区派出所",
            "刑侦大队",
            "巡特警大队",
            "分局机关",
        ],
    ),
    (
        "JJ",
        "交通警察支队",
        ["一大队", "二大队", "三大队", "事故处理大队", "车辆管理所", "支队机关"],
    ),
    (
        "JG",
        "市局机关部门",
        [
            "办公室",
            "政治部",
            "指挥中心",
            "法制支队",
            "网络安全保卫支队",
            "经济犯罪侦查支队",
            "禁毒支队",
            "督察支队",
            "警务保障处",
        ],
    ),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲婷建国志红俊峰晨宇浩然欣怡子涵博文雪梅海波立新小龙春燕晓东振华卫东"
STATUS_WEIGHTS = [
    (PoliticalStatus.FULL, 75),
    (PoliticalStatus.PROBATIONARY, 8),
    (PoliticalStatus.CANDIDATE, 5),
    (PoliticalStatus.ACTIVIST, 7),
    (PoliticalStatus.MASSES, 5),
]


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def build_demo(now: datetime, seed: int = 2026) -> str:
    """Create the demo bureau, its members, question bank and quizzes; return a summary."""
    rng = random.Random(seed)
    today = china_today(now)
    root = create_root("JU", "示范市公安局")
    admin = create_first_admin(root, "admin", "系统管理员", DEMO_PASSWORD, check_rules=False)
    admin.name = "局机关党委管理员"

    branches: list[Branch] = []
    units: list[Branch] = []
    for u_index, (code, unit_name, branch_names) in enumerate(UNITS, start=1):
        unit = create_branch(admin, root, BranchKind.UNIT, code, unit_name, u_index)
        units.append(unit)
        for b_index, branch_name in enumerate(branch_names, start=1):
            branches.append(
                create_branch(
                    admin,
                    unit,
                    BranchKind.BRANCH,
                    f"{code}{b_index:02d}",
                    f"{branch_name}党支部",
                    b_index,
                )
            )

    shared_hash = hash_password(DEMO_PASSWORD)  # one hash: a few hundred would take a minute
    statuses = [s for s, _ in STATUS_WEIGHTS]
    weights = [w for _, w in STATUS_WEIGHTS]
    members: list[Member] = []
    number = 0
    history_start = today - timedelta(days=720)
    for branch in branches:
        for _ in range(rng.randint(9, 15)):
            number += 1
            status = PoliticalStatus.FULL if number <= 2 else rng.choices(statuses, weights)[0]
            joined = None
            if status.is_party_member:
                years_ago = 0 if status == PoliticalStatus.PROBATIONARY else rng.randint(2, 30)
                joined = today - timedelta(days=365 * years_ago + rng.randint(30, 330))
            member = Member(
                name=_name(rng),
                police_no=f"m{number:04d}",
                phone=f"139{number:08d}",
                branch=branch,
                political_status=status.value,
                joined_party_on=joined,
                role=Role.MEMBER.value,
                password_hash=shared_hash,
                must_change_password=False,
            )
            members.append(member)

    # Some history: a few members moved branch two months ago, a few left last month.
    for member in members:
        if member.police_no in ("m0001", "m0002"):  # the demo logins keep a plain history
            member.memberships.append(Membership(branch=member.branch, started_on=history_start))
            continue
        roll = rng.random()
        if roll < 0.05:
            moved_on = today - timedelta(days=rng.randint(40, 90))
            previous = rng.choice([b for b in branches if b.id != member.branch.id])
            member.memberships.append(
                Membership(branch=previous, started_on=history_start, ended_on=moved_on)
            )
            member.memberships.append(Membership(branch=member.branch, started_on=moved_on))
        elif roll < 0.07:
            left_on = today - timedelta(days=rng.randint(10, 40))
            member.is_active = False
            member.memberships.append(
                Membership(branch=member.branch, started_on=history_start, ended_on=left_on)
            )
        else:
            member.memberships.append(Membership(branch=member.branch, started_on=history_start))

    # org01 organises the first unit's subtree and sits in its first branch, beside m0001.
    organiser = members[1]
    organiser.police_no, organiser.name = "org01", "张建国"
    organiser.role, organiser.scope_branch = Role.ORGANISER.value, units[0]
    members[0].name = "李明"
    db.session.add_all(members)
    db.session.flush()

    from quizapp.demo.quizzes import build_quiz_demo, build_unit_quiz

    quizzes = build_quiz_demo(admin, root, now, rng)
    # org01's own quiz, beside the bureau's (its own random numbers: the rest stay as they were).
    quizzes += "; " + build_unit_quiz(organiser, now, random.Random(seed + 1))

    from quizapp.demo.marking import build_marking_demo

    quizzes += "; " + build_marking_demo(organiser, now, random.Random(seed + 2))

    from quizapp.demo.study import build_study_demo

    study = build_study_demo(admin, root, now, rng)

    from quizapp.demo.certificates import build_certificate_demo

    certificates = build_certificate_demo(admin, root, now)

    from quizapp.demo.reports import build_report_demo

    certificates += "; " + build_report_demo(now, current_app.config["QUESTION_REPORTS_SUSPEND_AT"])

    from quizapp.points.services import award

    # Points for the demo's past weeks, as the scheduled job would have written them.
    points = award(now, days=35)

    from quizapp.participation.snapshots import snapshot_participation

    # The nightly participation snapshots of the four weeks of study history (flushed with
    # the rest of the demo, not committed apart), so the dashboard's trend has data at once.
    snapshot_participation(now, days=28, commit=False)
    return (
        f"demo loaded: 1 bureau, {len(units)} units, {len(branches)} branches, "
        f"{len(members) + 1} members; {quizzes}; {study}; {certificates}; "
        f"{points} point entries; "
        f"logins admin, org01, m0001 (password {DEMO_PASSWORD})"
    )

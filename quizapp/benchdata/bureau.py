"""The benchmark bureau's tree and its members, each with a history of stays and a diligence
that drives their activity (:mod:`.activity`)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert

from quizapp import db
from quizapp.clock import CHINA, to_china
from quizapp.demo import STATUS_WEIGHTS, _name
from quizapp.members.models import Member, Membership, PoliticalStatus, Role
from quizapp.members.passwords import hash_password
from quizapp.org.models import Branch, BranchKind
from quizapp.org.services import create_branch
from quizapp.study.models import Material

BENCH_PASSWORD = "bench123456"
UNITS = [
    "城关分局",
    "经济开发区分局",
    "高新区分局",
    "滨江分局",
    "交通警察支队",
    "刑事侦查支队",
    "治安管理支队",
    "市局机关",
]
PLACES = [
    "东关",
    "西关",
    "南街",
    "北街",
    "城东",
    "城西",
    "新华",
    "解放",
    "人民",
    "胜利",
    "和平",
    "长安",
    "中山",
    "建设",
    "光明",
    "幸福",
    "民主",
    "团结",
    "朝阳",
    "青山",
    "白塔",
    "金水",
    "沙河",
    "柳林",
    "杨庄",
    "王集",
    "李桥",
    "马店",
    "石门",
    "龙泉",
    "凤凰",
    "桃园",
    "枫林",
    "梅园",
    "清河",
    "双桥",
    "三里",
    "五星",
    "七里",
    "九龙",
]
KINDS = ["派出所", "警务站", "中队", "大队", "科", "处", "所", "队"]
PARTY = [PoliticalStatus.FULL.value, PoliticalStatus.PROBATIONARY.value]


@dataclass
class Person:
    """A generated member, kept in memory so the activity follows their history."""

    id: int
    status: str
    #: 0 (never studies) to 1 (studies most days); also drives quizzes and attendance.
    diligence: float
    #: Chance of answering a question right.
    skill: float
    #: (branch id, started_on, ended_on or None), in order.
    stays: list[tuple[int, date, date | None]] = field(default_factory=list)

    def branch_on(self, day: date) -> int | None:
        """Return the branch the person was in on ``day`` (None: not a member then)."""
        for branch_id, started, ended in self.stays:
            if started <= day and (ended is None or day < ended):
                return branch_id
        return None

    def window(self, first: date, last: date) -> tuple[date, date] | None:
        """Return the days of [first, last] on which the person was a member."""
        start = max(first, self.stays[0][1])
        ended = self.stays[-1][2]
        end = min(last, ended - timedelta(days=1)) if ended else last
        return (start, end) if start <= end else None


@dataclass
class Bureau:
    """What the generator made, for the activity and the summary."""

    root: Branch
    admin: Member
    units: list[Branch]
    branches: list[Branch]
    people: list[Person]
    first: date
    today: date
    now: datetime


def china_moment(day: date, hour: int, minute: int = 0) -> datetime:
    """Return the aware moment of ``hour:minute`` China time on ``day``."""
    return datetime.combine(day, time(hour, minute), CHINA)


def china_day(material: Material) -> date:
    """The China day a material opened."""
    return to_china(material.opens_at).date()


def build_tree(
    admin: Member, root: Branch, count: int, rng: random.Random
) -> tuple[list[Branch], list[Branch]]:
    """Create 4 to 8 units and ``count`` branches spread unevenly over them."""
    units = [
        create_branch(admin, root, BranchKind.UNIT, f"U{i + 1:02d}", name, i + 1)
        for i, name in enumerate(UNITS[: min(count, 8, 4 + count // 75)])
    ]
    weights = [rng.uniform(0.5, 1.5) for _ in units]
    owners = list(range(len(units))) + rng.choices(range(len(units)), weights, k=count - len(units))
    leaves, order = [], [0] * len(units)
    for number, owner in enumerate(sorted(owners)):
        place, kind = PLACES[number % len(PLACES)], KINDS[number // len(PLACES) % len(KINDS)]
        extra = number // (len(PLACES) * len(KINDS))
        order[owner] += 1
        leaves.append(
            create_branch(
                admin,
                units[owner],
                BranchKind.BRANCH,
                f"B{number + 1:04d}",
                f"{place}{kind}{extra + 1 if extra else ''}党支部",
                order[owner],
            )
        )
    return units, leaves


def build_members(
    units: list[Branch],
    leaves: list[Branch],
    count: int,
    first: date,
    today: date,
    rng: random.Random,
) -> list[Person]:
    """Insert the members and their stays in bulk; return them as people."""
    sizes = [rng.uniform(0.4, 1.8) for _ in leaves]
    homes = rng.choices(range(len(leaves)), sizes, k=count)
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    shared = hash_password(BENCH_PASSWORD)
    organisers: dict[int, int] = {}  # unit index: index of its first branch
    for leaf_index, leaf in enumerate(leaves):
        organisers.setdefault(units.index(leaf.parent), leaf_index)
    rows, people, days = [], [], (today - first).days
    for number in range(count):
        home = homes[number]
        if number < len(organisers):  # one organiser per unit, in its first branch
            home = organisers[number]
        status = rng.choices(statuses, weights)[0]
        if number < len(organisers):
            status = PoliticalStatus.FULL
        police = rng.random() < 0.8  # 民警 log in with a police number, 辅警 with a phone
        joined = None
        if status == PoliticalStatus.PROBATIONARY:  # joined the party within the last year
            joined = today - timedelta(days=rng.randint(30, 330))
        elif status == PoliticalStatus.FULL:
            joined = today - timedelta(days=rng.randint(400, 12_000))
        row = dict(
            police_no=f"p{number + 1:06d}" if police else None,
            phone=None if police else f"138{number + 1:08d}",
            name=_name(rng),
            branch_id=leaves[home].id,
            political_status=status.value,
            joined_party_on=joined,
            is_active=True,
            role=Role.MEMBER.value,
            scope_branch_id=None,
            password_hash=shared,
            must_change_password=False,
        )
        if number < len(organisers):
            row |= dict(
                police_no=f"org{number + 1:02d}",
                role=Role.ORGANISER.value,
                scope_branch_id=units[number].id,
            )
        person = Person(0, status.value, _diligence(rng), rng.uniform(0.45, 0.98))
        person.stays = _history(rng, leaves, home, first, days, number < len(organisers))
        if person.stays[-1][2] is not None:
            row["is_active"] = False
        rows.append(row)
        people.append(person)
    ids = db.session.scalars(
        insert(Member).returning(Member.id, sort_by_parameter_order=True), rows
    ).all()
    for person, member_id in zip(people, ids, strict=True):
        person.id = member_id
    db.session.execute(
        insert(Membership),
        [
            dict(member_id=p.id, branch_id=b, started_on=s, ended_on=e)
            for p in people
            for b, s, e in p.stays
        ],
    )
    return people


def _diligence(rng: random.Random) -> float:
    return 0.0 if rng.random() < 0.08 else rng.betavariate(1.4, 2.2)


def _history(
    rng: random.Random, leaves: list[Branch], home: int, first: date, days: int, plain: bool
) -> list[tuple[int, date, date | None]]:
    """Return a member's stays: most stay put; some moved, left or joined during the year."""
    since = first - timedelta(days=rng.randint(30, 3650))
    branch = leaves[home].id
    roll = 1.0 if plain else rng.random()
    if roll < 0.06 and len(leaves) > 1:  # moved here during the year (组织关系转接)
        moved = first + timedelta(days=rng.randint(1, days - 1))
        before = rng.choice([leaf.id for leaf in leaves if leaf.id != branch])
        return [(before, since, moved), (branch, moved, None)]
    if roll < 0.09:  # left during the year: deactivated, counted where they were
        return [(branch, since, first + timedelta(days=rng.randint(1, days - 1)))]
    if roll < 0.10:  # left before the year: never eligible
        return [(branch, since - timedelta(days=400), first - timedelta(days=rng.randint(1, 300)))]
    if roll < 0.13:  # joined during the year
        return [(branch, first + timedelta(days=rng.randint(1, days - 1)), None)]
    return [(branch, since, None)]

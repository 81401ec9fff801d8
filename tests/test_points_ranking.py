"""Tier thresholds and the monthly ranking of branches by points per member."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from quizapp import db
from quizapp.members.models import Membership
from quizapp.points import queries as point_queries
from quizapp.points.rules import Thresholds, Tier
from tests.factories import add_points

YESTERDAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    "per_member,tier",
    [
        ("30.0", Tier.RED),
        ("29.9", Tier.YELLOW),
        ("15.0", Tier.YELLOW),
        ("14.9", Tier.BLUE),
        ("0.0", Tier.BLUE),
        ("120.5", Tier.RED),
    ],
)
def test_tiers_at_the_thresholds(per_member, tier):
    assert Thresholds(Decimal(30), Decimal(15)).tier(Decimal(per_member)) == tier


def _give(member, points, day=YESTERDAY):
    add_points(member, points, day)


NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
DEFAULT = Thresholds(Decimal(30), Decimal(15))


def _ranked(actor, period=NOVEMBER, thresholds=DEFAULT) -> dict:
    """The ranking's lines by branch code, in rank order."""
    return {line.branch.code: line for line in point_queries.ranking(actor, *period, thresholds)}


def test_branches_rank_by_points_per_member_not_totals(org, make_member):
    b11_people = [org.m1, org.org1] + [make_member(f"x{i}", org.b11) for i in range(4)]
    for member in b11_people:
        _give(member, 10)  # 60 points, 6 members: 10.0 each
    _give(make_member("y1", org.b12), 40)
    make_member("y2", org.b12)  # 40 points, 2 members: 20.0 each
    _give(org.m1, 99, day=date(2026, 10, 31))  # another month
    db.session.commit()
    lines = _ranked(org.org1, thresholds=Thresholds(Decimal(20), Decimal(10)))
    assert [
        (code, line.members, line.points, line.per_member, line.rank, line.tier)
        for code, line in lines.items()
    ] == [
        ("B12", 2, 40, Decimal("20.0"), 1, Tier.RED),  # exactly red_min: red
        ("B11", 6, 60, Decimal("10.0"), 2, Tier.YELLOW),  # exactly yellow_min: yellow
    ]
    # org2 sees only its own branch.
    assert list(_ranked(org.org2)) == ["B21"]


def test_a_member_who_moved_counts_in_their_last_branch_of_the_month(org, make_member):
    mover = make_member("mv", org.b11, since=date(2025, 1, 1))
    mover.memberships[0].ended_on = date(2026, 11, 10)
    mover.memberships.append(Membership(branch=org.b12, started_on=date(2026, 11, 10)))
    mover.branch = org.b12
    _give(mover, 12, day=date(2026, 11, 5))  # earned while still in B11
    db.session.commit()
    lines = _ranked(org.org1)
    assert (lines["B12"].members, lines["B12"].points) == (1, 12)
    assert (lines["B11"].members, lines["B11"].points) == (2, 0)  # org1 and m1
    # In October the mover was in B11.
    october = _ranked(org.org1, (date(2026, 10, 1), date(2026, 10, 31)))
    assert october["B11"].members == 3 and "B12" not in october


def test_top_members_per_branch_ties_by_name(org, make_member):
    for login, name, points in [
        ("a1", "丁一", 7),
        ("a2", "王五", 9),
        ("a3", "丁二", 9),
        ("a4", "张三", 9),
        ("a5", "李四", 0),
    ]:
        _give(make_member(login, org.b12, name=name), points)
    db.session.commit()
    lines = _ranked(org.org1)
    top = lines["B12"].top
    expected = sorted(["王五", "丁二", "张三"])
    assert [(p.name, p.points) for p in top] == [(name, 9) for name in expected]
    assert lines["B11"].top == []  # nobody with points: no candidates


def test_the_ranking_costs_the_same_for_more_members(org, make_member, queries):
    def statements_for_the_ranking() -> int:
        db.session.expire_all()
        with queries() as statements:
            _ranked(org.org1)
        return len(statements)

    few = statements_for_the_ranking()
    for i in range(10):
        _give(make_member(f"r{i}", org.b12 if i % 2 else org.b11), i + 1)
    db.session.commit()
    assert statements_for_the_ranking() == few <= 5  # with loading the actor and scope

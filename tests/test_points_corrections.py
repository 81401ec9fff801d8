"""Corrections to a member's points (补发, 扣减) and undoing them, on the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.clock import CHINA
from quizapp.errors import DomainError
from quizapp.points import corrections
from quizapp.points import queries as point_queries
from quizapp.points.models import PointEntry

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=CHINA)
TODAY = date(2026, 11, 21)
YESTERDAY = date(2026, 11, 20)


def entries(member=None) -> list[PointEntry]:
    db.session.expire_all()
    query = select(PointEntry).order_by(PointEntry.day, PointEntry.id)
    if member is not None:
        query = query.where(PointEntry.member_id == member.id)
    return list(db.session.scalars(query))


def _correction(
    org,
    kind="award",
    points=5,
    reason="线下登记遗漏",
    token="t" * 20,
    member=None,
    day=YESTERDAY,
    actor=None,
):
    return corrections.correct_points(
        actor or org.org1,
        member or org.m1,
        corrections.CorrectionData(kind, points, reason, day, token),
        NOW,
    )


def test_corrections_add_and_take_points_with_who_and_why(org):
    entry, written = _correction(org)
    deduct, _ = _correction(org, "deduct", 3, "重复计分", token="d" * 20)
    db.session.commit()
    assert written
    assert (entry.points, entry.rule, entry.created_by_id, entry.reason) == (
        5,
        "correction",
        org.org1.id,
        "线下登记遗漏",
    )
    assert (deduct.points, corrections.correction_label(deduct)) == (-3, "扣减")
    assert point_queries.member_sums(org.m1.id, date(2026, 11, 1), TODAY) == (2, 2)


def test_a_double_submit_writes_one_correction(org):
    _correction(org)
    again, written = _correction(org)
    db.session.commit()
    assert not written and again.points == 5
    assert len(entries(org.m1)) == 1


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"reason": "  "}, "请填写原因"),
        ({"reason": "长" * 201}, "不能超过 200 字"),
        ({"points": 0}, "分值应为"),
        ({"day": TODAY + timedelta(days=1)}, "不能晚于今天"),
        ({"kind": "deduct", "points": 1}, "扣减后总积分不能小于 0"),
        ({"token": "short"}, "表单已失效"),
    ],
)
def test_a_correction_must_be_valid(org, changes, message):
    with pytest.raises(DomainError, match=message):
        _correction(org, **changes)


def test_only_organisers_of_the_member_correct(org):
    with pytest.raises(DomainError):
        _correction(org, reason="越权", token="x" * 20, actor=org.org2)
    with pytest.raises(DomainError):
        _correction(org, reason="自己加分", token="y" * 20, actor=org.m1)
    with pytest.raises(DomainError, match="不能调整自己的积分"):
        _correction(org, reason="自己加分", token="z" * 20, actor=org.org1, member=org.org1)
    assert entries() == []


def test_a_correction_is_undone_once_by_a_reversing_entry(org):
    entry, _ = _correction(org)
    reversal = corrections.reverse_correction(org.org1, entry, NOW)
    db.session.commit()
    assert (reversal.points, reversal.day, reversal.source_key) == (
        -5,
        YESTERDAY,
        f"reversal:{entry.id}",
    )
    assert reversal.reason == "撤销 2026-11-20 的补发 5 分（原因：线下登记遗漏）"
    assert point_queries.reversed_ids([entry, reversal]) == {entry.id}
    with pytest.raises(DomainError, match="已经撤销过了"):
        corrections.reverse_correction(org.org1, entry, NOW)
    with pytest.raises(DomainError, match="只能撤销"):
        corrections.reverse_correction(org.org1, reversal, NOW)

"""Organisers' corrections to a member's points (补发, 扣减) and undoing them (撤销).

A correction is an entry of its own with the organiser's reason and name; nothing is ever
deleted or rewritten. A correction is undone by a reversing entry on the same day (so the
month it belongs to is put right), at most once. The form carries a one-time token that
becomes the entry's source key, so a double submit writes one entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from quizapp import access, db
from quizapp.clock import china_today, format_date
from quizapp.errors import DomainError
from quizapp.members.models import Member
from quizapp.points.models import PointEntry
from quizapp.points.rules import CORRECTION
from quizapp.points.services import write_entry

#: The most points one correction may add or take.
MAX_POINTS = 100
REASON_MAX = 200
#: How far back a correction may be dated (the months it changes are in the rankings).
MAX_DAYS_BACK = 366
KINDS = {"award": "补发", "deduct": "扣减"}
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class CorrectionData:
    """A correction as the organiser filled it in."""

    kind: str  # a key of KINDS
    points: int  # positive; ``kind`` gives the sign
    reason: str
    day: date
    #: The form's one-time token (becomes the source key).
    token: str


def correction_label(entry: PointEntry) -> str:
    """Return 补发 or 扣减 for a correction entry, by its sign."""
    return KINDS["award"] if entry.points >= 0 else KINDS["deduct"]


def is_reversal(entry: PointEntry) -> bool:
    """Tell whether ``entry`` undoes another correction."""
    return entry.source_key.startswith("reversal:")


def member_total(member: Member) -> int:
    """Return the member's points, all entries summed."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(PointEntry.points), 0)).where(
                PointEntry.member_id == member.id
            )
        )
    )


def may_correct(actor: Member, member: Member) -> bool:
    """Tell whether ``actor`` may correct ``member``'s points: someone else they manage."""
    return member.id != actor.id and access.can_manage_member(actor, member)


def _check_actor(actor: Member, member: Member) -> None:
    if member.id == actor.id:
        raise DomainError("不能调整自己的积分，请由上级管理员办理。")
    if not access.can_manage_member(actor, member):
        raise DomainError("您无权调整这名党员的积分。")


def _existing(source_key: str) -> PointEntry | None:
    return db.session.scalar(select(PointEntry).where(PointEntry.source_key == source_key))


def _write(entry: dict) -> tuple[PointEntry, bool]:
    """Write one entry unless its key exists (a submit in parallel won); return the stored
    one and whether this call wrote it."""
    written = write_entry(entry)
    return _existing(entry["source_key"]), written


def correct_points(
    actor: Member, member: Member, data: CorrectionData, now: datetime
) -> tuple[PointEntry, bool]:
    """Add a 补发 or 扣减 entry for ``member``; return it and whether this call wrote it.

    A second submit of the same form (same token) writes nothing and returns the first entry.
    """
    _check_actor(actor, member)
    if not TOKEN.match(data.token or ""):
        raise DomainError("表单已失效，请刷新页面后重新填写。")
    source_key = f"correction:{data.token}"
    earlier = _existing(source_key)
    if earlier is not None:
        if earlier.member_id != member.id:
            raise DomainError("表单已失效，请刷新页面后重新填写。")
        return earlier, False
    if data.kind not in KINDS:
        raise DomainError("请选择补发或扣减。")
    if not 1 <= data.points <= MAX_POINTS:
        raise DomainError(f"分值应为 1 至 {MAX_POINTS} 分。")
    reason = " ".join((data.reason or "").split())
    if not reason:
        raise DomainError("请填写原因。")
    if len(reason) > REASON_MAX:
        raise DomainError(f"原因不能超过 {REASON_MAX} 字。")
    today = china_today(now)
    if data.day > today:
        raise DomainError("日期不能晚于今天。")
    if data.day < today - timedelta(days=MAX_DAYS_BACK):
        raise DomainError("只能调整一年以内的积分。")
    points = data.points if data.kind == "award" else -data.points
    if points < 0 and member_total(member) + points < 0:
        raise DomainError(f"扣减后总积分不能小于 0（目前 {member_total(member)} 分）。")
    return _write(
        {
            "member_id": member.id,
            "day": data.day,
            "rule": CORRECTION,
            "points": points,
            "reason": reason,
            "source_key": source_key,
            "created_at": now,
            "created_by_id": actor.id,
        }
    )


def reverse_correction(actor: Member, entry: PointEntry, now: datetime) -> PointEntry:
    """Undo a correction with an entry of the opposite sign on the same day (once)."""
    member = entry.member
    _check_actor(actor, member)
    if entry.rule != CORRECTION or is_reversal(entry):
        raise DomainError("只能撤销管理员的补发或扣减记录。")
    source_key = f"reversal:{entry.id}"
    if _existing(source_key) is not None:
        raise DomainError("这条调整已经撤销过了。")
    reason = (
        f"撤销 {format_date(entry.day)} 的{correction_label(entry)} "
        f"{abs(entry.points)} 分（原因：{entry.reason}）"
    )
    if len(reason) > REASON_MAX:
        reason = reason[: REASON_MAX - 2] + "…）"
    reversal, written = _write(
        {
            "member_id": member.id,
            "day": entry.day,
            "rule": CORRECTION,
            "points": -entry.points,
            "reason": reason,
            "source_key": source_key,
            "created_at": now,
            "created_by_id": actor.id,
        }
    )
    if not written:
        raise DomainError("这条调整已经撤销过了。")
    return reversal

"""Honest study minutes: the server's clock decides what a heartbeat is worth.

The material page sends a heartbeat every ``STUDY_HEARTBEAT_SECONDS`` while it is visible
and the member was active in the last minute, plus one with ``navigator.sendBeacon`` on
leaving. A heartbeat is credited with the time since the member's last accepted heartbeat
on any material (so two tabs or two devices never count more than the wall clock), at most
``STUDY_MAX_CREDIT_SECONDS``, and nothing after a gap longer than ``STUDY_GAP_SECONDS`` (the
page was closed or the member idle). The seconds go to the China day the heartbeat arrives
on. A member gets at most ``STUDY_DAILY_CAP_MINUTES`` a China day.

Cost: one read (session, material, the member's last heartbeat and today's total, locking
the member's row on PostgreSQL) and one upsert. The upsert only adds seconds while the
member's latest heartbeat is still the one the read saw, so two simultaneous heartbeats
from two tabs cannot both be credited (SQLite runs writes one at a time).

Also the member's own totals the pages show (today, this week, a range of days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Date, Integer, bindparam, case, func, select, text

from quizapp import db, signing
from quizapp.auth.session_ref import SessionRef, valid_member
from quizapp.clock import china_today
from quizapp.db import UTCDateTime
from quizapp.errors import Closed, SessionInvalid, Stale
from quizapp.hot_sql import HotStatement
from quizapp.members.models import Member
from quizapp.study.models import Material, StudyMinute, is_open

TOKEN_SALT = "study-heartbeat"
#: A study token (issued with the material page) is good for this long.
TOKEN_MAX_AGE = 12 * 3600

_minutes = StudyMinute.__table__
_materials = Material.__table__
_members = Member.__table__


class StudyRefused(Stale):
    """The heartbeat can't be credited: the page is out of date (409, ``stale``)."""


class MaterialClosed(StudyRefused):
    """The material is unpublished or outside its window (409, ``closed``)."""

    code = Closed.code


@dataclass(frozen=True)
class Credit:
    """What one heartbeat earned, and the member's seconds today after it."""

    credited: int
    today_seconds: int


def settings() -> tuple[int, int, int, int]:
    """Return (heartbeat interval, max credit per beat, gap, daily cap) in seconds."""
    config = current_app.config
    return (
        config["STUDY_HEARTBEAT_SECONDS"],
        config["STUDY_MAX_CREDIT_SECONDS"],
        config["STUDY_GAP_SECONDS"],
        config["STUDY_DAILY_CAP_MINUTES"] * 60,
    )


def _serializer() -> URLSafeTimedSerializer:
    # One serializer per secret key: building one costs more than checking a token. The page
    # sends the same token with every beat: its signature is verified once (quizapp/signing).
    key = current_app.secret_key
    found = _serializers.get(key)
    if found is None:
        found = _serializers[key] = signing.serializer(key, salt=TOKEN_SALT)
    return found


_serializers: dict[str | bytes, URLSafeTimedSerializer] = {}


def issue_token(member_id: int, material: Material) -> str:
    """Sign "this member was shown this material as it stood": the page checked the audience
    and the window. The material's ``updated_at`` goes in, so editing it (its audience, say)
    ends every token issued before."""
    return _serializer().dumps([member_id, material.id, material.updated_at.timestamp()])


def read_token(token: str, member_id: int) -> tuple[int, float]:
    """Return (material id, material stamp) of a token issued to ``member_id``."""
    try:
        owner, material_id, stamp = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
        material_id, stamp = int(material_id), float(stamp)
    except (BadSignature, ValueError, TypeError) as exc:
        raise StudyRefused("学习页面已过期，请刷新页面后继续学习。") from exc
    if owner != member_id:
        raise StudyRefused("学习页面不属于当前账号，请刷新页面。")
    return material_id, stamp


def credit_for(last: datetime | None, now: datetime, today_seconds: int) -> int:
    """Seconds one heartbeat at ``now`` earns after the last accepted one at ``last``."""
    _interval, max_credit, gap, daily_cap = settings()
    if last is None:
        return 0
    elapsed = (now - last).total_seconds()
    if elapsed <= 0 or elapsed > gap:
        return 0
    # Rounded, not truncated: the clock restarts at every beat, so truncating would lose
    # a fraction of a second each time.
    return int(max(0, min(round(elapsed), max_credit, daily_cap - today_seconds)))


_READ = HotStatement(
    select(
        _materials.c.status,
        _materials.c.opens_at,
        _materials.c.closes_at,
        _materials.c.updated_at,
        select(func.max(_minutes.c.last_beat_at))
        .where(_minutes.c.member_id == _members.c.id, _minutes.c.day >= bindparam("yesterday"))
        .scalar_subquery()
        .label("last_beat_at"),
        select(func.coalesce(func.sum(_minutes.c.seconds), 0))
        .where(_minutes.c.member_id == _members.c.id, _minutes.c.day == bindparam("today"))
        .scalar_subquery()
        .label("today_seconds"),
    )
    .select_from(_members.join(_materials, _materials.c.id == bindparam("material_id")))
    .where(
        _members.c.id == bindparam("member_id"),
        _members.c.session_version == bindparam("version"),
        _members.c.is_active.is_(True),
        _members.c.must_change_password.is_(False),
    )
    .with_for_update(of=_members)
)


_UPSERT_SQL = """
INSERT INTO study_minutes (member_id, material_id, day, seconds, first_beat_at, last_beat_at)
SELECT :m, :mat, :day, :credit, :now, :now WHERE {guard}
ON CONFLICT (member_id, material_id, day)
DO UPDATE SET seconds = study_minutes.seconds + :credit, last_beat_at = :now WHERE {guard}
RETURNING seconds
"""
_LATEST = "(SELECT max(last_beat_at) FROM study_minutes WHERE member_id = :m AND day >= :since)"


def _upsert_statement(guard: str) -> HotStatement:
    # Plain SQL, the same on SQLite and PostgreSQL.
    statement = text(_UPSERT_SQL.format(guard=guard)).bindparams(
        bindparam("m", type_=Integer()),
        bindparam("mat", type_=Integer()),
        bindparam("day", type_=Date()),
        bindparam("since", type_=Date()),
        bindparam("credit", type_=Integer()),
        bindparam("now", type_=UTCDateTime()),
        *([bindparam("seen", type_=UTCDateTime())] if ":seen" in guard else []),
    )
    return HotStatement(statement.columns(seconds=Integer()))


#: The guarded upsert. It adds ``credit`` to the day's row only while the member's latest
#: beat is still the one the read saw (``seen``, or none at all): both the insert (first beat
#: on this material today) and the update carry that guard, so when two heartbeats race,
#: the second finds the first's beat and adds nothing.
_UPSERT_FIRST = _upsert_statement(f"{_LATEST} IS NULL")
_UPSERT_NEXT = _upsert_statement(f"{_LATEST} = :seen")


def record_heartbeat(
    ref: SessionRef,
    material_id: int,
    now: datetime,
    resume: bool = False,
    stamp: float | None = None,
) -> Credit:
    """Credit one heartbeat of ``ref``'s member on a material; two statements.

    A ``resume`` beat (the page opened, came back to the front, or the member became active
    again) credits nothing: it restarts the clock, so time away is never counted.
    """
    today = china_today(now)
    connection = db.session.connection()
    row = _READ.execute(
        connection,
        {
            "member_id": ref.member_id,
            "version": ref.version,
            "material_id": material_id,
            "today": today,
            "yesterday": today - timedelta(days=1),
        },
    ).first()
    if row is None:
        if db.session.scalar(select(func.count()).where(valid_member(ref))) == 0:
            raise SessionInvalid()
        raise StudyRefused("没有找到该学习资料。")
    open_ = is_open(row.status, row.opens_at, row.closes_at, now)
    if not open_:
        raise MaterialClosed("该学习资料已下线或不在开放时间内，本次学习时长不再累计。")
    if stamp is not None and abs(row.updated_at.timestamp() - stamp) > 1e-3:
        raise StudyRefused("学习资料已更新，请刷新页面后继续学习。")
    credit = 0 if resume else credit_for(row.last_beat_at, now, int(row.today_seconds))
    params = {
        "m": ref.member_id,
        "mat": material_id,
        "day": today,
        "since": today - timedelta(days=1),
        "credit": credit,
        "now": now,
    }
    if row.last_beat_at is not None:
        params["seen"] = row.last_beat_at
    upsert = _UPSERT_FIRST if row.last_beat_at is None else _UPSERT_NEXT
    result = upsert.execute(connection, params)
    if result.first() is None:
        credit = 0  # another heartbeat of the member was accepted in between: it counted
    return Credit(credited=credit, today_seconds=int(row.today_seconds) + credit)


def week_start(today: date) -> date:
    """Return the Monday of ``today``'s week (China weeks start on Monday)."""
    return today - timedelta(days=today.weekday())


def member_minutes_summary(member_id: int, today: date) -> tuple[int, int]:
    """Return the member's credited (today_seconds, week_seconds); ``today`` is a China day."""
    monday = week_start(today)
    today_seconds, week_seconds = db.session.execute(
        select(
            func.coalesce(
                func.sum(case((StudyMinute.day == today, StudyMinute.seconds), else_=0)), 0
            ),
            func.coalesce(func.sum(StudyMinute.seconds), 0),
        ).where(StudyMinute.member_id == member_id, StudyMinute.day.between(monday, today))
    ).one()
    return int(today_seconds), int(week_seconds)


def seconds_between(member_id: int, first: date, last: date) -> int:
    """Return the member's credited seconds over the China days [first, last]."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(StudyMinute.seconds), 0)).where(
                StudyMinute.member_id == member_id, StudyMinute.day.between(first, last)
            )
        )
    )


def duration(seconds: int) -> str:
    """Say a duration in Chinese, exactly: 25 分钟, 25 分 30 秒, 40 秒."""
    minutes, rest = divmod(int(seconds), 60)
    if not minutes:
        return f"{rest} 秒"
    return f"{minutes} 分钟" if not rest else f"{minutes} 分 {rest} 秒"

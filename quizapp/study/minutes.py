"""Honest study minutes: the server's clock decides what a heartbeat is worth.

The material page sends a heartbeat every ``STUDY_HEARTBEAT_SECONDS`` while it is visible
and the member was active in the last minute, plus one with ``navigator.sendBeacon`` on
leaving. A heartbeat is credited with the time since the member's last accepted heartbeat
on any material (so two tabs or two devices never count more than the wall clock), at most
``STUDY_MAX_CREDIT_SECONDS``, and nothing after a gap longer than ``STUDY_GAP_SECONDS`` (the
page was closed or the member idle). The seconds go to the China day the heartbeat arrives
on. A member gets at most ``STUDY_DAILY_CAP_MINUTES`` a China day.

Cost: one read (session, material, the member's study clock and today's total) and one
write. The write moves the member's clock (``study_clocks``) from the time the read saw to
this heartbeat's, a compare and set, and adds the seconds only when the clock moved, so of
two simultaneous heartbeats from two tabs only one is credited, and nothing is held between
the read and the write. On PostgreSQL the write is one statement and both run in autocommit
(``db.standalone_connection``): two round trips, no BEGIN or COMMIT. On SQLite it is two
statements in the request's transaction. What the read checked besides the clock (the
session, the material's window) is not checked again by the write: a logout or a close a
moment after the read lets that one beat through, as if it had come a moment earlier. The
clock, which decides what a beat is worth, is.

The member's own totals the pages show are in study/totals.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Date, Integer, bindparam, func, select, text

from quizapp import db, signing
from quizapp.auth.session_ref import SessionRef, valid_member
from quizapp.clock import china_today
from quizapp.db import UTCDateTime
from quizapp.errors import Closed, SessionInvalid, Stale
from quizapp.hot_sql import HotStatement
from quizapp.members.models import Member
from quizapp.study.models import Material, StudyClock, StudyMinute, is_open

TOKEN_SALT = "study-heartbeat"
#: A study token (issued with the material page) is good for this long.
TOKEN_MAX_AGE = 12 * 3600

_minutes = StudyMinute.__table__
_materials = Material.__table__
_members = Member.__table__
_clocks = StudyClock.__table__


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
        select(_clocks.c.last_beat_at)
        .where(_clocks.c.member_id == _members.c.id)
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
)

#: The clock's compare and set: it moves from the time the read saw (``seen``) to ``now``,
#: or is created by the member's first heartbeat; a row comes back only when it moved.
_CLOCK_FIRST = (
    "INSERT INTO study_clocks (member_id, last_beat_at) VALUES (:m, :now) "
    "ON CONFLICT (member_id) DO NOTHING RETURNING member_id"
)
_CLOCK_NEXT = (
    "INSERT INTO study_clocks (member_id, last_beat_at) VALUES (:m, :now) "
    "ON CONFLICT (member_id) DO UPDATE SET last_beat_at = excluded.last_beat_at "
    "WHERE study_clocks.last_beat_at = :seen RETURNING member_id"
)
_ADD_SECONDS = """
INSERT INTO study_minutes (member_id, material_id, day, seconds, first_beat_at, last_beat_at)
{source}
ON CONFLICT (member_id, material_id, day)
DO UPDATE SET seconds = study_minutes.seconds + excluded.seconds, last_beat_at = excluded.last_beat_at
RETURNING seconds
"""


def _statement(sql: str, returns: str) -> HotStatement:
    # Plain SQL, the same on SQLite and PostgreSQL.
    statement = text(sql).bindparams(
        *(
            bindparam(name, type_=type_)
            for name, type_ in _PARAMETER_TYPES.items()
            if f":{name}" in sql
        )
    )
    return HotStatement(statement.columns(**{returns: Integer()}))


_PARAMETER_TYPES = {
    "m": Integer(),
    "mat": Integer(),
    "day": Date(),
    "credit": Integer(),
    "now": UTCDateTime(),
    "seen": UTCDateTime(),
}
_VALUES = "VALUES (:m, :mat, :day, :credit, :now, :now)"
#: SQLite: the clock, then the seconds, in the request's transaction (SQLite runs writes one
#: at a time, and BEGIN and COMMIT cost no round trip).
_MOVE_CLOCK = {
    False: _statement(_CLOCK_FIRST, "member_id"),
    True: _statement(_CLOCK_NEXT, "member_id"),
}
_ADD = _statement(_ADD_SECONDS.format(source=_VALUES), "seconds")
#: PostgreSQL: both in one statement, which adds the seconds only when the clock moved; it
#: runs in autocommit (db.standalone_connection), one round trip. Its transaction commits
#: without waiting for the WAL flush (``synchronous_commit`` off for this transaction alone,
#: ``set_config(…, true)``): a crash of the database server may lose the beats of its last
#: fraction of a second (at most three times ``wal_writer_delay``, 0.6 s by default), never
#: anything else, and the database stays consistent. A lost beat is at most 40 s of credit;
#: waiting for the flush held the heartbeat at 0.27 of /healthz against 0.36 without
#: (docs/benchmarks.md).
_MOVE_CLOCK_AND_ADD = {
    seen: _statement(
        f"WITH beat AS ({clock}),\n"
        "quick AS (SELECT set_config('synchronous_commit', 'off', true))\n"
        + _ADD_SECONDS.format(source="SELECT :m, :mat, :day, :credit, :now, :now FROM beat, quick"),
        "seconds",
    )
    for seen, clock in ((False, _CLOCK_FIRST), (True, _CLOCK_NEXT))
}


def record_heartbeat(
    ref: SessionRef,
    material_id: int,
    now: datetime,
    resume: bool = False,
    stamp: float | None = None,
) -> Credit:
    """Credit one heartbeat of ``ref``'s member on a material (the module says at what cost).

    A ``resume`` beat (the page opened, came back to the front, or the member became active
    again) credits nothing: it restarts the clock, so time away is never counted.
    """
    today = china_today(now)
    connection = db.standalone_connection()
    row = _READ.execute(
        connection,
        {
            "member_id": ref.member_id,
            "version": ref.version,
            "material_id": material_id,
            "today": today,
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
    params = {"m": ref.member_id, "mat": material_id, "day": today, "credit": credit, "now": now}
    seen = row.last_beat_at is not None
    if seen:
        params["seen"] = row.last_beat_at
    if connection.dialect.name == "postgresql":
        moved = _MOVE_CLOCK_AND_ADD[seen].execute(connection, params).first() is not None
    else:
        moved = _MOVE_CLOCK[seen].execute(connection, params).first() is not None
        if moved:
            _ADD.execute(connection, params)
    if not moved:
        credit = 0  # another heartbeat of the member was accepted in between: it counted
    return Credit(credited=credit, today_seconds=int(row.today_seconds) + credit)

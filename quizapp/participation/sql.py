"""Two SQL pieces the participation queries need on both SQLite and PostgreSQL: a list of
member ids as one bound parameter, and the China calendar day of a stored UTC moment."""

from __future__ import annotations

import json

from sqlalchemy import Date, Integer, Select, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from quizapp import db


def member_ids(ids: list[int]) -> Select:
    """Select the given member ids, sent as one bound parameter.

    Every grouped query filters on the eligible members. Repeating the eligible query inside
    each of them cost more than the rest of a report of ten thousand members, and a bound
    parameter per member is no better (SQLite's limit; a statement compiled per count). One
    JSON array (SQLite's ``json_each``) or one integer array (PostgreSQL's ``unnest``) is a
    single parameter whatever the number of members, so the statements stay cached.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return select(func.unnest(bindparam("member_ids", ids, type_=ARRAY(Integer))))
    values = func.json_each(bindparam("member_ids", json.dumps(ids))).table_valued("value")
    return select(values.c.value)


class china_day(FunctionElement):
    """The China calendar day of a stored UTC moment, in SQL."""

    type = Date()
    name = "china_day"
    inherit_cache = True


@compiles(china_day, "sqlite")
def _china_day_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps naive UTC text; China has kept UTC+8 without daylight saving since 1991.
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(china_day, "postgresql")
def _china_day_postgresql(element, compiler, **kw) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(({moment}) AT TIME ZONE 'Asia/Shanghai' AS DATE)"

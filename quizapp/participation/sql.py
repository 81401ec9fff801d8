"""The SQL piece the participation queries need on both SQLite and PostgreSQL: a list of
member ids as one bound parameter."""

from __future__ import annotations

import json

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

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

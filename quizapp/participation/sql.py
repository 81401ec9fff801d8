"""The SQL pieces the participation queries need on both SQLite and PostgreSQL: a list of
member ids as one bound parameter, and a member filter that leaves the choice of index to
the period."""

from __future__ import annotations

import json

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, select
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


def in_members(member_id: ColumnElement[int], members: Select) -> ColumnElement[bool]:
    """Keep the rows of the given members, checked on each row the period's index found.

    For tables read through a period's index (offline attendance, by its sessions'
    ``held_on``): given the member filter on an indexed column, SQLite reads every eligible
    member's rows of all time and only then drops those outside the period. On the
    benchmark bureau a campaign's two months of attendance took 0.086 s that way and
    0.028 s by the period (one unit's organiser: 0.003 s against 0.004 s). ``member_id + 0``
    is the same value, but no index serves it, so the period's index leads.
    """
    return (member_id + 0).in_(members)

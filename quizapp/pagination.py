"""One pagination helper for every list page, and what a list page's query string asks
for: the page number and the value of each filter."""

from __future__ import annotations

import math
from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from quizapp import db


@dataclass
class Page:
    """One page of results and where it sits among the others."""

    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query: Select, number: int, per_page: int) -> Page:
    """Run ``query`` for page ``number`` (1-based, clamped) and count the total."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, number), pages)
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, number=number, per_page=per_page, total=total)


def page_of(rows: list[Any], number: int, per_page: int) -> Page:
    """Return page ``number`` (1-based, clamped) of rows already in memory."""
    pages = max(1, math.ceil(len(rows) / per_page))
    number = min(max(1, number), pages)
    return Page(
        items=rows[(number - 1) * per_page : number * per_page],
        number=number,
        per_page=per_page,
        total=len(rows),
    )


def page_number(param: str = "page") -> int:
    """Return the page number the query string asks for (``?page=``), 1 when it names none."""
    return request.args.get(param, 1, type=int)


def filter_value(name: str, allowed: Container[str], default: str) -> str:
    """Return the value the query string gives filter ``name`` when it is one of ``allowed``,
    else ``default``."""
    value = request.args.get(name, default)
    return value if value in allowed else default

"""One pagination helper for every list page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

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

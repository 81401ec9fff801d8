"""CSV for Excel: UTF-8 with a BOM, values written as the .xlsx shows them, texts guarded.

A CSV has no types: Excel parses every cell as if typed, so a text such as "=1+1" would run.
Every text gets the formula guard (:func:`~quizapp.spreadsheets.formulas.neutralise`);
booleans become 是/否 and datetimes China time, as :func:`~.writing.cell_value` does for the
.xlsx, so both files of an export read alike.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from quizapp.clock import to_china
from quizapp.spreadsheets.formulas import neutralise
from quizapp.spreadsheets.writing import Column

T = TypeVar("T")


def csv_value(value: Any) -> Any:
    """Return a value as CSV text shows it, as the .xlsx does: 是/否, China time, safe texts."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return f"{to_china(value):%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def csv_table(columns: Sequence[Column[T]], rows: Iterable[T]) -> list[list[Any]]:
    """Return the header line and one line of values per row, for :func:`csv_bytes`."""
    getters = [column.value for column in columns]
    return [
        [column.header for column in columns],
        *([get(row) for get in getters] for row in rows),
    ]


def csv_bytes(lines: Iterable[Sequence[Any]]) -> bytes:
    """Return lines as CSV in UTF-8 with a BOM (so Excel detects it), values by :func:`csv_value`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in lines:
        writer.writerow(["" if (safe := csv_value(value)) is None else safe for value in line])
    return buffer.getvalue().encode("utf-8-sig")

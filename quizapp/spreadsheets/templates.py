"""Import templates: a sheet to fill in (header, text columns, drop-down lists) and 填写说明.

The roster and the question bank offer one each; the bank's export is its template with the
questions filled in, so that it can be edited and imported again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from quizapp.spreadsheets.writing import Book, Column

T = TypeVar("T")

#: Widths of the 填写说明 sheet's first two columns (列名, 是否必填).
NOTES_WIDTHS = (14, 20)


@dataclass(frozen=True)
class Notes:
    """The 填写说明 sheet: each column explained, the rules of the import, examples."""

    #: (列名, 是否必填, 填写说明) for each column.
    columns: list[tuple[str, str, str]]
    rules: list[str]
    #: Rows written in the template's columns under the template's header.
    examples: list[Any]
    #: Width of the 填写说明 column.
    width: int


def choice(header: str, values: Sequence[str]) -> dict[str, Any]:
    """Return a drop-down list for a column: only ``values`` may be typed into it."""
    return {
        "validate": "list",
        "source": list(values),
        "error_title": "请从列表中选择",
        "error_message": f"{header}只能填写：{'、'.join(values)}",
    }


def whole_number(low: int, high: int, title: str, message: str) -> dict[str, Any]:
    """Return a check that a column holds whole numbers from ``low`` to ``high``."""
    return {
        "validate": "integer",
        "criteria": "between",
        "minimum": low,
        "maximum": high,
        "error_title": title,
        "error_message": message,
    }


def template_xlsx(
    title: str,
    columns: Sequence[Column[T]],
    rows: Iterable[T],
    *,
    checks: dict[str, dict[str, Any]],
    notes: Notes,
    max_rows: int,
) -> bytes:
    """Return a template as .xlsx bytes: the sheet ``title`` (header and ``rows``), then 填写说明.

    ``checks`` maps a header to the data validation (:func:`choice`, :func:`whole_number`)
    of its column, on the ``max_rows`` rows under the header.
    """
    book = Book()
    sheet = book.add_sheet(title, columns, rows)
    headers = [column.header for column in columns]
    for header, check in checks.items():
        position = headers.index(header)
        sheet.data_validation(1, position, max_rows, position, check)
    _write_notes(book, title, columns, notes)
    return book.to_bytes()


def _write_notes(book: Book, title: str, columns: Sequence[Column[T]], notes: Notes) -> None:
    """Write the 填写说明 sheet: the columns, the rules, then the examples under a header."""
    sheet = book.workbook.add_worksheet("填写说明")
    sheet.set_column(0, 0, NOTES_WIDTHS[0])
    sheet.set_column(1, 1, NOTES_WIDTHS[1])
    sheet.set_column(2, 2, notes.width)
    for position, text in enumerate(("列名", "是否必填", "填写说明")):
        book.write(sheet, 0, position, text, bold=True)
    row = 1
    for name, required, text in notes.columns:
        book.write(sheet, row, 0, name)
        book.write(sheet, row, 1, required)
        book.write(sheet, row, 2, text, wrap=True)
        row += 1
    book.write(sheet, row + 1, 0, "导入规则", bold=True)
    row += 2
    for rule in notes.rules:
        book.write(sheet, row, 0, rule)
        row += 1
    book.write(sheet, row + 1, 0, f"示例（请在「{title}」工作表中填写，不要填在本页）", bold=True)
    row += 2
    for position, column in enumerate(columns):
        book.write(sheet, row, position, column.header, bold=True)
    for example in notes.examples:
        row += 1
        for position, column in enumerate(columns):
            book.write(sheet, row, position, column.value(example))

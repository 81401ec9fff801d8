"""Writing tables: the house style of every .xlsx (with XlsxWriter), and CSV for Excel.

A sheet is written from columns and rows. A :class:`Column` says once what it holds: its
header, how to take its value from a row, its width and its number format; a row is any
object (a member, a report line, a pair of texts). Every sheet gets a bold, shaded, frozen
header, the widths and formats, and every text cleaned of what XML refuses. Texts are written
as strings, so a name such as "=cmd()" shows as typed and never runs; only the CSV, which
has no types, puts the formula guard (:func:`~quizapp.spreadsheets.formulas.neutralise`)
before such a text.

Each value is written by its type (``write_string``, ``write_number``, ``write_datetime``)
and the workbook is told never to turn a text into a formula, a number or a link, so
"=..." or "0123" stay texts. XlsxWriter writes the 96,000 cells of a 10,000-member sheet in
about 0.6 s, where openpyxl (an object built and serialised per cell) took 1.2-1.9 s (see
docs/benchmarks.md); it also writes the native charts the exports need
(``book.workbook.add_chart``, then ``insert_chart`` on the sheet :meth:`Book.add_sheet`
returned). The workbook is built in memory (``constant_memory`` doesn't combine with
``in_memory`` and leaves charts without cached data), every cell an object until the book
is closed: the cyclic garbage collector, whose passes over them took a quarter of a member
sheet's CPU, is paused while rows are written (nothing written forms a cycle).
"""

from __future__ import annotations

import gc
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, NamedTuple, TypeVar

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from quizapp.spreadsheets.cells import YES_NO, CleanTexts, cell_value, display_width

T = TypeVar("T")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = "0.0%"
DATETIME = "yyyy-mm-dd hh:mm:ss"
DATE = "yyyy-mm-dd"
#: Excel's text format: what people type into such a column stays as typed (001, 1921).
TEXT = "@"
#: Characters Windows, macOS or Linux refuse (or mishandle) in a file name.
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')

HEADER_STYLE = {
    "bold": True,
    "bg_color": "#FDE9E7",
    "pattern": 1,
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
}
#: Options of every workbook: texts stay texts, and the file is built in memory.
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


@dataclass(frozen=True)
class Column(Generic[T]):
    """A column of a table: its header, its value in a row, width (in characters), format.

    ``number_format`` applies to the numbers and dates of the column; :data:`TEXT` makes the
    whole column a text column, for what people will type into a template.
    """

    header: str
    value: Callable[[T], Any]
    width: int = 10
    number_format: str | None = None


class Style(NamedTuple):
    """How a row looks: bold (a total), its first cell indented (a level of a tree)."""

    bold: bool = False
    indent: int = 0


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees what is dropped)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Book:
    """An .xlsx workbook written sheet by sheet: :meth:`add_sheet`, then :meth:`to_bytes`."""

    def __init__(self) -> None:
        self._file = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self._file, WORKBOOK_OPTIONS)
        self._header = self.workbook.add_format(HEADER_STYLE)
        self._formats: dict[tuple, Format | None] = {}
        self._texts = CleanTexts()

    def add_sheet(
        self,
        title: str,
        columns: Sequence[Column[T]],
        rows: Iterable[T],
        *,
        style: Callable[[T], Style] | None = None,
        wrap: bool = False,
        autofilter: bool = False,
    ) -> Worksheet:
        """Add a sheet: bold frozen header, widths, formats, clean texts; return it.

        ``style`` gives each row its :class:`Style`. With ``autofilter`` the header gets
        Excel's filter buttons. Charts may be inserted in the sheet until saving.
        """
        sheet = self.workbook.add_worksheet(title)
        lines = 1
        for position, column in enumerate(columns):
            text = self._format(TEXT, False, False, 0) if column.number_format == TEXT else None
            sheet.set_column(position, position, column.width, text)
            header = cell_value(column.header)
            if header is None:
                sheet.write_blank(0, position, None, self._header)
            else:
                sheet.write_string(0, position, header, self._header)
            lines = max(lines, math.ceil(display_width(column.header) / max(1, column.width - 1)))
        sheet.freeze_panes(1, 0)
        if lines > 1:  # wrapped headings: Excel keeps a written row's height as it is
            sheet.set_row(0, 15 * lines + 3)
        with _collector_paused():
            count = self._write_rows(sheet, columns, rows, style, wrap)
        if autofilter and columns:
            sheet.autofilter(0, 0, count, len(columns) - 1)
        return sheet

    def write(
        self,
        sheet: Worksheet,
        row: int,
        position: int,
        value: Any,
        *,
        bold: bool = False,
        wrap: bool = False,
    ) -> None:
        """Write one value in a cell (rows and columns count from 0), by its type."""
        self._write_other(sheet, row, position, cell_value(value), (None, bold, wrap, 0))

    def to_bytes(self) -> bytes:
        """Return the finished workbook as .xlsx bytes (the book is closed: call it once)."""
        self.workbook.close()
        return self._file.getvalue()

    def _write_rows(
        self,
        sheet: Worksheet,
        columns: Sequence[Column[T]],
        rows: Iterable[T],
        style: Callable[[T], Style] | None,
        wrap: bool,
    ) -> int:
        """Write the data rows from the second row on; return how many there are.

        Texts, plain numbers and 是/否, nearly every cell, take the short way, with the
        formats of a kind of row (plain, or bold and indented so) looked up once and each
        distinct text cleaned once per workbook (a member sheet repeats its branches, units
        and statuses on every line).
        """
        getters = list(enumerate(column.value for column in columns))
        cleaned = self._texts
        kind = Style()
        kinds = {kind: self._row_formats(columns, False, wrap, 0)}
        texts, numbers = kinds[kind]
        number = 0
        for number, row in enumerate(rows, start=1):
            if style is not None:
                kind = style(row)
                if kind not in kinds:
                    kinds[kind] = self._row_formats(columns, kind.bold, wrap, kind.indent)
                texts, numbers = kinds[kind]
            for position, get in getters:
                raw = get(row)
                of = type(raw)
                if of is str:
                    value = cleaned[raw]
                    if value is not None:
                        sheet.write_string(number, position, value, texts[position])
                elif of is int or of is float:
                    if math.isfinite(raw):
                        sheet.write_number(number, position, raw, numbers[position])
                elif of is bool:
                    sheet.write_string(number, position, YES_NO[raw], texts[position])
                elif raw is not None:
                    self._write_other(
                        sheet,
                        number,
                        position,
                        cell_value(raw),
                        (
                            columns[position].number_format,
                            kind.bold,
                            wrap,
                            kind.indent if position == 0 else 0,
                        ),
                    )
        return number

    def _write_other(
        self,
        sheet: Worksheet,
        row: int,
        position: int,
        value: Any,
        style: tuple[str | None, bool, bool, int],
    ) -> None:
        """Write any other cell (是/否, a date, a decimal...), ``style`` as :meth:`_format`'s."""
        number_format, bold, wrap, indent = style
        if value is None:
            return
        if isinstance(value, str):
            sheet.write_string(row, position, value, self._format(None, bold, wrap, indent))
        elif isinstance(value, int | float | Decimal):
            if math.isfinite(value):
                sheet.write_number(row, position, float(value), self._format(*style))
        elif isinstance(value, datetime | date):
            number_format = number_format or (DATETIME if isinstance(value, datetime) else DATE)
            sheet.write_datetime(
                row, position, value, self._format(number_format, bold, wrap, indent)
            )
        else:  # anything else is shown as its text
            self._write_other(sheet, row, position, cell_value(str(value)), style)

    def _row_formats(
        self, columns: Sequence[Column], bold: bool, wrap: bool, indent: int
    ) -> tuple[list[Format | None], list[Format | None]]:
        """Return the formats of a kind of row's texts and numbers, column by column."""
        texts = [
            self._format(None, bold, wrap, indent if position == 0 else 0)
            for position in range(len(columns))
        ]
        numbers = [
            self._format(column.number_format, bold, wrap, indent if position == 0 else 0)
            for position, column in enumerate(columns)
        ]
        return texts, numbers

    def _format(
        self, number_format: str | None, bold: bool, wrap: bool, indent: int
    ) -> Format | None:
        """Return the workbook's format for a cell style, adding it on first use."""
        key = (number_format, bold, wrap, indent)
        try:
            return self._formats[key]
        except KeyError:
            pass
        properties: dict[str, Any] = {}
        if number_format:
            properties["num_format"] = number_format
        if bold:
            properties["bold"] = True
        if wrap:
            properties.update(text_wrap=True, valign="top")
        if indent:
            properties["indent"] = indent
        made = self.workbook.add_format(properties) if properties else None
        self._formats[key] = made
        return made

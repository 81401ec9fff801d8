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
returned). The workbook is built in memory: XlsxWriter's ``constant_memory`` mode does not
combine with ``in_memory``, and would leave charts without their cached data.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, NamedTuple, TypeVar

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from quizapp.clock import to_china
from quizapp.spreadsheets.formulas import CONTROL_CHARACTERS, clean

T = TypeVar("T")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = "0.0%"
DATETIME = "yyyy-mm-dd hh:mm:ss"
DATE = "yyyy-mm-dd"
#: Excel's text format: what people type into such a column stays as typed (001, 1921).
TEXT = "@"
#: Characters Windows, macOS or Linux refuse (or mishandle) in a file name.
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
#: Characters XML 1.0 refuses that :func:`clean` (which removes the control
#: characters) leaves in: the non-characters U+FFFE and U+FFFF and lone surrogates.
NOT_IN_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")
#: A text with neither a character to take out nor a leading apostrophe goes as it is.
NEEDS_CLEANING = re.compile(f"{CONTROL_CHARACTERS.pattern}|{NOT_IN_XML.pattern}|^'")

#: How a cell shows a bool.
YES_NO = {True: "是", False: "否"}

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


def cell_value(value: Any) -> Any:
    """Return a value as an .xlsx cell holds it: 是/否, China time without zone, clean texts.

    Texts keep a leading "=": they are written as strings, never as formulas.
    """
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, datetime):
        return to_china(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, str):
        if value and not NEEDS_CLEANING.search(value):
            return value
        value = NOT_IN_XML.sub("", value)
    return clean(value)


class _CleanTexts(dict[str, str | None]):
    """Texts as :func:`cell_value` makes them, each worked out on its first lookup."""

    def __missing__(self, text: str) -> str | None:
        value = self[text] = cell_value(text)
        return value


def display_width(text: str) -> int:
    """Return the width of a text in Excel's column units (CJK characters count double)."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


class Book:
    """An .xlsx workbook written sheet by sheet: :meth:`add_sheet`, then :meth:`to_bytes`."""

    def __init__(self) -> None:
        self._file = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self._file, WORKBOOK_OPTIONS)
        self._header = self.workbook.add_format(HEADER_STYLE)
        self._formats: dict[tuple, Format | None] = {}
        self._texts = _CleanTexts()

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

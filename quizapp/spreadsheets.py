"""The house style of every .xlsx export, and a writer fast enough for ten thousand rows.

A sheet is written from (columns, rows): a bold, shaded, frozen header, column widths and
number formats, and every text passed through :func:`quizapp.bank.exports.neutralise`, so a
name such as "=cmd()" stays text in Excel and WPS instead of running as a formula.

openpyxl builds and serialises an object per cell, about 12 µs each: a member sheet of
10,000 rows took a second and a half. So openpyxl writes the workbook's structure (header
rows, widths, panes, filters, styles, charts), and :class:`Book` writes the data rows as
sheet XML directly (inline strings; the style of a cell is registered through openpyxl,
which gives its id), adding them to each sheet's part of the saved file.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from quizapp.bank.exports import neutralise
from quizapp.clock import to_china

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = "0.0%"
DATETIME = "yyyy-mm-dd hh:mm:ss"
DATE = "yyyy-mm-dd"
#: Characters Windows, macOS or Linux refuse (or mishandle) in a file name.
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FDE9E7")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
END_OF_ROWS = b"</sheetData>"


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header, width (in characters) and number format."""

    header: str
    width: int
    number_format: str | None = None


@dataclass(frozen=True)
class Styled:
    """A row that looks different: bold (a total), its first cell indented (a tree)."""

    values: list[Any]
    bold: bool = False
    indent: int = 0


def cell_value(value: Any) -> Any:
    """Return a value as a cell holds it: 是/否, China time without zone, safe texts."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return to_china(value).replace(tzinfo=None)  # Excel has no time zones
    return neutralise(value)


def display_width(text: str) -> int:
    """Return the width of a text in Excel's column units (CJK characters count double)."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


class Book:
    """An .xlsx workbook written sheet by sheet: :meth:`add_sheet`, then :meth:`to_bytes`."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)
        self._rows: list[tuple[WriteOnlyWorksheet, str]] = []
        self._styles: dict[tuple, int] = {}

    def add_sheet(self, title: str, columns: list[Column], rows: Iterable[list[Any] | Styled],
                  *, wrap: bool = False, autofilter: bool = False) -> WriteOnlyWorksheet:
        """Add a sheet: bold frozen header, widths, formats, neutralised texts; return it.

        ``rows`` may hold :class:`Styled` rows among plain lists. With ``autofilter`` the
        header gets Excel's filter buttons. Charts may be added to the sheet until saving.
        """
        sheet = self.workbook.create_sheet(title)
        for position, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(position)].width = column.width
        sheet.freeze_panes = "A2"
        lines = max((math.ceil(display_width(column.header) / max(1, column.width - 1))
                     for column in columns), default=1)
        if lines > 1:  # wrapped headings: Excel keeps a written row's height as it is
            sheet.row_dimensions[1].height = 15 * lines + 3
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, column.header)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
            header.append(cell)
        sheet.append(header)
        xml, count = self._rows_xml(sheet, columns, rows, wrap)
        if autofilter:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
        self._rows.append((sheet, xml))
        return sheet

    def to_bytes(self) -> bytes:
        """Return the finished workbook as .xlsx bytes."""
        saved = io.BytesIO()
        self.workbook.save(saved)
        rows = {sheet.path.lstrip("/"): xml for sheet, xml in self._rows if xml}
        finished = io.BytesIO()
        with (zipfile.ZipFile(saved) as source,
              zipfile.ZipFile(finished, "w", zipfile.ZIP_DEFLATED) as target):
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename in rows:
                    head, tail = data.rsplit(END_OF_ROWS, 1)
                    data = head + rows[item.filename].encode() + END_OF_ROWS + tail
                target.writestr(item, data, zipfile.ZIP_DEFLATED)
        return finished.getvalue()

    def _rows_xml(self, sheet: WriteOnlyWorksheet, columns: list[Column],
                  rows: Iterable[list[Any] | Styled], wrap: bool) -> tuple[str, int]:
        """Return the data rows as sheet XML (from row 2) and how many there are."""
        letters = [get_column_letter(position) for position in range(1, len(columns) + 1)]
        formats = [column.number_format for column in columns]
        out, number = [], 1
        for number, row in enumerate(rows, start=2):
            styled = row if isinstance(row, Styled) else None
            values = styled.values if styled is not None else row
            cells = []
            for position, raw in enumerate(values[:len(columns)]):
                value = cell_value(raw)
                if value is None or (isinstance(value, float) and not math.isfinite(value)):
                    continue
                number_format = formats[position]
                if isinstance(value, datetime | date):
                    number_format = number_format or (
                        DATETIME if isinstance(value, datetime) else DATE)
                    value = to_excel(value)
                elif isinstance(value, str):
                    number_format = None
                bold = styled is not None and styled.bold
                indent = styled.indent if styled is not None and position == 0 else 0
                style = (self._style(sheet, number_format, bold, wrap, indent)
                         if number_format or bold or wrap or indent else 0)
                attrs = f'r="{letters[position]}{number}"' + (f' s="{style}"' if style else "")
                if isinstance(value, str):
                    space = ' xml:space="preserve"' if value != value.strip() else ""
                    cells.append(f'<c {attrs} t="inlineStr"><is><t{space}>{escape(value)}'
                                 "</t></is></c>")
                else:
                    cells.append(f"<c {attrs}><v>{value!r}</v></c>")
            out.append(f'<row r="{number}">{"".join(cells)}</row>')
        return "".join(out), number - 1

    def _style(self, sheet: WriteOnlyWorksheet, number_format: str | None, bold: bool,
               wrap: bool, indent: int) -> int:
        """Return the workbook's id of a cell style, registering it on first use."""
        key = (number_format, bold, wrap, indent)
        if key not in self._styles:
            probe = WriteOnlyCell(sheet)
            if number_format:
                probe.number_format = number_format
            if bold:
                probe.font = Font(bold=True)
            if wrap or indent:
                probe.alignment = (Alignment(wrap_text=True, vertical="top") if wrap
                                   else Alignment(indent=indent))
            self._styles[key] = probe.style_id
        return self._styles[key]

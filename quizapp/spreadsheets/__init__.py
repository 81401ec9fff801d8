"""Spreadsheets: reading uploaded tables and writing exports, below every feature.

- :mod:`.reading`: the first sheet of an uploaded .xlsx or a .csv, row by row, with the
  zip-bomb guard, encoding sniffing, the header row found, rows numbered as Excel shows them.
- :mod:`.writing`: the house style of every .xlsx (XlsxWriter), columns declared once as
  (header, value); :mod:`.cells`: what a value becomes in a cell.
- :mod:`.csv_files`: CSV with a BOM, values as the .xlsx shows them, texts formula-guarded.
- :mod:`.formulas`: the formula guard the CSV exports put on texts and the readers take off.
- :mod:`.templates`: import templates (a sheet to fill in, drop-down lists, 填写说明).

This package imports no feature package: features import it.
"""

from quizapp.spreadsheets.cells import cell_value, display_width
from quizapp.spreadsheets.csv_files import csv_bytes, csv_table, csv_value
from quizapp.spreadsheets.formulas import clean, neutralise, unquote
from quizapp.spreadsheets.reading import (
    MAX_UNPACKED_BYTES,
    Row,
    Table,
    cell_text,
    check_xlsx_archive,
    decode_text,
    header_name,
    read_table,
)
from quizapp.spreadsheets.writing import (
    DATE,
    DATETIME,
    PERCENT,
    TEXT,
    UNSAFE_IN_NAMES,
    XLSX,
    Book,
    Column,
    Style,
)

__all__ = [
    "DATE",
    "DATETIME",
    "MAX_UNPACKED_BYTES",
    "PERCENT",
    "TEXT",
    "UNSAFE_IN_NAMES",
    "XLSX",
    "Book",
    "Column",
    "Row",
    "Style",
    "Table",
    "cell_text",
    "cell_value",
    "check_xlsx_archive",
    "clean",
    "csv_bytes",
    "csv_table",
    "csv_value",
    "decode_text",
    "display_width",
    "header_name",
    "neutralise",
    "read_table",
    "unquote",
]

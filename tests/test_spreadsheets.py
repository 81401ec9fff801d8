"""The spreadsheets package: the one reader of uploaded tables, CSV writing, and its place
below every feature."""

from __future__ import annotations

import ast
import gc
import io
from datetime import UTC, date, datetime, time
from operator import itemgetter
from pathlib import Path

import openpyxl
import pytest

import quizapp.spreadsheets
from quizapp.errors import DomainError
from quizapp.spreadsheets import (
    Book,
    Column,
    cell_text,
    cell_value,
    clean,
    csv_bytes,
    csv_table,
    header_name,
    neutralise,
    read_table,
    unquote,
)
from quizapp.spreadsheets.cells import NOT_IN_XML

#: What the package may import from quizapp: cross-cutting modules, never a feature.
ALLOWED = {"quizapp.clock", "quizapp.errors"}


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _has_id(names: list[str]) -> bool:
    return "警号" in names


def test_the_package_imports_no_feature():
    folder = Path(quizapp.spreadsheets.__file__).parent
    found = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    ours = {name for name in found if name.split(".")[0] == "quizapp"}
    assert {name for name in ours if not name.startswith("quizapp.spreadsheets")} <= ALLOWED


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_rows_are_numbered_as_excel_shows_them_below_a_title_and_blank_rows(kind):
    rows = [["名单"], [], [" 警 号 ", "姓名"], ["J1", "甲"], [], ["J2", "乙"]]
    if kind == "xlsx":
        content = _xlsx(rows)
    else:
        content = "\r\n".join(",".join(row) for row in rows).encode("gb18030")
    with read_table(f"t.{kind}", content, is_header=_has_id, search_rows=5) as table:
        assert table.header == ["警号", "姓名"]
        index = table.columns(["警号", "姓名"], ["警号"])
        assert list(table.records(index, cell_text)) == [
            (4, {"警号": "J1", "姓名": "甲"}),
            (6, {"警号": "J2", "姓名": "乙"}),
        ]


def test_without_a_header_every_row_is_read():
    content = _xlsx([["J1"], ["J2"]])
    with read_table("t.xlsx", content, is_header=_has_id, search_rows=1) as table:
        assert table.header is None
        assert [(row.number, row.cells[0]) for row in table] == [(1, "J1"), (2, "J2")]


@pytest.mark.parametrize(
    ("named", "message"),
    [
        (False, "无法读取该 Excel 文件，文件可能已损坏"),
        (True, "无法读取文件「t.xlsx」，文件可能已损坏"),
    ],
)
def test_a_damaged_file_is_one_message_naming_the_file_when_asked(named, message):
    with (
        pytest.raises(DomainError, match=message),
        read_table("t.xlsx", b"PK\x03\x04 no zip", is_header=_has_id, search_rows=5, named=named),
    ):
        pass


def test_errors_of_the_callers_code_are_not_taken_for_a_damaged_file():
    with (
        pytest.raises(KeyError),
        read_table("t.xlsx", _xlsx([["警号"], ["J1"]]), is_header=_has_id, search_rows=5) as table,
    ):
        for _ in table:
            raise KeyError("a bug of the caller")


def test_cells_read_as_people_see_them():
    assert [
        cell_text(value)
        for value in (None, 13912345678.0, 1.5, True, datetime(2024, 1, 1), time(8, 30))
    ] == ["", "13912345678", "1.5", "TRUE", "2024-01-01", "08:30:00"]
    assert cell_text(datetime(2024, 1, 1, 8, 30)) == "2024-01-01 08:30:00"
    assert cell_text(date(2024, 1, 1)) == "2024-01-01"
    assert cell_text(" \u200bJ1\ufeff ") == "J1"
    assert cell_text(" a\u200bb ", keep_invisible=True) == "a\u200bb"
    assert header_name(" ｋｅｙ\u200b 号 ") == "KEY号"


def test_the_formula_guard_comes_off_exactly_as_it_went_on():
    for text in ("=1+1", "-x", "@a", "+1", "'=4", "''=5", "'普通", "普通"):
        assert unquote(neutralise(text)) == text


def test_csv_is_utf8_with_a_bom_and_neutralised():
    columns = [Column("姓名", itemgetter(0)), Column("分数", itemgetter(1))]
    data = csv_bytes([*csv_table(columns, [("=1+1", 3), ("", None)]), [], ["说明"]])
    assert data == "\ufeff姓名,分数\r\n'=1+1,3\r\n,\r\n\r\n说明\r\n".encode()


def test_csv_writes_yes_no_and_china_time_as_the_workbook_shows_them():
    moment = datetime(2026, 11, 21, 2, 3, 4, tzinfo=UTC)  # 10:03:04 in Beijing
    data = csv_bytes([[True, False, moment, date(2026, 11, 1), 1.5, "-x", "\x07"]])
    assert data == "\ufeff是,否,2026-11-21 10:03:04,2026-11-01,1.5,'-x,\r\n".encode()


def test_the_workbook_shows_formula_like_texts_as_typed_in_string_cells():
    book = Book()
    book.add_sheet("表", [Column("姓名", itemgetter(0))], [("=1+1",), ("@x",), ("'=2",)])
    sheet = openpyxl.load_workbook(io.BytesIO(book.to_bytes()))["表"]
    cells = [sheet["A2"], sheet["A3"], sheet["A4"]]
    assert [cell.value for cell in cells] == ["=1+1", "@x", "''=2"]
    assert all(cell.data_type == "s" for cell in cells)
    # A text that starts with "'=" keeps its apostrophe through export and import.
    assert unquote(cells[2].value) == "'=2"


def test_rows_are_written_with_the_cyclic_collector_paused_and_it_comes_back():
    seen = []

    def name(row):
        seen.append(gc.isenabled())
        if row == "坏":
            raise ValueError(row)
        return row

    book = Book()
    book.add_sheet("表", [Column("姓名", name)], ["甲", "乙"])
    assert seen == [False, False] and gc.isenabled()
    with pytest.raises(ValueError):
        book.add_sheet("表二", [Column("姓名", name)], ["丙", "坏"])
    assert gc.isenabled()
    gc.disable()  # a caller that paused it itself keeps it paused
    try:
        book.add_sheet("表三", [Column("姓名", name)], ["丁"])
        assert not gc.isenabled()
    finally:
        gc.enable()
    sheet = openpyxl.load_workbook(io.BytesIO(book.to_bytes()))["表"]
    assert [sheet["A2"].value, sheet["A3"].value] == ["甲", "乙"]


@pytest.mark.parametrize(
    "text",
    ["党员", "", "=1+1", "'a", "'=2", "''-3", "a\x01b", "\x00", "x\ufffe", "\ud800y", "a\nb\tc\r"],
)
def test_a_cell_text_is_cleaned_the_same_with_or_without_the_short_way(text):
    # The short way (nothing to take out, no leading apostrophe) returns the text itself.
    assert cell_value(text) == clean(NOT_IN_XML.sub("", text))

"""Reading uploaded tables: the first sheet of an .xlsx, or a .csv, row by row.

Every upload that is a table (roster import, question import, training-class lists) is read
here, so each gets the same guards and reads what people save in the same forgiving way:

- An .xlsx is a zip archive: a 100 KB upload can unpack to gigabytes of sheet XML (a "zip
  bomb"), which openpyxl would inflate and parse cell by cell for minutes. The sizes the
  archive declares are checked first (:func:`check_xlsx_archive`); Python's zipfile never
  inflates an entry past its declared size (it stops and fails the CRC check), so the
  declaration bounds the work. The sheet is then read by openpyxl in read-only mode, values
  only, whatever used range the file claims.
- A .csv is UTF-8 (with or without BOM) or else GB18030, as Excel on Chinese Windows saves
  "CSV"; an .xlsx renamed to .csv is recognised and refused with the reason.
- The header is the first row, among the first few, that the caller recognises, so a title
  row or two above it do no harm; rows are numbered as Excel shows them, blank rows counted.
- A damaged file, whatever zipfile, the XML parser or openpyxl raise while reading it,
  becomes one DomainError in Chinese.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any, NamedTuple, TypeVar

import openpyxl

from quizapp.errors import DomainError

T = TypeVar("T")

#: The most an uploaded .xlsx may unpack to: a 10,000-member roster or a 5,000-question
#: bank is a few megabytes of XML.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
#: Entries of the archive: a workbook has a dozen or so.
MAX_ENTRIES = 1000
#: How text files are tried: UTF-8 (a BOM is dropped), then GB18030, a superset of GBK.
ENCODINGS = ("utf-8-sig", "gb18030")
#: Zero-width characters and the BOM, which text copied from web pages or chat carries.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")


class Row(NamedTuple):
    """A row of an uploaded table: its number as Excel shows it, and its cells."""

    number: int
    cells: Sequence[Any]


def check_xlsx_archive(content: bytes) -> None:
    """Refuse an .xlsx that unpacks to more than MAX_UNPACKED_BYTES (DomainError).

    A file that is not a zip archive raises zipfile.BadZipFile, which :func:`read_table`
    reports as a damaged file.
    """
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
            raise DomainError(
                f"文件解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，不像正常的 Excel 表格，"
                "请检查文件或拆分后重新上传。"
            )


def decode_text(content: bytes, message: str) -> str:
    """Decode an uploaded text as UTF-8 or GB18030; raise DomainError(message) if neither."""
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(message)


def header_name(value: Any) -> str:
    """Return a header cell as column names are compared: full-width forms folded, upper
    case, without spaces or invisible characters ("编 号", "ｋｅｙ" -> "编号", "KEY")."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value).translate(INVISIBLE))
    return _SPACES.sub("", text).upper()


def cell_text(value: Any, *, keep_invisible: bool = False) -> str:
    """Return a cell as the text a person sees in it, trimmed: 1921 not 1921.0, TRUE/FALSE,
    dates as 2024-01-01 (with the time when there is one).

    Zero-width characters and BOMs are removed unless ``keep_invisible`` (question texts are
    kept exactly as written).
    """
    if type(value) is str:  # nearly every cell: the short way
        return value.strip() if keep_invisible else value.translate(INVISIBLE).strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed as a number comes back as 13912345678.0
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value)
    return text.strip() if keep_invisible else text.translate(INVISIBLE).strip()


class _Naming:
    """How the messages name the file: "文件「题库.xlsx」" when several may be uploaded."""

    def __init__(self, filename: str, named: bool) -> None:
        self.name = f"文件「{filename}」" if named else ""

    def unsupported(self) -> str:
        return (
            f"{self.name or '文件'}格式不支持，请上传 .xlsx 或 .csv 文件"
            "（旧版 .xls 请在 Excel 中另存为 .xlsx）。"
        )

    def damaged(self) -> str:
        return (
            f"无法读取{self.name or '该 Excel 文件'}，文件可能已损坏或不是 .xlsx 格式，"
            "请用 Excel 重新保存后上传。"
        )

    def excel_as_csv(self) -> str:
        return f"{self.name or '该文件'}实际是 Excel 文件，请把扩展名改为 .xlsx 后重新上传。"

    def encoding(self) -> str:
        return f"无法识别{self.name or '文件'}的文字编码，请用 Excel 打开后另存为 .xlsx 再上传。"

    def bad_csv(self) -> str:
        return f"{self.name or 'CSV 文件'}格式有误，无法读取，请用 Excel 另存为 .xlsx 后上传。"


class Table:
    """An uploaded table split at its header row; iterating gives the rows below it.

    ``header`` holds the header row's names (:func:`header_name`), or None when none of the
    first ``search_rows`` rows was recognised; then iterating gives every row.
    """

    def __init__(
        self,
        rows: Iterator[Sequence[Any]],
        is_header: Callable[[list[str]], bool],
        search_rows: int,
        naming: _Naming,
    ) -> None:
        self._rows = rows
        self._naming = naming
        self._above: list[Row] = []
        self._first_filled: list[str] | None = None  # kept to say which columns are missing
        self.header: list[str] | None = None
        for number, cells in enumerate(rows, start=1):
            names = [header_name(value) for value in cells]
            if is_header(names):
                self.header = names
                break
            self._above.append(Row(number, cells))
            if self._first_filled is None and any(names):
                self._first_filled = names
            if number >= search_rows:
                break

    def __iter__(self) -> Iterator[Row]:
        """Yield the rows below the header (every row when there is none)."""
        number = len(self._above) + (self.header is not None)
        if self.header is None:
            yield from self._above
        for cells in self._rows:
            number += 1
            yield Row(number, cells)

    def columns(self, known: Sequence[str], required: Sequence[str]) -> dict[str, int]:
        """Map each known column of the header to its position.

        Raise DomainError when the table is empty, misses a required column (also when no
        header was recognised) or has a column twice.
        """
        name = self._naming.name
        names = self.header if self.header is not None else self._first_filled
        if names is None:
            raise DomainError(f"{name or '文件'}是空的，请使用下载的模板填写后上传。")
        index: dict[str, int] = {}
        for position, column in enumerate(names):
            if column in known:
                if column in index:
                    raise DomainError(
                        f"{name + '的' if name else ''}表头中「{column}」出现了多次，请只保留一列。"
                    )
                index[column] = position
        missing = [column for column in required if column not in index]
        if missing:
            raise DomainError(f"{name}缺少必填列：{'、'.join(missing)}。请使用下载的模板。")
        return index

    def records(
        self, index: dict[str, int], convert: Callable[[Any], T]
    ) -> Iterator[tuple[int, dict[str, T]]]:
        """Yield (row number, {column: converted cell}) for each row below the header that
        is not blank; blank rows are skipped but still counted in the numbering."""
        blank = convert(None)
        for number, cells in self:
            width = len(cells)
            values = {
                column: convert(cells[i]) if i < width else blank for column, i in index.items()
            }
            if any(values.values()):
                yield number, values


@contextmanager
def read_table(
    filename: str,
    content: bytes,
    *,
    is_header: Callable[[list[str]], bool],
    search_rows: int,
    kind: str | None = None,
    named: bool = False,
) -> Iterator[Table]:
    """Open the first sheet of an uploaded .xlsx, or a .csv, as a :class:`Table`.

    ``kind`` ("xlsx" or "csv") is taken from the file name's extension unless given; another
    extension is refused. ``is_header`` recognises the header row among the first
    ``search_rows``. With ``named`` the messages name the file. Anything that can't be read
    raises DomainError, also while the rows are iterated inside the ``with`` block.
    """
    naming = _Naming(filename, named)
    if kind is None:
        kind = os.path.splitext(filename or "")[1].lower().lstrip(".")
    if kind == "xlsx":
        book = _open_xlsx(content, naming)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # some programs write a wrong used range
            cells = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
            rows = _guarded(cells, naming.damaged(), quiet=True)
            yield Table(rows, is_header, search_rows, naming)
        finally:
            book.close()
    elif kind == "csv":
        if content.startswith(b"PK\x03\x04"):
            raise DomainError(naming.excel_as_csv())
        text = decode_text(content, naming.encoding())
        rows = csv.reader(io.StringIO(text, newline=""))
        yield Table(_guarded(rows, naming.bad_csv()), is_header, search_rows, naming)
    else:
        raise DomainError(naming.unsupported())


def _open_xlsx(content: bytes, naming: _Naming) -> Any:
    """Check the archive and open the workbook read-only; raise DomainError if it can't be."""
    try:
        check_xlsx_archive(content)
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (styles, extensions): irrelevant to the data.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        if not book.worksheets:
            book.close()
            raise DomainError(naming.damaged())
        return book
    except DomainError:
        raise
    except Exception as exc:  # zipfile, XML and openpyxl raise many kinds for a damaged file
        raise DomainError(naming.damaged()) from exc


def _guarded(
    rows: Iterator[Sequence[Any]], message: str, *, quiet: bool = False
) -> Iterator[Sequence[Any]]:
    """Yield ``rows``; whatever reading the next one raises becomes DomainError(message).

    With ``quiet`` the warnings reading a row gives are ignored (openpyxl's, about dropped
    extensions or dates out of range: nothing the data needs).
    """
    while True:
        try:
            if quiet:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cells = next(rows)
            else:
                cells = next(rows)
        except StopIteration:
            return
        except Exception as exc:
            raise DomainError(message) from exc
        yield cells

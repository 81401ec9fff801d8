"""Checks on uploaded .xlsx files before openpyxl reads them.

An .xlsx is a zip archive: a 100 KB upload can unpack to gigabytes of sheet XML (a "zip
bomb"), which openpyxl would inflate and parse cell by cell for minutes. The sizes the
archive declares are checked first; Python's zipfile never inflates an entry past its
declared size (it stops and fails the CRC check), so the declaration bounds the work.
"""

from __future__ import annotations

import io
import zipfile

from quizapp.errors import DomainError

#: The most an uploaded .xlsx may unpack to: a 10,000-member roster or a 5,000-question
#: bank is a few megabytes of XML.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
#: Entries of the archive: a workbook has a dozen or so.
MAX_ENTRIES = 1000


def check_xlsx_archive(content: bytes) -> None:
    """Refuse an .xlsx that unpacks to more than MAX_UNPACKED_BYTES (DomainError).

    A file that is not a zip archive raises zipfile.BadZipFile, which the readers already
    report as a damaged file.
    """
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
            raise DomainError(
                f"文件解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，不像正常的 Excel 表格，"
                "请检查文件或拆分后重新上传。"
            )

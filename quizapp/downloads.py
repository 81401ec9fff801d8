"""The one response of every file a page offers to save: exports, import templates, PDFs."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import PurePath
from urllib.parse import quote

from flask import Response, send_file

from quizapp.spreadsheets import XLSX

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv"
PDF = "application/pdf"
#: What an English name may keep: anything else (spaces, quotes, commas) becomes "-".
NOT_IN_ENGLISH_NAMES = re.compile(r"[^A-Za-z0-9._-]+")
#: Besides letters and digits, what RFC 5987 lets ``filename*`` keep unquoted (as Werkzeug).
KEPT_IN_FILENAME_STAR = "!#$&+^`|~"


def attachment(data: bytes, name: str, mimetype: str = XLSX, *, english: str) -> Response:
    """Return ``data`` as a download saved under ``name`` (an .xlsx unless ``mimetype`` says).

    ``english`` stands in for ``name`` in apps that ignore ``filename*`` (they would save
    the Chinese reduced to junk such as "___20261205.xlsx"): an ASCII name without the
    extension, e.g. "quiz-12-results-2026-12-05".
    """
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Content-Disposition"] = disposition(name, english)
    return response


def disposition(name: str, english: str, kind: str = "attachment") -> str:
    """Return the Content-Disposition of a file saved under ``name``: ``english`` (with the
    extension of ``name``) as the plain ``filename``, ``name`` itself as ``filename*``."""
    extension = NOT_IN_ENGLISH_NAMES.sub("", PurePath(name).suffix)
    stem = NOT_IN_ENGLISH_NAMES.sub("-", english).strip("-.")[:100] or "quizapp"
    fallback = f"{stem}{extension}"
    value = f'{kind}; filename="{fallback}"'
    if name != fallback:
        value += f"; filename*=UTF-8''{quote(name, safe=KEPT_IN_FILENAME_STAR)}"
    return value

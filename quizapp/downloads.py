"""The one response of every file a page offers to save: exports, import templates, PDFs."""

from __future__ import annotations

from io import BytesIO

from flask import Response, send_file

from quizapp.spreadsheets import XLSX

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv"
PDF = "application/pdf"


def attachment(data: bytes, name: str, mimetype: str = XLSX) -> Response:
    """Return ``data`` as a download saved under ``name`` (an .xlsx unless ``mimetype`` says)."""
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)

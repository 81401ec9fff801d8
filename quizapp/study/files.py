"""A study material's files: checked, stored, removed, and kept in step with the transaction.

Files live under ``<instance>/uploads/materials/<material id>/<uuid>.<ext>``, never under
``static/`` and never under a name the uploader chose (the original name is kept in
``pdf_name`` for the download). A store or removal only changes the row; the files on disk
follow the transaction: the route calls :func:`settle_files` with whether it committed, which
deletes the replaced files after a commit, or the newly written ones after a rollback.
"""

from __future__ import annotations

import io
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from flask import current_app

from quizapp import db
from quizapp.downloads import disposition
from quizapp.errors import DomainError
from quizapp.study.models import Material

VIDEO_URL_MAX = 500
MB = 1024 * 1024
#: Requests over MAX_CONTENT_LENGTH (MAX_UPLOAD_MB, 210 MB by default) are refused with 413
#: before they get here.
PDF_MAX_BYTES = 20 * MB
VIDEO_MAX_BYTES = 200 * MB
#: Uploaded video types: extension -> MIME type.
VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}

Data = bytes | IO[bytes]


@dataclass
class FileChange:
    """A file written and/or replaced by one change; see :func:`settle_files`."""

    written: Path | None = None
    replaced: Path | None = None


def settle_files(changes: list[FileChange], committed: bool) -> None:
    """After the transaction: delete replaced files if it committed, new files if not."""
    for change in changes:
        path = change.replaced if committed else change.written
        if path is not None:
            path.unlink(missing_ok=True)


def upload_root() -> Path:
    """Return ``<instance>/uploads``, where uploaded files are kept (outside static/)."""
    return Path(current_app.instance_path) / "uploads"


def _absolute(relative: str | None) -> Path | None:
    if not relative:
        return None
    root = upload_root().resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) else None


def file_path(material: Material, kind: str) -> Path | None:
    """Return the stored file of ``kind`` ("pdf" or "video") if it exists on disk."""
    relative = {"pdf": material.pdf_path, "video": material.video_path}[kind]
    path = _absolute(relative)
    return path if path is not None and path.is_file() else None


def video_mimetype(material: Material) -> str:
    """Return the MIME type of the material's stored video."""
    extension = (material.video_path or "").rsplit(".", 1)[-1].lower()
    return VIDEO_TYPES.get(extension, "application/octet-stream")


def pdf_disposition(material: Material) -> str:
    """Return the Content-Disposition of the material's PDF, opened in the browser."""
    name = material.pdf_name or f"{material.title}.pdf"
    return disposition(name, f"material-{material.id}", "inline")


def _stream(data: Data) -> IO[bytes]:
    return io.BytesIO(data) if isinstance(data, bytes | bytearray) else data


def _extension(filename: str) -> str:
    return os.path.splitext(filename or "")[1].lstrip(".").lower()


def _size_label(size: int) -> str:
    return f"{size // MB} MB" if size >= MB else f"{size // 1024} KB"


def _size_and_head(stream: IO[bytes]) -> tuple[int, bytes]:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    return size, head


def check_pdf(filename: str, data: Data) -> None:
    """Refuse a file that is not a PDF by its content, or that is too large."""
    size, head = _size_and_head(_stream(data))
    if _extension(filename) != "pdf" or not head.startswith(b"%PDF-"):
        raise DomainError("请上传 PDF 文件（.pdf）；该文件不是有效的 PDF。")
    if size > PDF_MAX_BYTES:
        raise DomainError(f"PDF 文件不能超过 {_size_label(PDF_MAX_BYTES)}。")


def check_video(filename: str, data: Data) -> str:
    """Refuse a file that is not an MP4 or WebM video by its content; return its extension."""
    size, head = _size_and_head(_stream(data))
    extension = _extension(filename)
    plausible = (extension == "mp4" and head[4:8] == b"ftyp") or (
        extension == "webm" and head.startswith(b"\x1a\x45\xdf\xa3")
    )
    if not plausible:
        raise DomainError("请上传 MP4 或 WebM 格式的视频文件；该文件不是有效的视频。")
    if size > VIDEO_MAX_BYTES:
        raise DomainError(f"视频文件不能超过 {_size_label(VIDEO_MAX_BYTES)}。")
    return extension


def _write(material: Material, extension: str, data: Data) -> tuple[str, Path]:
    """Copy ``data`` to a new uuid-named file of the material; return (relative, path)."""
    if material.id is None:
        db.session.flush()
    relative = f"materials/{material.id}/{uuid.uuid4().hex}.{extension}"
    path = upload_root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = _stream(data)
    stream.seek(0)
    try:
        with path.open("wb") as target:
            shutil.copyfileobj(stream, target, MB)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return relative, path


def store_pdf(material: Material, filename: str, data: Data) -> FileChange:
    """Attach a PDF (checked by content) to the material, replacing any earlier one."""
    check_pdf(filename, data)
    replaced = _absolute(material.pdf_path)
    relative, written = _write(material, "pdf", data)
    material.pdf_path = relative
    material.pdf_name = os.path.basename((filename or "").replace("\\", "/"))[:255] or "资料.pdf"
    db.session.flush()
    return FileChange(written=written, replaced=replaced)


def store_video(material: Material, filename: str, data: Data) -> FileChange:
    """Attach a video file (MP4 or WebM, checked by content); it replaces any video or link."""
    extension = check_video(filename, data)
    replaced = _absolute(material.video_path)
    relative, written = _write(material, extension, data)
    material.video_path = relative
    material.video_url = None
    db.session.flush()
    return FileChange(written=written, replaced=replaced)


def remove_pdf(material: Material) -> FileChange:
    """Detach the material's PDF; the file goes once the change is committed."""
    replaced = _absolute(material.pdf_path)
    material.pdf_path = material.pdf_name = None
    db.session.flush()
    return FileChange(replaced=replaced)


def remove_video(material: Material) -> FileChange:
    """Detach the material's video file and link; the file goes once committed."""
    replaced = _absolute(material.video_path)
    material.video_path = material.video_url = None
    db.session.flush()
    return FileChange(replaced=replaced)


def check_video_url(url: str) -> str:
    """Return a trimmed http(s) link, or raise DomainError."""
    url = url.strip()
    parts = urlsplit(url)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or len(url) > (VIDEO_URL_MAX)
    ):
        raise DomainError(f"视频链接应以 http:// 或 https:// 开头，不超过 {VIDEO_URL_MAX} 个字符。")
    return url


def set_video_url(material: Material, url: str) -> FileChange:
    """Point the material's video at an http(s) link; it replaces an uploaded video file."""
    url = check_video_url(url)
    change = remove_video(material) if material.video_path else FileChange()
    material.video_url = url
    db.session.flush()
    return change

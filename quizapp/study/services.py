"""Creating, publishing and retiring study materials, and keeping their files.

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
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select

from quizapp import access, db
from quizapp.audiences.services import build_audience
from quizapp.clock import utcnow
from quizapp.errors import DomainError
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.study.models import Material, StudyMinute
from quizapp.study.sanitize import render_markdown

#: status -> label.
STATUSES = {"draft": "草稿", "published": "已发布", "retired": "已下线"}
TITLE_MAX = 100
TOPIC_MAX = 50
BODY_MAX = 100_000
MINUTES_MIN, MINUTES_MAX = 1, 600
SORT_MIN, SORT_MAX = -9999, 9999
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
class MaterialData:
    """Everything an organiser sets on a material except its files."""

    title: str
    topic: str
    body_markdown: str = ""
    estimated_minutes: int = 10
    #: Publish window (UTC); None at either end means open-ended.
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    is_required: bool = False
    sort_order: int = 0
    branches: list[Branch] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    roster: list[Member] = field(default_factory=list)


def _check(data: MaterialData) -> list[str]:
    problems = []
    title, topic = data.title.strip(), data.topic.strip()
    if not title:
        problems.append("请填写标题")
    elif len(title) > TITLE_MAX:
        problems.append(f"标题不能超过 {TITLE_MAX} 字")
    if not topic:
        problems.append("请填写专题")
    elif len(topic) > TOPIC_MAX:
        problems.append(f"专题不能超过 {TOPIC_MAX} 字")
    if len(data.body_markdown) > BODY_MAX:
        problems.append(f"正文不能超过 {BODY_MAX} 字")
    if not MINUTES_MIN <= data.estimated_minutes <= MINUTES_MAX:
        problems.append(f"预计学习时长应为 {MINUTES_MIN} 至 {MINUTES_MAX} 分钟")
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        problems.append("结束时间必须晚于开始时间")
    if not SORT_MIN <= data.sort_order <= SORT_MAX:
        problems.append(f"排序应为 {SORT_MIN} 至 {SORT_MAX} 之间的整数")
    return problems


def can_manage_material(actor: Member, material: Material) -> bool:
    """Tell whether ``actor`` manages the subtree that owns ``material``."""
    return access.can_manage_branch(actor, material.owner_branch)


def save_material(actor: Member, data: MaterialData, material: Material | None = None) -> Material:
    """Create a material (a draft owned by the actor's subtree) or update one they manage."""
    root = access.managed_root(actor)
    if root is None:
        raise DomainError("只有管理员可以维护学习资料。")
    if material is not None and not can_manage_material(actor, material):
        raise DomainError("您无权修改该学习资料。")
    problems = _check(data)
    if problems:
        raise DomainError("；".join(problems) + "。")
    audience = build_audience(
        actor, data.branches, data.statuses, data.roster, material.audience if material else None
    )
    if material is None:
        material = Material(owner_branch=root, created_by_id=actor.id, status="draft")
    material.audience = audience
    material.title = data.title.strip()
    material.topic = data.topic.strip()
    material.body_markdown = data.body_markdown
    # Sanitised once here; the pages show body_html as it is.
    material.body_html = render_markdown(data.body_markdown)
    material.estimated_minutes = data.estimated_minutes
    material.opens_at, material.closes_at = data.opens_at, data.closes_at
    material.is_required = data.is_required
    material.sort_order = data.sort_order
    # Always a new stamp: study tokens carry it, so pages shown before this edit (perhaps to
    # members no longer in the audience) stop earning minutes until they are reloaded.
    material.updated_at = utcnow()
    db.session.add(material)
    db.session.flush()
    return material


def has_content(material: Material) -> bool:
    """Tell whether there is anything to study: a body, a PDF or a video."""
    return bool(
        material.body_html.strip() or material.pdf_path or material.video_path or material.video_url
    )


def count_learners(material: Material) -> int:
    """Return how many members have study minutes on ``material``."""
    return db.session.scalar(
        select(func.count(func.distinct(StudyMinute.member_id))).where(
            StudyMinute.material_id == material.id
        )
    )


def set_status(actor: Member, material: Material, status: str, now: datetime | None = None) -> None:
    """Publish a material, withdraw it to draft (nobody studied it yet) or retire it."""
    if not can_manage_material(actor, material):
        raise DomainError("您无权发布或下线该学习资料。")
    if status not in STATUSES:
        raise DomainError("状态选择有误。")
    if status == material.status:
        raise DomainError(f"该学习资料已经是“{STATUSES[status]}”状态。")
    if status == "published":
        if not has_content(material):
            raise DomainError("该学习资料还没有内容：请填写正文，或上传 PDF、视频后再发布。")
        if material.is_required and not (material.body_html.strip() or material.video_path):
            # Minutes count while the material page is in front; a PDF or a video link opens
            # elsewhere, so a material with only those could never be completed.
            raise DomainError(
                "必学资料需要有正文或上传的视频（打开 PDF 或外部视频链接时不计学习时长）："
                "请补充正文，或改为选学。"
            )
        if material.closes_at is not None and material.closes_at <= (now or utcnow()):
            raise DomainError("开放时间已经结束，发布后党员也看不到：请先修改结束时间。")
    elif material.status != "published":
        raise DomainError("只有已发布的学习资料可以撤回或下线。")
    elif status == "draft":
        learners = count_learners(material)
        if learners:
            raise DomainError(f"已有 {learners} 人学习过，不能撤回为草稿；如需停止学习，请下线。")
    material.status = status
    db.session.flush()


# Files ------------------------------------------------------------------------------------


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

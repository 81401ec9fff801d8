"""Organiser pages for study materials: list, create, edit, preview, publish, retire; a
member's study minutes by day and material (who studied a material: ``learners.py``)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from quizapp import access, clock, windows
from quizapp.actions import FAILED, perform
from quizapp.audiences.forms import branch_choices, check_roster, chosen_branches, offered_branches
from quizapp.audiences.services import describe
from quizapp.errors import DomainError
from quizapp.members import queries as member_queries
from quizapp.pagination import filter_value, page_number
from quizapp.study import files, queries, services, totals
from quizapp.study.forms import MaterialForm, StatusForm
from quizapp.study.models import Material, MaterialStatus

bp = Blueprint("materials", __name__)

PER_PAGE = 20
#: The member-minutes page covers this many China days, today included.
MINUTES_DAYS = 60
STATUS_FILTERS = {"all": "全部"} | services.STATUSES
PHASE_LABELS = {"upcoming": "未到开放时间", "open": "开放中", "closed": "已结束"}
WEEKDAYS = "一二三四五六日"
FileStep = Callable[[Material], files.FileChange]


def _phase(material: Material, now: datetime) -> str:
    return windows.phase(material.opens_at, material.closes_at, now)


# The form.


def _prepare(form: MaterialForm, material: Material | None) -> None:
    """Offer the branches in scope (active ones, and any the audience already has)."""
    form.set_choices(
        branch_choices(offered_branches(current_user, material.audience if material else None))
    )


def _check_files(form: MaterialForm, material: Material | None) -> list[FileStep]:
    """Check the uploads and the video link (errors go on the fields); return the file steps.

    The steps run after the material is saved (a new one needs its id for the folder).
    """
    steps: list[FileStep] = []
    pdf, video = form.pdf.data, form.video.data
    link = (form.video_url.data or "").strip()
    current_link = material.video_url if material else None
    if pdf:
        try:
            files.check_pdf(pdf.filename, pdf.stream)
        except DomainError as exc:
            form.pdf.errors.append(exc.message)
        steps.append(lambda m: files.store_pdf(m, pdf.filename, pdf.stream))
    elif form.remove_pdf.data and material is not None and material.pdf_path:
        steps.append(files.remove_pdf)
    if video:
        try:
            files.check_video(video.filename, video.stream)
        except DomainError as exc:
            form.video.errors.append(exc.message)
        if link and link != current_link:
            form.video_url.errors.append("视频请上传文件或填写链接，二选一。")
        steps.append(lambda m: files.store_video(m, video.filename, video.stream))
    elif form.remove_video.data:
        if material is not None and (material.video_path or material.video_url):
            steps.append(files.remove_video)
    elif link and link != current_link:
        try:
            files.check_video_url(link)
        except DomainError as exc:
            form.video_url.errors.append(exc.message)
        steps.append(lambda m: files.set_video_url(m, link))
    elif not link and current_link:
        steps.append(files.remove_video)
    return steps


def _submitted(
    form: MaterialForm, material: Material | None
) -> tuple[services.MaterialData, list[FileStep]] | None:
    """Validate a posted form into MaterialData and file steps; None (with errors) if it can't.

    Files, the window and the roster are checked even when other fields are wrong, so that
    the organiser sees every problem at once.
    """
    if not form.is_submitted():
        return None
    valid = form.validate()
    steps = _check_files(form, material)
    form.closes_at.errors.extend(f"{p}。" for p in services.window_problems(*form.window()))
    roster = check_roster(current_user, form.roster)
    if not valid or any(f.errors for f in form):
        return None
    opens_at, closes_at = form.window()
    data = services.MaterialData(
        title=form.title.data.strip(),
        topic=form.topic.data.strip(),
        body_markdown=(form.body_markdown.data or "").replace("\r\n", "\n"),
        estimated_minutes=form.estimated_minutes.data,
        opens_at=opens_at,
        closes_at=closes_at,
        is_required=form.is_required.data,
        sort_order=form.sort_order.data,
        branches=chosen_branches(current_user, form.branch_ids.data),
        statuses=list(form.statuses.data or []),
        roster=roster.members,
    )
    return data, steps


def _save(
    data: services.MaterialData, steps: list[FileStep], material: Material | None, message: str
) -> Material | None:
    """Save the material and its files in one transaction; files follow its outcome."""
    changes: list[files.FileChange] = []

    def action() -> Material:
        saved = services.save_material(current_user, data, material)
        for step in steps:
            changes.append(step(saved))
        return saved

    committed = False
    try:
        result = perform(action, message)
        committed = result is not FAILED
    finally:
        files.settle_files(changes, committed)
    return result if committed else None


def _render_form(form: MaterialForm, material: Material | None):
    return render_template(
        "study/manage/form.html",
        form=form,
        material=material,
        topics=queries.list_topics(current_user, with_ancestors=True),
    )


# Pages.


@bp.get("/")
@access.organiser_required
def index():
    """List the materials the organiser may read (a level above's read-only), filtered."""
    topic = request.args.get("topic", "").strip()
    status = filter_value("status", STATUS_FILTERS, "all")
    now = clock.utcnow()
    page = queries.list_managed_materials(current_user, topic, status, page_number(), PER_PAGE)
    return render_template(
        "study/manage/index.html",
        page=page,
        topic=topic,
        topics=queries.list_topics(current_user, with_ancestors=True),
        status=status,
        statuses=STATUS_FILTERS,
        phase=lambda m: _phase(m, now),
        phases=PHASE_LABELS,
        describe=lambda audience: describe(audience, current_user),
        editable=lambda m: services.can_manage_material(current_user, m),
    )


@bp.route("/new", methods=["GET", "POST"])
@access.organiser_required
def create():
    """Create a material (a draft) owned by the top of the organiser's subtree."""
    form = MaterialForm()
    _prepare(form, None)
    submitted = _submitted(form, None)
    if submitted is not None:
        material = _save(*submitted, None, "已保存为草稿。请预览，确认无误后发布。")
        if material is not None:
            return redirect(url_for("materials.show", material_id=material.id))
    return _render_form(form, None)


@bp.route("/<int:material_id>/edit", methods=["GET", "POST"])
@access.organiser_required
def edit(material_id: int):
    """Change a material's content, files, window or audience."""
    material = queries.get_managed_material(current_user, material_id)
    form = MaterialForm(data=MaterialForm.values_of(material) if request.method == "GET" else None)
    _prepare(form, material)
    submitted = _submitted(form, material)
    if submitted is not None and _save(*submitted, material, "已保存。") is not None:
        return redirect(url_for("materials.show", material_id=material.id))
    return _render_form(form, material)


@bp.get("/<int:material_id>")
@access.organiser_required
def show(material_id: int):
    """Show a material as a member sees it, its settings and actions (none if read-only)."""
    material = queries.get_viewable_material(current_user, material_id)
    return render_template(
        "study/manage/show.html",
        material=material,
        editable=services.can_manage_material(current_user, material),
        statuses=services.STATUSES,
        phase=_phase(material, clock.utcnow()),
        phases=PHASE_LABELS,
        audience=describe(material.audience, current_user),
        learners=services.count_learners(material, current_user),
        has_content=services.has_content(material),
        has_pdf=files.file_path(material, "pdf") is not None,
        has_video=files.file_path(material, "video") is not None,
        status_form=StatusForm(),
    )


STATUS_MESSAGES = {
    MaterialStatus.PUBLISHED: "已发布，学习范围内的人员在开放时间内可以学习该资料。",
    MaterialStatus.DRAFT: "已撤回为草稿，党员将看不到该资料。",
    MaterialStatus.RETIRED: "已下线，党员将看不到该资料；已记录的学习时长保留。",
}


@bp.post("/<int:material_id>/status")
@access.organiser_required
def set_status(material_id: int):
    """Publish a material, withdraw it to draft or retire it (下线)."""
    material = queries.get_managed_material(current_user, material_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    status = form.status.data
    perform(
        lambda: services.set_status(current_user, material, status, clock.utcnow()),
        STATUS_MESSAGES[status],
    )
    return redirect(url_for("materials.show", material_id=material.id))


@bp.get("/<int:material_id>/files/<any(pdf, video):kind>")
@access.organiser_required
def download(material_id: int, kind: str):
    """Send the material's PDF or video file (ranges allowed, so videos can seek)."""
    material = queries.get_viewable_material(current_user, material_id)
    path = files.file_path(material, kind)
    if path is None:
        abort(404)
    if kind == "pdf":
        # Read whole (at most PDF_MAX_BYTES), so no file handle outlives a client that
        # never reads the body; videos are large and streamed from the file.
        response = send_file(
            io.BytesIO(path.read_bytes()),
            mimetype="application/pdf",
            conditional=True,
            max_age=0,
            last_modified=path.stat().st_mtime,
        )
        # Chrome shows PDFs with a built-in viewer that the pages' policy (object-src 'none',
        # no inline styles) would block; a PDF is not HTML, so it gets a policy of its own.
        response.headers["Content-Security-Policy"] = "object-src 'self'; frame-ancestors 'self'"
        response.headers["Content-Disposition"] = files.pdf_disposition(material)
    else:
        response = send_file(
            path, mimetype=files.video_mimetype(material), conditional=True, max_age=0
        )
    return response


# A member's minutes.


@bp.get("/minutes/<int:member_id>")
@access.organiser_required
def member_minutes(member_id: int):
    """Show a member's study minutes by day and material over the last 60 China days."""
    member = member_queries.get_member(current_user, member_id)
    today = clock.china_today()
    first = today - timedelta(days=MINUTES_DAYS - 1)
    days = queries.list_minute_days(current_user, member, first)
    return render_template(
        "study/manage/minutes.html",
        member=member,
        days=days,
        first=first,
        today=today,
        total=sum(d.seconds for d in days),
        duration=totals.duration,
        weekdays=WEEKDAYS,
    )

"""Offline session pages for organisers: list, record, edit attendance, delete."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from quizapp import access
from quizapp.actions import FAILED, perform
from quizapp.clock import china_today
from quizapp.forms import ActionForm
from quizapp.members import queries as member_queries
from quizapp.offline import queries, services
from quizapp.offline.forms import SessionForm
from quizapp.offline.models import OfflineSession
from quizapp.org import queries as org_queries
from quizapp.org.labels import BranchNames
from quizapp.org.models import Branch, BranchKind
from quizapp.pagination import page_number

bp = Blueprint("offline", __name__)

PER_PAGE = 20
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(value: str | None) -> tuple[date, date] | None:
    """Read "2026-11" into its first and last day; anything else means no month filter."""
    match = MONTH.match(value or "")
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        return None
    year, month = int(match[1]), int(match[2])
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def _branches(session: OfflineSession | None = None) -> list[Branch]:
    """The 党支部 a session may be held by: active ones in scope, and the session's own."""
    return [
        b
        for b in org_queries.list_branches(current_user, kinds=(BranchKind.BRANCH,))
        if b.is_active or (session is not None and b.id == session.branch_id)
    ]


def _prepare(form: SessionForm, branches: list[Branch]) -> None:
    """Offer the branches by their labels (a name two units share gets its unit's name)."""
    names = BranchNames.load()
    form.branch_id.choices = [SelectChoice(b.id, names(b)) for b in branches]


def _action() -> str:
    """What the posted form asks for: save, or only reload the roster or search (no save)."""
    action = request.form.get("action", "save")
    return action if action in ("save", "roster", "search") else "save"


def _session_data(form: SessionForm, branches: list[Branch]) -> services.SessionData | None:
    """Read a validated form; None (with a field error) when a ticked member is out of scope."""
    ticked = form.ticked_ids()
    attendees = member_queries.find_members(current_user, ticked)
    if len(attendees) != len(ticked):
        form.member_ids.errors = ["所选人员中有人不存在或不在您的管理范围内，请重新选择。"]
        return None
    return services.SessionData(
        title=form.title.data or "",
        kind=form.kind.data,
        held_on=form.held_on.data,
        duration_minutes=form.duration_minutes.data,
        branch=next(b for b in branches if b.id == form.branch_id.data),
        notes=form.notes.data or "",
        attendees=attendees,
    )


def _render_form(form: SessionForm, branches: list[Branch], session: OfflineSession | None):
    """Render the form with the chosen branch's roster, other ticked members and search hits."""
    by_id = {b.id: b for b in branches}
    branch = by_id.get(form.branch_id.data) or (branches[0] if branches else None)
    roster = queries.list_roster(branch) if branch else []
    roster_ids = {m.id for m in roster}
    ticked = set(form.ticked_ids())
    others = member_queries.find_members(current_user, ticked - roster_ids)
    searched = form.is_submitted() and _action() == "search"
    found = []
    if searched:
        found = queries.search_members(current_user, form.q.data or "", exclude=roster_ids | ticked)
    hidden = 0  # attendees who have since moved out of the organiser's subtree (kept)
    if session is not None:
        recorded = queries.attendee_ids(session)
        hidden = len(recorded) - len(member_queries.find_members(current_user, recorded))
    return render_template(
        "offline/form.html",
        form=form,
        session=session,
        branch=branch,
        roster=roster,
        others=others,
        found=found,
        searched=searched,
        ticked=ticked,
        hidden=hidden,
        today=china_today(),
        search_limit=queries.SEARCH_LIMIT,
    )


def _save_or_render(
    form: SessionForm,
    branches: list[Branch],
    session: OfflineSession | None,
    save: Callable[[services.SessionData], OfflineSession],
    success: Callable[[OfflineSession, services.SessionData], str],
) -> Response | str:
    """Save a form posted with 保存 (the other buttons search or pick a branch), then show the
    session; else show the form again, with its errors."""
    if request.method == "POST" and _action() == "save" and form.validate():
        data = _session_data(form, branches)
        if data is not None:
            saved = perform(lambda: save(data), lambda saved: success(saved, data))
            if saved is not FAILED:
                return redirect(url_for("offline.show", session_id=saved.id))
    return _render_form(form, branches, session)


def _initial_branch(branches: list[Branch]) -> Branch | None:
    """The branch a new session starts with: ?branch=, else the organiser's own, else the first."""
    wanted = request.args.get("branch", type=int)
    if wanted:
        org_queries.get_branch(current_user, wanted)  # 404 outside the scope
        chosen = next((b for b in branches if b.id == wanted), None)
        if chosen is None:
            abort(404)
        return chosen
    own = next((b for b in branches if b.id == current_user.branch_id), None)
    return own or (branches[0] if branches else None)


@bp.get("/")
@access.organiser_required
def index():
    """List the sessions held in the organiser's subtree, by branch and month."""
    branch = org_queries.find_branch(current_user, request.args.get("branch", type=int))
    month = _month(request.args.get("month"))
    page = queries.list_offline_sessions(
        current_user,
        branch=branch,
        month=month,
        page=page_number(),
        per_page=PER_PAGE,
    )
    return render_template(
        "offline/index.html",
        page=page,
        selected_branch=branch,
        month=month[0].strftime("%Y-%m") if month else "",
        branches=org_queries.list_branches(current_user),
        attendees=queries.count_attendees([s.id for s in page.items]),
    )


@bp.route("/new", methods=["GET", "POST"])
@access.organiser_required
def create():
    """Record a session and tick who attended."""
    branches = _branches()
    form = SessionForm()
    _prepare(form, branches)
    if request.method == "GET":
        branch = _initial_branch(branches)
        form.branch_id.data = branch.id if branch else None
        form.held_on.data = china_today()
    return _save_or_render(
        form,
        branches,
        None,
        lambda data: services.create_session(current_user, data, china_today()),
        lambda saved, data: f"已登记「{saved.title}」，参加 {len(data.attendees)} 人。",
    )


@bp.get("/<int:session_id>")
@access.organiser_required
def show(session_id: int):
    """Show a session and who attended."""
    session = queries.get_offline_session(current_user, session_id)
    attendees = queries.list_attendees(session)
    return render_template(
        "offline/show.html",
        session=session,
        attendees=attendees,
        action_form=ActionForm(),
        visible={m.id for m in attendees if access.can_view_member(current_user, m)},
    )


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@access.organiser_required
def edit(session_id: int):
    """Change a session's details or its attendance."""
    session = queries.get_offline_session(current_user, session_id)
    branches = _branches(session)
    form = SessionForm(obj=session if request.method == "GET" else None)
    _prepare(form, branches)
    if request.method == "GET":
        form.member_ids.data = [
            m.id for m in member_queries.find_members(current_user, queries.attendee_ids(session))
        ]
    return _save_or_render(
        form,
        branches,
        session,
        lambda data: services.update_session(current_user, session, data, china_today()),
        lambda saved, data: "已保存。",
    )


@bp.post("/<int:session_id>/delete")
@access.organiser_required
def delete(session_id: int):
    """Delete a session recorded by mistake, with its attendance."""
    session = queries.get_offline_session(current_user, session_id)
    title = session.title
    done = perform(lambda: services.delete_session(current_user, session), f"已删除「{title}」。")
    if done is FAILED:
        return redirect(url_for("offline.show", session_id=session.id))
    return redirect(url_for("offline.index"))

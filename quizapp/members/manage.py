"""Member management pages: list, create, edit, move, deactivate, reset password, import,
one-time login codes and their slip sheets (登录凭条)."""

from __future__ import annotations

from collections import Counter
from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from quizapp import access
from quizapp.actions import FAILED, perform, run
from quizapp.clock import china_today, utcnow
from quizapp.errors import DomainError
from quizapp.forms import ActionForm
from quizapp.members import exports, imports, queries, services
from quizapp.members.forms import (
    ImportForm,
    MemberForm,
    MoveMemberForm,
    NewMemberForm,
    ResetPasswordForm,
)
from quizapp.members.models import Member, PoliticalStatus, Role
from quizapp.org import queries as org_queries
from quizapp.org.models import BranchKind

bp = Blueprint("members", __name__)


def _branch_choices(exclude_id: int | None = None) -> list[SelectChoice]:
    branches = org_queries.list_branches(current_user, active_only=True)
    return [
        SelectChoice(b.id, org_queries.branch_label(b))
        for b in branches
        if b.kind == BranchKind.BRANCH and b.id != exclude_id
    ]


def _scope_choices() -> list[SelectChoice]:
    branches = org_queries.list_branches(current_user, active_only=True)
    return [SelectChoice("", "（所属支部）")] + [
        SelectChoice(b.id, org_queries.branch_label(b)) for b in branches
    ]


def _prepare(form: MemberForm) -> None:
    form.branch_id.choices = _branch_choices()
    form.scope_branch_id.choices = _scope_choices()
    if not access.can_grant_role(current_user, Role.ADMIN):
        form.role.choices = [c for c in form.role.choices if c.value != Role.ADMIN.value]


def _member_data(form: MemberForm) -> services.MemberData:
    scope = None
    if form.scope_branch_id.data:
        scope = org_queries.get_branch(current_user, form.scope_branch_id.data)
    return services.MemberData(
        name=form.name.data.strip(),
        police_no=(form.police_no.data or "").strip() or None,
        phone=services.normalise_phone(form.phone.data),
        branch=org_queries.get_branch(current_user, form.branch_id.data),
        status=PoliticalStatus(form.political_status.data),
        joined_party_on=form.joined_party_on.data,
        role=Role(form.role.data),
        scope_branch=scope,
    )


@bp.get("/")
@access.organiser_required
def index():
    """List the members in the organiser's subtree, searchable and filtered."""
    branch = None
    branch_id = request.args.get("branch", type=int)
    if branch_id:
        branch = org_queries.get_branch(current_user, branch_id)
    status = (
        PoliticalStatus(request.args["status"])
        if request.args.get("status") in PoliticalStatus._value2member_map_
        else None
    )
    state = request.args.get("state", "active")
    active = {"active": True, "inactive": False}.get(state)
    page = queries.list_members(
        current_user,
        search=request.args.get("q", ""),
        branch=branch,
        status=status,
        active=active,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["MEMBERS_PER_PAGE"],
    )
    return render_template(
        "members/index.html",
        page=page,
        branches=org_queries.list_branches(current_user),
        selected_branch=branch,
        selected_status=status,
        state=state,
        statuses=list(PoliticalStatus),
        branch_label=org_queries.branch_label,
    )


@bp.route("/new", methods=["GET", "POST"])
@access.organiser_required
def create():
    """Add one member; they set their own password at first login."""
    form = NewMemberForm()
    _prepare(form)
    if request.method == "GET" and request.args.get("branch", type=int):
        form.branch_id.data = request.args.get("branch", type=int)
    if form.validate_on_submit():
        member = perform(
            lambda: services.create_member(
                current_user, _member_data(form), form.initial_password.data, china_today()
            ),
            lambda m: f"已添加{m.name}。请把账号和初始密码告知本人，首次登录时须修改密码。",
        )
        if member is not FAILED:
            return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/form.html", form=form, member=None)


@bp.get("/<int:member_id>")
@access.organiser_required
def show(member_id: int):
    """Show a member with their branch history and the actions on them."""
    member = queries.get_member(current_user, member_id)
    blocked_until = (
        services.wait_until_text(member.login_blocked_until)
        if services.is_blocked(member, utcnow())
        else None
    )
    return render_template(
        "members/show.html",
        member=member,
        can_manage=access.can_manage_member(current_user, member),
        action_form=ActionForm(),
        blocked_until=blocked_until,
    )


def _managed_member(member_id: int) -> Member:
    member = queries.get_member(current_user, member_id)
    if not access.can_manage_member(current_user, member):
        abort(403)
    return member


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@access.organiser_required
def edit(member_id: int):
    """Edit a member's details."""
    member = _managed_member(member_id)
    form = MemberForm(obj=member)
    _prepare(form)
    if request.method == "GET":
        form.scope_branch_id.data = member.scope_branch_id
    if (
        form.validate_on_submit()
        and perform(
            lambda: services.update_member(current_user, member, _member_data(form), china_today()),
            "已保存。",
        )
        is not FAILED
    ):
        return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/form.html", form=form, member=member)


@bp.route("/<int:member_id>/move", methods=["GET", "POST"])
@access.organiser_required
def move(member_id: int):
    """Move a member to another branch (组织关系转接), keeping the history."""
    member = _managed_member(member_id)
    form = MoveMemberForm()
    form.branch_id.choices = _branch_choices(exclude_id=member.branch_id)
    if form.validate_on_submit():
        branch = org_queries.get_branch(current_user, form.branch_id.data)
        done = perform(
            lambda: services.move_member(current_user, member, branch, china_today()),
            f"已将{member.name}转入{branch.name}。",
        )
        if done is not FAILED:
            return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/move.html", form=form, member=member)


@bp.post("/<int:member_id>/active")
@access.organiser_required
def set_active(member_id: int):
    """Deactivate (离开本单位) or bring back a member."""
    member = _managed_member(member_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    perform(
        lambda: services.set_member_active(current_user, member, active, china_today()),
        f"已{'恢复' if active else '停用'}{member.name}的账号。",
    )
    return redirect(url_for("members.show", member_id=member.id))


@bp.route("/<int:member_id>/password", methods=["GET", "POST"])
@access.organiser_required
def reset_password(member_id: int):
    """Give a member a temporary password."""
    member = _managed_member(member_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        done = perform(
            lambda: services.reset_password(current_user, member, form.temporary_password.data),
            f"已重置{member.name}的密码，请把临时密码告知本人；下次登录时须修改。",
        )
        if done is not FAILED:
            return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/reset_password.html", form=form, member=member)


@bp.post("/<int:member_id>/unlock")
@access.organiser_required
def unlock_login(member_id: int):
    """Lift the pause that wrong passwords put on a member's logins (解除登录限制)."""
    member = _managed_member(member_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(
        lambda: services.unlock_login(current_user, member),
        f"已解除{member.name}的登录限制，可以立即重新登录。",
    )
    return redirect(url_for("members.show", member_id=member.id))


@bp.route("/import", methods=["GET", "POST"])
@access.organiser_required
def import_roster():
    """Import a roster file: every row is checked first; one bad row stops it all."""
    form = ImportForm()
    result = None
    rejected: imports.RosterRejected | None = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = run(
                lambda: imports.import_roster(
                    current_user,
                    upload.filename or "",
                    upload.read(),
                    china_today(),
                    dry_run=form.dry_run.data,
                ),
                dry_run=form.dry_run.data,
            )
        except imports.RosterRejected as exc:
            rejected = exc
        except DomainError as exc:
            flash(exc.message, "error")
    slip_ids = exports.encode_ids(result.created_ids) if result and result.created_ids else None
    return render_template(
        "members/import.html", form=form, result=result, rejected=rejected, slip_ids=slip_ids
    )


@bp.get("/import/template.<kind>")
@access.organiser_required
def import_template(kind: str):
    """Download the roster template (.xlsx or .csv)."""
    if kind == "xlsx":
        data = imports.roster_template_xlsx()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif kind == "csv":
        data = imports.roster_template_csv()
        mimetype = "text/csv"
    else:
        abort(404)
    return send_file(
        BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"党员花名册导入模板.{kind}",
    )


@bp.get("/credentials")
@access.organiser_required
def credentials():
    """List, branch by branch, the members who have not logged in with their one-time code."""
    members = queries.list_unactivated(current_user)
    counts = Counter(member.branch_id for member in members)
    branches = list({member.branch_id: member.branch for member in members}.values())
    return render_template(
        "members/credentials.html",
        total=len(members),
        counts=counts,
        branches=branches,
        usage=exports.USAGE,
    )


@bp.get("/credentials.xlsx")
@access.organiser_required
def credentials_xlsx():
    """Download the slip sheet of those members: all, one branch's, or one import's (``ids``)."""
    branch = None
    branch_id = request.args.get("branch", type=int)
    if branch_id:
        branch = org_queries.get_branch(current_user, branch_id)
    ids = None
    if "ids" in request.args:
        try:
            ids = exports.decode_ids(request.args["ids"])
        except ValueError:
            abort(400)
    members = queries.list_unactivated(current_user, branch=branch, ids=ids)
    if not members:
        flash(
            "没有可打印登录凭条的人员：他们已用登录码登录并设置了密码，或不在您的管理范围内。",
            "info",
        )
        return redirect(url_for("members.credentials"))
    if branch is not None:
        scope_name = branch.name
    elif ids is not None:
        scope_name = "本次导入"
    else:
        scope_name = access.managed_root(current_user).name
    response = send_file(
        BytesIO(exports.slip_xlsx(members)),
        mimetype=exports.XLSX,
        as_attachment=True,
        download_name=exports.slip_filename(scope_name, china_today()),
    )
    response.headers["Cache-Control"] = "no-store"  # login codes: keep no copy on the way
    return response


@bp.post("/<int:member_id>/code")
@access.organiser_required
def issue_code(member_id: int):
    """Give a member a new one-time login code and show it this once."""
    member = _managed_member(member_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    ended = (
        "原密码已失效，该人员已在所有设备上退出登录" if member.password_hash else "原登录码已失效"
    )
    code = perform(
        lambda: services.issue_login_code(current_user, member),
        f"已为{member.name}生成新的一次性登录码，{ended}。",
    )
    if code is FAILED:
        return redirect(url_for("members.show", member_id=member.id))
    # Rendered, not redirected: the code must not travel in the (signed, readable) session.
    response = current_app.make_response(
        render_template("members/code.html", member=member, code=code, usage=exports.USAGE)
    )
    response.headers["Cache-Control"] = "no-store"
    return response

"""Member management pages: list, create, edit, move, deactivate, reset password, unlock,
a new one-time login code (the roster import and slip sheets: ``roster_pages.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from quizapp import access
from quizapp.actions import FAILED, perform
from quizapp.clock import china_today, utcnow
from quizapp.forms import ActionForm, BaseForm
from quizapp.members import exports, logins, queries, services
from quizapp.members.forms import (
    MemberForm,
    MoveMemberForm,
    NewMemberForm,
    ResetPasswordForm,
)
from quizapp.members.models import Member, PoliticalStatus, Role
from quizapp.org import queries as org_queries
from quizapp.org.labels import BranchNames
from quizapp.org.models import Branch, BranchKind
from quizapp.pagination import page_number

T = TypeVar("T")

bp = Blueprint("members", __name__)


def _branch_choices(exclude_id: int | None = None) -> list[SelectChoice]:
    branches = org_queries.list_branches(current_user, active_only=True)
    names = BranchNames.load()
    return [
        SelectChoice(b.id, names.choice(b))
        for b in branches
        if b.kind == BranchKind.BRANCH and b.id != exclude_id
    ]


def _scope_choices() -> list[SelectChoice]:
    branches = org_queries.list_branches(current_user, active_only=True)
    names = BranchNames.load()
    return [SelectChoice("", "（所属支部）")] + [
        SelectChoice(b.id, names.choice(b)) for b in branches
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
    branch = org_queries.find_branch(current_user, request.args.get("branch", type=int))
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
        page=page_number(),
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
        logins.wait_until_text(member.login_blocked_until)
        if logins.is_blocked(member, utcnow())
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


def _post_action(
    member_id: int, act: Callable[[Member], object], message: Callable[[Member], str]
) -> Response:
    """Do one confirmed action (an ``ActionForm`` POST) on a member, then show the member."""
    member = _managed_member(member_id)
    perform(lambda: act(member), message(member))
    return redirect(url_for("members.show", member_id=member.id))


def _member_form(
    member: Member,
    form: BaseForm,
    template: str,
    act: Callable[[], T],
    success: str | Callable[[T], str],
) -> Response | str:
    """Do ``act`` once the form is posted and valid, then show the member; else the form."""
    if form.validate_on_submit() and perform(act, success) is not FAILED:
        return redirect(url_for("members.show", member_id=member.id))
    return render_template(template, form=form, member=member)


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@access.organiser_required
def edit(member_id: int):
    """Edit a member's details."""
    member = _managed_member(member_id)
    form = MemberForm(obj=member)
    _prepare(form)
    if request.method == "GET":
        form.scope_branch_id.data = member.scope_branch_id
    return _member_form(
        member,
        form,
        "members/form.html",
        lambda: services.update_member(current_user, member, _member_data(form), china_today()),
        "已保存。",
    )


@bp.route("/<int:member_id>/move", methods=["GET", "POST"])
@access.organiser_required
def move(member_id: int):
    """Move a member to another branch (组织关系转接), keeping the history."""
    member = _managed_member(member_id)
    form = MoveMemberForm()
    form.branch_id.choices = _branch_choices(exclude_id=member.branch_id)

    def move_to_branch() -> Branch:
        branch = org_queries.get_branch(current_user, form.branch_id.data)
        services.move_member(current_user, member, branch, china_today())
        return branch

    return _member_form(
        member,
        form,
        "members/move.html",
        move_to_branch,
        lambda branch: f"已将{member.name}转入{branch.name}。",
    )


@bp.post("/<int:member_id>/active")
@access.organiser_required
def set_active(member_id: int):
    """Deactivate (离开本单位) or bring back a member."""
    active = request.form.get("active") == "1"
    return _post_action(
        member_id,
        lambda m: services.set_member_active(current_user, m, active, china_today()),
        lambda m: f"已{'恢复' if active else '停用'}{m.name}的账号。",
    )


@bp.route("/<int:member_id>/password", methods=["GET", "POST"])
@access.organiser_required
def reset_password(member_id: int):
    """Give a member a temporary password."""
    member = _managed_member(member_id)
    form = ResetPasswordForm()
    return _member_form(
        member,
        form,
        "members/reset_password.html",
        lambda: logins.reset_password(current_user, member, form.temporary_password.data),
        f"已重置{member.name}的密码，请把临时密码告知本人；下次登录时须修改。",
    )


@bp.post("/<int:member_id>/unlock")
@access.organiser_required
def unlock_login(member_id: int):
    """Lift the pause that wrong passwords put on a member's logins (解除登录限制)."""
    return _post_action(
        member_id,
        lambda m: logins.unlock_login(current_user, m),
        lambda m: f"已解除{m.name}的登录限制，可以立即重新登录。",
    )


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
        lambda: logins.issue_login_code(current_user, member),
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


# The roster import and login-code slip pages join this blueprint; imported last, after ``bp``.
from quizapp.members import roster_pages  # noqa: E402, F401

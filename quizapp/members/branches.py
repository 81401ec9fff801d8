"""The organisation tree's pages (/manage/branches): the tree with its members, creating,
renaming, moving and deactivating nodes.

They live with the members because they count them and deactivate a branch only once its
members have moved; the blueprint keeps the name ``org`` (its endpoints and templates are
the organisation's)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from quizapp import access
from quizapp.actions import FAILED, perform
from quizapp.forms import ActionForm
from quizapp.members import queries as member_queries
from quizapp.members import services as member_services
from quizapp.org import queries, services
from quizapp.org.forms import BranchForm, MoveBranchForm, NewBranchForm
from quizapp.org.labels import BranchNames
from quizapp.org.models import BranchKind

bp = Blueprint("org", __name__)


@bp.get("/branches")
@access.organiser_required
def branches():
    """Show the organisation tree with member counts."""
    return render_template(
        "org/branches.html",
        tree=member_queries.get_tree(current_user),
        action_form=ActionForm(),
        root=access.managed_root(current_user),
    )


@bp.route("/branches/new", methods=["GET", "POST"])
@access.organiser_required
def create_branch():
    """Create a unit or a branch under the given parent."""
    parent = queries.get_branch(current_user, request.args.get("parent", type=int) or 0)
    form = NewBranchForm()
    if parent.kind == BranchKind.BRANCH:
        abort(404)
    if form.validate_on_submit():
        created = perform(
            lambda: services.create_branch(
                current_user,
                parent,
                BranchKind(form.kind.data),
                form.code.data,
                form.name.data,
                form.sort_order.data or 0,
            ),
            lambda branch: f"已创建{branch.name}。",
        )
        if created is not FAILED:
            return redirect(url_for("org.branches"))
    return render_template("org/branch_form.html", form=form, parent=parent, branch=None)


@bp.route("/branches/<int:branch_id>/edit", methods=["GET", "POST"])
@access.organiser_required
def edit_branch(branch_id: int):
    """Rename a node or change its code and order."""
    branch = queries.get_branch(current_user, branch_id)
    form = BranchForm(obj=branch)
    if form.validate_on_submit():
        done = perform(
            lambda: services.update_branch(
                current_user, branch, form.code.data, form.name.data, form.sort_order.data or 0
            ),
            "已保存。",
        )
        if done is not FAILED:
            return redirect(url_for("org.branches"))
    return render_template("org/branch_form.html", form=form, parent=branch.parent, branch=branch)


@bp.route("/branches/<int:branch_id>/move", methods=["GET", "POST"])
@access.organiser_required
def move_branch(branch_id: int):
    """Move a node and its subtree under another parent."""
    branch = queries.get_branch(current_user, branch_id)
    if not access.can_restructure_branch(current_user, branch):
        abort(403)
    form = MoveBranchForm()
    allowed = services.ALLOWED_CHILDREN
    names = BranchNames.load()
    form.parent_id.choices = [
        SelectChoice(b.id, names.choice(b))
        for b in queries.list_branches(current_user, active_only=True)
        if BranchKind(branch.kind) in allowed[BranchKind(b.kind)]
        and not branch.contains(b)
        and b.id != branch.parent_id
    ]
    if form.validate_on_submit():
        new_parent = queries.get_branch(current_user, form.parent_id.data)
        done = perform(
            lambda: services.move_branch(current_user, branch, new_parent), f"已移动{branch.name}。"
        )
        if done is not FAILED:
            return redirect(url_for("org.branches"))
    return render_template("org/branch_move.html", form=form, branch=branch)


@bp.post("/branches/<int:branch_id>/active")
@access.organiser_required
def set_branch_active(branch_id: int):
    """Deactivate or reactivate a node."""
    branch = queries.get_branch(current_user, branch_id)
    if not access.can_restructure_branch(current_user, branch):
        abort(403)
    active = request.form.get("active") == "1"
    perform(
        lambda: member_services.set_branch_active(current_user, branch, active),
        f"已{'启用' if active else '停用'}{branch.name}。",
    )
    return redirect(url_for("org.branches"))

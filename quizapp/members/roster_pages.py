"""Roster pages of member management: the roster import (花名册导入) and its templates, and
the slip sheets of one-time login codes (登录凭条) for members who have not logged in yet.

Their routes join the ``members`` blueprint of :mod:`quizapp.members.manage`.
"""

from __future__ import annotations

from collections import Counter

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import access
from quizapp.actions import run
from quizapp.clock import china_today
from quizapp.downloads import CSV, attachment
from quizapp.errors import DomainError
from quizapp.members import exports, imports, queries, roster_files
from quizapp.members.forms import ImportForm
from quizapp.members.manage import bp
from quizapp.org import queries as org_queries
from quizapp.spreadsheets import XLSX


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
        data = roster_files.roster_template_xlsx()
        mimetype = XLSX
    elif kind == "csv":
        data = roster_files.roster_template_csv()
        mimetype = CSV
    else:
        abort(404)
    return attachment(
        data, f"党员花名册导入模板.{kind}", mimetype, english="roster-import-template"
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
    branch = org_queries.find_branch(current_user, request.args.get("branch", type=int))
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
    today = china_today()
    response = attachment(
        exports.slip_xlsx(members),
        exports.slip_filename(scope_name, today),
        english=f"login-slips-{today.isoformat()}",
    )
    response.headers["Cache-Control"] = "no-store"  # login codes: keep no copy on the way
    return response

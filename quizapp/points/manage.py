"""Points pages for organisers (/manage/points): the monthly red/yellow/blue ranking, a member's
ledger with corrections, and the rules; on the blueprint of ``routes.py``."""

from __future__ import annotations

import re
import secrets
from datetime import date

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import access, clock
from quizapp.actions import FAILED, perform
from quizapp.forms import ActionForm
from quizapp.members import queries as member_queries
from quizapp.members.models import Member
from quizapp.points import corrections, queries
from quizapp.points.forms import CorrectionForm, SettingsForm
from quizapp.points.routes import bp, ledger, month_bounds
from quizapp.points.rules import (
    DEFAULTS,
    Tier,
    effective_rules,
    effective_thresholds,
    save_point_settings,
)

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _chosen_month(today: date) -> tuple[date, str | None]:
    """The first day of ?month=YYYY-MM, not after this month (default: this month), and the
    problem with a month asked for that is none (the page then shows this month)."""
    asked = request.args.get("month", "")
    match = MONTH.match(asked)
    if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 2000:
        chosen = date(int(match[1]), int(match[2]), 1)
        return min(chosen, today.replace(day=1)), None
    problem = f"月份“{asked[:20]}”无效，请按“年-月”选择（如 {today:%Y-%m}）。下面是本月的排名。"
    return today.replace(day=1), problem if asked else None


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# Organisers: the ranking


@bp.get("/manage/points/")
@access.organiser_required
def ranking():
    """Rank the branches in scope by points per member in a month, into red, yellow, blue."""
    today = clock.china_today()
    month, problem = _chosen_month(today)
    thresholds = effective_thresholds()
    lines = queries.ranking(current_user, *month_bounds(month), thresholds)
    return render_template(
        "points/ranking.html",
        problem=problem,
        lines=lines,
        month=month,
        thresholds=thresholds,
        tiers=queries.count_tiers(lines),
        Tier=Tier,
        top_count=queries.TOP_MEMBERS,
        previous=_shift(month, -1),
        following=_shift(month, 1) if month < today.replace(day=1) else None,
        this_month=today.replace(day=1),
    ), (400 if problem else 200)


# Organisers: one member's ledger and corrections


def _render_member(member: Member, form: CorrectionForm | None):
    today = clock.china_today()
    month, total = queries.member_sums(member.id, *month_bounds(today))
    can_correct = corrections.may_correct(current_user, member)
    return render_template(
        "points/member.html",
        member=member,
        month_points=month,
        total_points=total,
        form=form if can_correct else None,
        action_form=ActionForm(),
        can_correct=can_correct,
        today=today,
        **ledger(member.id),
    )


def _blank_correction() -> CorrectionForm:
    form = CorrectionForm(formdata=None)
    form.day.data = clock.china_today()
    form.token.data = secrets.token_urlsafe(16)
    return form


@bp.get("/manage/points/members/<int:member_id>")
@access.organiser_required
def member(member_id: int):
    """A member's points ledger, with the correction form for those the organiser manages."""
    found = member_queries.get_member(current_user, member_id)
    return _render_member(found, _blank_correction())


@bp.post("/manage/points/members/<int:member_id>/corrections")
@access.organiser_required
def correct(member_id: int):
    """Add a 补发 or 扣减 entry with its reason (a double submit writes one entry)."""
    found = member_queries.get_member(current_user, member_id)
    if not corrections.may_correct(current_user, found):
        abort(403)
    form = CorrectionForm()
    if not form.validate():
        return _render_member(found, form)
    data = form.data_for()
    done = perform(
        lambda: corrections.correct_points(current_user, found, data, clock.utcnow()),
        lambda result: (
            f"已{corrections.KINDS[data.kind]} {data.points} 分。"
            if result[1]
            else "这次调整已经记录过了，没有重复记录。"
        ),
    )
    if done is FAILED:
        return _render_member(found, form)
    return redirect(url_for("points.member", member_id=found.id))


@bp.post("/manage/points/entries/<int:entry_id>/reverse")
@access.organiser_required
def reverse(entry_id: int):
    """Undo a correction with an entry of the opposite sign (the original stays)."""
    entry = queries.get_entry(current_user, entry_id)
    if not corrections.may_correct(current_user, entry.member):
        abort(403)
    perform(
        lambda: corrections.reverse_correction(current_user, entry, clock.utcnow()),
        "已撤销这条调整。",
    )
    return redirect(url_for("points.member", member_id=entry.member_id))


# The rules and the thresholds


@bp.route("/manage/points/settings", methods=["GET", "POST"])
@access.organiser_required
def settings():
    """Show the rules and the tier thresholds; admins change them."""
    is_admin = current_user.is_admin
    if request.method == "POST" and not is_admin:
        abort(403)
    form = SettingsForm()
    if request.method == "GET":
        form.fill(effective_rules(), effective_thresholds())
    elif form.validate():
        saved = perform(
            lambda: save_point_settings(
                current_user, form.rules(), form.thresholds(), clock.utcnow()
            ),
            "已保存积分规则。此后新增的积分按新规则计算，已有记录不变。",
        )
        if saved is not FAILED:
            return redirect(url_for("points.settings"))
    return render_template(
        "points/settings.html",
        form=form,
        is_admin=is_admin,
        rules=effective_rules(),
        thresholds=effective_thresholds(),
        defaults=DEFAULTS,
    )

"""Certificate pages for organisers, from a campaign's page: settings, issuing, the list with
its export, revoking; on the blueprint of ``routes.py``."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from quizapp import access, clock
from quizapp.actions import FAILED, perform
from quizapp.campaigns import queries as campaign_queries
from quizapp.campaigns.models import Campaign
from quizapp.certificates import exports, queries, services
from quizapp.certificates.forms import PlanForm, RevokeForm
from quizapp.certificates.routes import bp
from quizapp.downloads import attachment
from quizapp.forms import ActionForm
from quizapp.pagination import page_number

PER_PAGE = 50


def _render(
    campaign: Campaign,
    form: PlanForm | None = None,
    revoking: tuple[int, RevokeForm] | None = None,
):
    """Show the page: ``form`` is the settings as typed and refused; ``revoking`` the id of a
    certificate and its revoke form, refused, shown open as typed with its errors."""
    plan = queries.get_plan(campaign)
    if form is None:
        data = services.plan_data(plan) if plan else services.default_plan(campaign)
        form = PlanForm(data=vars(data))
    now = clock.utcnow()
    today = clock.china_today(now)
    held = queries.certified_ids(campaign)
    completed = queries.list_completed_ids(campaign, today, now)
    issued, revoked = queries.count_campaign_certificates(campaign)
    return render_template(
        "certificates/manage.html",
        campaign=campaign,
        plan=plan,
        form=form,
        action_form=ActionForm(),
        revoke_form=RevokeForm(formdata=None),
        revoking=revoking,
        completed=len(completed),
        pending=sum(member_id not in held for member_id in completed),
        issued=issued,
        revoked=revoked,
        today=today,
        page=queries.list_campaign_certificates(campaign, page=page_number(), per_page=PER_PAGE),
    )


def _back(campaign: Campaign, anchor: str = ""):
    return redirect(url_for("certificates.manage", campaign_id=campaign.id) + anchor)


@bp.get("/manage/campaigns/<int:campaign_id>/certificates")
@access.organiser_required
def manage(campaign_id: int):
    """Show a campaign's certificate settings, who may get one, and those issued."""
    return _render(campaign_queries.get_campaign(current_user, campaign_id))


@bp.post("/manage/campaigns/<int:campaign_id>/certificates/settings")
@access.organiser_required
def save_settings(campaign_id: int):
    """Turn a campaign's certificates on or off and set their title, wording, issuer, date."""
    campaign = campaign_queries.get_campaign(current_user, campaign_id)
    form = PlanForm()
    if not form.validate_on_submit():
        return _render(campaign, form)
    # With the texts checked above, what the service can still refuse is the date (before the
    # campaign starts, too long after it ends): said beside it, the form kept as typed.
    saved = perform(
        lambda: services.save_plan(current_user, campaign, form.data_of(), clock.utcnow()),
        "证书设置已保存。",
        errors=form.issued_on.errors,
    )
    if saved is FAILED:
        return _render(campaign, form)
    return _back(campaign)


@bp.post("/manage/campaigns/<int:campaign_id>/certificates/issue")
@access.organiser_required
def issue(campaign_id: int):
    """Issue certificates to every member who completed and has none yet (safe to repeat)."""
    campaign = campaign_queries.get_campaign(current_user, campaign_id)
    perform(
        lambda: services.issue_certificates(current_user, campaign, clock.utcnow()),
        lambda n: f"已为 {n} 人颁发证书。" if n else "没有需要新颁发证书的学员。",
    )
    return _back(campaign, "#issued")


@bp.get("/manage/campaigns/<int:campaign_id>/certificates.xlsx")
@access.organiser_required
def export(campaign_id: int):
    """Download the campaign's certificates (revoked ones too) as .xlsx."""
    campaign = campaign_queries.get_campaign(current_user, campaign_id)
    now = clock.utcnow()
    return attachment(
        exports.certificates_xlsx(current_user, campaign, now),
        exports.export_filename(campaign.title, now),
        english=f"campaign-{campaign.id}-certificates-{clock.china_today(now).isoformat()}",
    )


@bp.post("/manage/certificates/<int:certificate_id>/revoke")
@access.organiser_required
def revoke(certificate_id: int):
    """Revoke a certificate with a reason; it stays on the list as 已撤销."""
    certificate = queries.get_managed_certificate(current_user, certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        done = perform(
            lambda: services.revoke_certificate(
                current_user, certificate, form.reason.data, clock.utcnow()
            ),
            f"已撤销证书 {certificate.number}。",
            errors=form.reason.errors,
        )
        if done is not FAILED:
            return _back(certificate.campaign, "#issued")
        if certificate.is_revoked:  # revoked meanwhile: its row has no form left to show
            flash(form.reason.errors[-1], "error")
            return _back(certificate.campaign, "#issued")
    return _render(certificate.campaign, revoking=(certificate.id, form))

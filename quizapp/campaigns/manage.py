"""Campaign and training-class pages for organisers (/manage/campaigns), on the blueprint of
``routes.py``."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import access, clock
from quizapp.actions import FAILED, perform
from quizapp.audiences.forms import check_roster
from quizapp.audiences.services import describe
from quizapp.campaigns import gaps, queries, services
from quizapp.campaigns.choices import CampaignChoices
from quizapp.campaigns.forms import CampaignForm, RosterForm
from quizapp.campaigns.models import Campaign
from quizapp.campaigns.routes import bp
from quizapp.downloads import attachment
from quizapp.errors import DomainError
from quizapp.forms import ActionForm
from quizapp.members import queries as member_queries
from quizapp.pagination import filter_value, page_number, page_of

PER_PAGE = 20
#: Members per page of the organiser's progress table.
TABLE_PER_PAGE = 50
#: Members offered for ticking at a time; a search narrows them down.
CANDIDATES_SHOWN = 50
TABLE_FILTERS = {"all": "全部", "todo": "未完成", "done": "已完成"}


# Organisers


def _audience_text(campaign: Campaign) -> str:
    if campaign.is_training_class:
        return f"培训班名单（{len(campaign.audience.roster)} 人）"
    return describe(campaign.audience, current_user)


@bp.get("/manage/campaigns/")
@access.organiser_required
def manage_index():
    """List the campaigns and classes the organiser may read (their subtree's, and those of
    the levels above reaching it, read-only)."""
    page = queries.list_campaigns(current_user, page=page_number(), per_page=PER_PAGE)
    today = clock.china_today()
    return render_template(
        "campaigns/manage_index.html",
        page=page,
        kinds=services.KINDS,
        phases=services.PHASES,
        audience_text=_audience_text,
        phase=lambda c: services.phase_of(c, today),
        editable=lambda c: services.can_manage_campaign(current_user, c),
    )


@bp.route("/manage/campaigns/new", methods=["GET", "POST"])
@access.organiser_required
def create():
    """Create a campaign or training class (a draft) owned by the organiser's subtree."""
    form = CampaignForm(
        data=CampaignForm.defaults(clock.china_today()) if request.method == "GET" else None
    )
    choices = CampaignChoices(current_user, None)
    choices.offer(form)
    data = choices.submitted(form)
    if data is not None:
        campaign = perform(
            lambda: services.save_campaign(current_user, data),
            lambda c: (
                "已保存为草稿。"
                + ("请添加学员，然后发布。" if c.is_training_class else "确认无误后请发布。")
            ),
        )
        if campaign is not FAILED:
            return redirect(url_for("campaigns.manage_show", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=None)


@bp.route("/manage/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@access.organiser_required
def edit(campaign_id: int):
    """Change a campaign's settings, audience or requirements."""
    campaign = queries.get_campaign(current_user, campaign_id)
    form = CampaignForm(data=CampaignForm.values_of(campaign) if request.method == "GET" else None)
    choices = CampaignChoices(current_user, campaign)
    choices.offer(form)
    data = choices.submitted(form)
    if data is not None:
        saved = perform(lambda: services.save_campaign(current_user, data, campaign), "已保存。")
        if saved is not FAILED:
            return redirect(url_for("campaigns.manage_show", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=campaign)


def _render_manage_show(campaign: Campaign, roster_form: RosterForm) -> str:
    """Render the organiser's page of a campaign: settings, roster, everyone's progress (of
    the organiser's subtree; a campaign of a level above without its actions)."""
    today = clock.china_today()
    editable = services.can_manage_campaign(current_user, campaign)
    table = queries.get_progress_table(current_user, campaign, today)
    show = filter_value("show", TABLE_FILTERS, "all")
    # 缺少的项目: only the members who still lack one requirement (and so are 未完成).
    needs = dict(gaps.requirements(table))
    lack = filter_value("lack", needs, "")
    listed = gaps.lacking(table.rows, lack)
    rows = {
        "all": listed,
        "done": [r for r in listed if r.progress.complete],
        "todo": [r for r in listed if not r.progress.complete],
    }
    candidates = search = None
    if campaign.is_training_class and editable:
        search = request.args.get("q", "").strip()
        candidates = member_queries.list_members(
            current_user, search=search, per_page=CANDIDATES_SHOWN
        )
    roster_in_scope = [
        m for m in campaign.audience.roster if access.can_view_member(current_user, m)
    ]
    return render_template(
        "campaigns/manage_show.html",
        campaign=campaign,
        editable=editable,
        viewable=queries.list_viewable_requirements(current_user, campaign),
        kinds=services.KINDS,
        phase=services.phase_of(campaign, today),
        phases=services.PHASES,
        audience=_audience_text(campaign),
        table=table,
        show=show,
        needs=needs,
        lack=lack,
        missing=gaps.missing,
        filters=TABLE_FILTERS,
        counts={key: len(value) for key, value in rows.items()},
        page=page_of(rows[show], page_number(), TABLE_PER_PAGE),
        roster=sorted(roster_in_scope, key=lambda m: (m.name, m.id)),
        roster_hidden=len(campaign.audience.roster) - len(roster_in_scope),
        on_roster={m.id for m in campaign.audience.roster},
        candidates=candidates,
        search=search,
        roster_form=roster_form,
        action_form=ActionForm(),
    )


@bp.get("/manage/campaigns/<int:campaign_id>")
@access.organiser_required
def manage_show(campaign_id: int):
    """Show a campaign's settings, a training class's roster and everyone's progress."""
    campaign = queries.get_viewable_campaign(current_user, campaign_id)
    return _render_manage_show(campaign, RosterForm())


@bp.get("/manage/campaigns/<int:campaign_id>/progress.xlsx")
@access.organiser_required
def progress_export(campaign_id: int):
    """Download everyone's checklist: each requirement met or how far, and what is missing (of
    the organiser's subtree, also on a campaign of a level above)."""
    campaign = queries.get_viewable_campaign(current_user, campaign_id)
    now = clock.utcnow()
    table = queries.get_progress_table(current_user, campaign, clock.china_today(now))
    return attachment(
        gaps.progress_xlsx(campaign, table, now),
        gaps.export_filename(campaign, now),
        english=f"campaign-{campaign.id}-progress-{clock.china_today(now).isoformat()}",
    )


@bp.post("/manage/campaigns/<int:campaign_id>/roster")
@access.organiser_required
def roster(campaign_id: int):
    """Enrol ticked, pasted or uploaded members in a training class, or take ticked ones off.

    Every 警号 and 手机号 must name someone in the organiser's scope: if one doesn't, the
    page says which and nothing is saved.
    """
    campaign = queries.get_campaign(current_user, campaign_id)
    form = RosterForm()
    removing = request.form.get("action") == "remove"
    if not form.validate_on_submit():
        return _render_manage_show(campaign, form)
    try:
        entries = [] if removing else form.typed_entries()
    except DomainError as exc:
        form.file.errors.append(exc.message)
        return _render_manage_show(campaign, form)
    found = check_roster(current_user, form.entries, entries, then="名单未保存。")
    ticked = queries.list_members_by_id(current_user, form.member_ids.data or [])
    if len(ticked) != len(set(form.member_ids.data or [])):
        abort(404)  # a forged id: someone out of scope or no one at all
    if form.entries.errors:
        return _render_manage_show(campaign, form)
    members = ticked + found.members
    if removing:
        perform(
            lambda: services.remove_members(current_user, campaign, members),
            lambda n: f"已将 {n} 人移出培训班名单。",
        )
    else:
        named = len({m.id for m in members})
        perform(
            lambda: services.enrol_members(current_user, campaign, members),
            lambda n: (
                f"已加入 {n} 人。" + (f"另有 {named - n} 人原已在名单中。" if named > n else "")
            ),
        )
    return redirect(url_for("campaigns.manage_show", campaign_id=campaign.id) + "#roster")


@bp.post("/manage/campaigns/<int:campaign_id>/publish")
@access.organiser_required
def publish(campaign_id: int):
    """Publish a campaign (its members see it) or take it back to draft."""
    campaign = queries.get_campaign(current_user, campaign_id)
    published = request.form.get("published") == "1"
    label = services.KINDS[campaign.kind]
    perform(
        lambda: services.set_published(current_user, campaign, published),
        f"已发布，参加人员可以在首页看到该{label}。"
        if published
        else f"已撤回为草稿，党员将看不到该{label}；已有的学习记录不受影响。",
    )
    return redirect(url_for("campaigns.manage_show", campaign_id=campaign.id))

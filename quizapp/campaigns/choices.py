"""The branches, materials and quizzes the campaign form offers an organiser, and the
posted form read back into CampaignData (only what was offered can be chosen)."""

from __future__ import annotations

from wtforms import SelectChoice

from quizapp import access, clock
from quizapp.audiences.forms import branch_choices, offered_branches
from quizapp.campaigns import queries, services
from quizapp.campaigns.forms import CampaignForm
from quizapp.campaigns.models import Campaign
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.quizzes.models import QuizStatus
from quizapp.study.models import MaterialStatus


def _owner_mark(actor: Member, owner: Branch) -> str:
    """Name the level above that owns a material or quiz offered on the form (else nothing)."""
    if access.can_manage_branch(actor, owner):
        return ""
    return "【局级】" if owner.parent_id is None else f"【{owner.name}】"


class CampaignChoices:
    """The branches, materials and quizzes the form offers, kept to read the answers back."""

    def __init__(self, actor: Member, campaign: Campaign | None) -> None:
        self.actor = actor
        audience = campaign.audience if campaign else None
        self.branches = {b.id: b for b in offered_branches(actor, audience)}
        self.materials = {m.id: m for m in queries.list_material_choices(actor, campaign)}
        self.quizzes = {q.id: q for q in queries.list_quiz_choices(actor, campaign)}

    def offer(self, form: CampaignForm) -> None:
        status_notes = {s: f"（{s.label}）" for s in (MaterialStatus.DRAFT, MaterialStatus.RETIRED)}
        draft = f"，{QuizStatus.DRAFT.label}"
        form.set_choices(
            branch_choices(self.branches.values()),
            [
                SelectChoice(
                    m.id,
                    f"{_owner_mark(self.actor, m.owner_branch)}{m.topic} · {m.title}"
                    f"（{m.estimated_minutes} 分钟）{status_notes.get(m.status, '')}",
                )
                for m in self.materials.values()
            ],
            [
                SelectChoice(
                    q.id,
                    f"{_owner_mark(self.actor, q.owner_branch)}{q.title}"
                    f"（{clock.format_datetime(q.opens_at)[:10]} 开始"
                    f"{'' if q.is_published else draft}）",
                )
                for q in self.quizzes.values()
            ],
        )

    def submitted(self, form: CampaignForm) -> services.CampaignData | None:
        """Validate a posted form and read it into CampaignData; None (with field errors) if not."""
        if not form.validate_on_submit():
            return None
        must_pass = set(form.must_pass_ids.data or [])
        return services.CampaignData(
            title=form.title.data.strip(),
            description=(form.description.data or "").strip(),
            kind=form.kind.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            minute_target=form.minute_target.data,
            offline_counts_as_minutes=form.offline_counts_as_minutes.data,
            offline_sessions_required=form.offline_sessions_required.data,
            reflections_required=form.reflections_required.data,
            materials=[self.materials[i] for i in form.material_ids.data or []],
            quizzes=[(self.quizzes[i], i in must_pass) for i in form.quiz_ids.data or []],
            branches=[self.branches[i] for i in form.branch_ids.data or []],
            statuses=list(form.statuses.data or []),
        )

"""Authorisation matrix rows for the bureau's own work, seen from the units below it.

The bureau owns a closed exam (sat by m1 of U1 and 丙同志 of U2), a material with a PDF and a
campaign, all published for the whole bureau, and a draft quiz. Organisers of U1 (org1) and
U2 (org2) read the published ones, with every figure and every exported row limited to their
own unit; neither may change them (404, as for anything outside their scope), nor see the
draft. The admin, who owns them, does everything. tests/test_authz_matrix.py runs the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from quizapp import db
from quizapp.campaigns.models import Campaign
from quizapp.members.models import Member, Membership, Role
from quizapp.quizzes.models import Quiz, QuizKind
from quizapp.study import files
from quizapp.study.models import Material
from tests.authz_world import U1_TEXT, Request, World, exists, made_once, url_of
from tests.authz_world import _campaign_form as world_campaign_form
from tests.authz_world import _material_form as world_material_form
from tests.authz_world import _quiz_form as world_quiz_form
from tests.conftest import TODAY
from tests.factories import add_attempt, make_campaign, make_material, make_quiz

#: What only U2's branches and people put on a page; org1 must never see it.
U2_TEXT = ("第二分局", "三所党支部", "二分局管理员", "丙同志")
#: Per organiser: the text of the other unit, which their pages and exports never show.
OTHER_UNIT = {"org1": U2_TEXT, "org2": U1_TEXT}
#: The mark of the bureau's work on the unit organisers' pages.
READ_ONLY = "局级 · 只读"

BUREAU_EXAM = "全局矩阵：局级考试"
BUREAU_DRAFT = "全局矩阵：局级草稿测试"
BUREAU_MATERIAL = "全局矩阵：局级资料"
BUREAU_CAMPAIGN = "全局矩阵：局级学习任务"


@dataclass(frozen=True)
class Shared(Request):
    """One request about the bureau's work and what each actor gets from it."""

    #: What org1 and org2 get: 200 for reads, 404 for writes and the draft.
    organisers: int = 200
    #: What the admin (the owner) gets.
    admin: int = 200
    #: Whether the organisers' page marks the work as the bureau's, read-only.
    marked: bool = False


def owners_only(endpoint: str, method: str, url: Callable[[World], str], **fields) -> Shared:
    """A page or a change of the bureau's work that only its owner may use: 404 below the
    bureau; a change redirects the admin (302) and is ``done`` only after the admin's."""
    admin = 302 if method == "POST" else 200
    return Shared(endpoint, method, url, organisers=404, admin=admin, **fields)


def owners_form(endpoint: str, url: Callable[[World], str], **fields) -> tuple[Shared, Shared]:
    """An edit page of the bureau's work and its submission, both the owner's only."""
    return owners_only(endpoint, "GET", url), owners_only(endpoint, "POST", url, **fields)


def _member_of_u2(w: World) -> Member:
    """丙同志, a member of B21 since 2025 (made on first use)."""
    found = db.session.scalar(select(Member).where(Member.police_no == "c2u2"))
    if found is None:
        found = Member(
            police_no="c2u2",
            name="丙同志",
            branch=w.b21,
            political_status="full",
            role=Role.MEMBER.value,
            password_hash=None,
        )
        found.memberships.append(Membership(branch=w.b21, started_on=date(2025, 1, 1)))
        db.session.add(found)
        db.session.flush()
    return found


def bureau_exam(w: World) -> Quiz:
    """The bureau's exam, closed two days ago, with one paper from each unit."""

    def make() -> Quiz:
        opens = datetime.now(UTC) - timedelta(days=2)
        exam = make_quiz(
            w.admin,
            [w.bureau],
            questions=[w.q1],
            now=opens,
            opens_in=timedelta(0),
            lasts=timedelta(hours=2),
            title=BUREAU_EXAM,
            kind=QuizKind.EXAM,
        )
        at = opens + timedelta(hours=1)
        add_attempt(w.m1, exam, score=2, passed=True, at=at, max_score=2)
        add_attempt(_member_of_u2(w), exam, score=0, passed=False, at=at, max_score=2)
        return exam

    return made_once(Quiz, BUREAU_EXAM, make)


def bureau_draft(w: World) -> Quiz:
    def make() -> Quiz:
        return make_quiz(w.admin, [w.bureau], questions=[w.q1], title=BUREAU_DRAFT, publish=False)

    return made_once(Quiz, BUREAU_DRAFT, make)


def bureau_material(w: World) -> Material:
    def make() -> Material:
        material = make_material(w, BUREAU_MATERIAL, topic="全局矩阵专题")
        files.store_pdf(material, "局级.pdf", b"%PDF-1.4 bureau")
        return material

    return made_once(Material, BUREAU_MATERIAL, make)


def bureau_campaign(w: World) -> Campaign:
    def make() -> Campaign:
        campaign = make_campaign(
            w.admin,
            BUREAU_CAMPAIGN,
            TODAY,
            TODAY + timedelta(days=30),
            30,
            branches=[w.bureau],
            materials=[bureau_material(w)],
        )
        campaign.is_published = True
        return campaign

    return made_once(Campaign, BUREAU_CAMPAIGN, make)


def shared_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` with the ids of the bureau's work."""
    return url_of(
        template,
        lambda w: {
            "exam": bureau_exam(w).id,
            "draft": bureau_draft(w).id,
            "material": bureau_material(w).id,
            "campaign": bureau_campaign(w).id,
            "b11": w.b11.id,
        },
    )


def _renamed(model, title: str) -> Callable[[World], bool]:
    """Whether a row of ``model`` now has ``title`` (the one asked for by the edit)."""
    return lambda w: exists(model.title, title)


def _bureau_wide(form: dict, w: World, **changes) -> dict:
    """One of the matrix's forms for U1's work, aimed at the whole bureau instead."""
    return form | {"branch_ids": str(w.bureau.id)} | changes


def _campaign_form(w: World) -> dict:
    ends_on = (TODAY + timedelta(days=30)).isoformat()
    form = world_campaign_form(w, "全局矩阵：被改的任务", kind="campaign")
    return _bureau_wide(form, w, ends_on=ends_on)


def _material_form(w: World) -> dict:
    form = world_material_form(w, "全局矩阵：被改的资料")
    return _bureau_wide(form, w, topic="全局矩阵专题")


def _quiz_form(w: World) -> dict:
    form = world_quiz_form(w, BUREAU_EXAM, description="全局矩阵：改过的说明")
    return _bureau_wide(form, w, kind="exam")


CASES: list[Shared] = [
    # Reads: listed and shown, marked read-only, figures of the organiser's own unit.
    Shared("dashboard.index", "GET", shared_url("/manage/")),
    Shared("quizzes.index", "GET", shared_url("/manage/quizzes/"), marked=True),
    Shared("quizzes.show", "GET", shared_url("/manage/quizzes/{exam}"), marked=True),
    Shared("results.quiz", "GET", shared_url("/manage/results/quizzes/{exam}"), marked=True),
    Shared("results.items", "GET", shared_url("/manage/results/quizzes/{exam}/items"), marked=True),
    Shared("results.export", "GET", shared_url("/manage/results/quizzes/{exam}/export.xlsx")),
    Shared("materials.index", "GET", shared_url("/manage/materials/"), marked=True),
    Shared("materials.show", "GET", shared_url("/manage/materials/{material}"), marked=True),
    Shared("materials.download", "GET", shared_url("/manage/materials/{material}/files/pdf")),
    Shared("campaigns.manage_index", "GET", shared_url("/manage/campaigns/"), marked=True),
    Shared("campaigns.manage_show", "GET", shared_url("/manage/campaigns/{campaign}"), marked=True),
    Shared("participation.report", "GET", shared_url("/manage/participation/quizzes/{exam}")),
    Shared("participation.report", "GET", shared_url("/manage/participation/campaigns/{campaign}")),
    Shared(
        "participation.export",
        "GET",
        shared_url("/manage/participation/campaigns/{campaign}/export.xlsx"),
    ),
    Shared(
        "participation.export",
        "GET",
        shared_url("/manage/participation/quizzes/{exam}/export.csv"),
    ),
    # The bureau's draft: nobody below the bureau sees it.
    Shared("quizzes.show", "GET", shared_url("/manage/quizzes/{draft}"), organisers=404),
    Shared("results.quiz", "GET", shared_url("/manage/results/quizzes/{draft}"), organisers=404),
    # Writes stay with the owner: 404 below it, as outside any organiser's scope.
    *owners_form(
        "quizzes.edit",
        shared_url("/manage/quizzes/{exam}/edit"),
        form=_quiz_form,
        done=lambda w: bureau_exam(w).description == "全局矩阵：改过的说明",
    ),
    owners_only("quizzes.preview", "GET", shared_url("/manage/quizzes/{exam}/preview")),
    owners_only(
        "quizzes.publish",
        "POST",
        shared_url("/manage/quizzes/{draft}/publish"),
        form=lambda w: {"published": "1"},
        done=lambda w: bureau_draft(w).is_published,
    ),
    owners_only(
        "quizzes.release_practice",
        "POST",
        shared_url("/manage/quizzes/{exam}/release-practice"),
        done=lambda w: bureau_exam(w).practice_released_at is not None,
    ),
    *owners_form(
        "materials.edit",
        shared_url("/manage/materials/{material}/edit"),
        form=_material_form,
        done=_renamed(Material, "全局矩阵：被改的资料"),
    ),
    owners_only(
        "materials.set_status",
        "POST",
        shared_url("/manage/materials/{material}/status"),
        form=lambda w: {"status": "retired"},
        done=lambda w: bureau_material(w).status == "retired",
    ),
    *owners_form(
        "campaigns.edit",
        shared_url("/manage/campaigns/{campaign}/edit"),
        form=_campaign_form,
        done=_renamed(Campaign, "全局矩阵：被改的任务"),
    ),
    owners_only(
        "campaigns.publish",
        "POST",
        shared_url("/manage/campaigns/{campaign}/publish"),
        form=lambda w: {"published": "0"},
        done=lambda w: not bureau_campaign(w).is_published,
    ),
    owners_only(
        "campaigns.roster",
        "POST",
        shared_url("/manage/campaigns/{campaign}/roster"),
        form=lambda w: {"action": "add", "member_ids": str(w.m1.id)},
    ),
]

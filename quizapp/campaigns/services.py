"""Campaigns and training classes: saving them, enrolling a class, publishing.

A campaign (学习任务) is for branches and political statuses; a training class (培训班) is
for an explicit roster, enrolled on its page. How far a member has got is read, not
written: :mod:`quizapp.campaigns.progress`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from quizapp import access, db, windows
from quizapp.audiences.models import Audience
from quizapp.audiences.services import (
    build_audience,
    check_roster_scope,
    covers,
    is_shared_with,
)
from quizapp.campaigns.models import Campaign, CampaignKind, CampaignQuiz
from quizapp.errors import DomainError, refuse
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.quizzes.models import Quiz, QuizStatus
from quizapp.study.models import Material, MaterialStatus

KINDS = {kind: kind.label for kind in CampaignKind}
PHASES = {"upcoming": "未开始", "running": "进行中", "finished": "已结束"}
#: A campaign's window of days, in the words of PHASES.
_PHASE_NAMES = {windows.UPCOMING: "upcoming", windows.OPEN: "running", windows.CLOSED: "finished"}
#: Bounds of the numbers an organiser sets (the form says the same).
MAX_MINUTE_TARGET = 10_000
MAX_OFFLINE_REQUIRED = 100
MAX_REFLECTIONS_REQUIRED = 20
#: The longest 说明 (free text) of a campaign.
DESCRIPTION_MAX = 2000
#: A period longer than this is a typing mistake (2026 → 2036).
MAX_PERIOD_YEARS = 3
#: The fields of CampaignData a campaign takes as they are (the form fills them the same way).
COPIED_FIELDS = (
    "kind",
    "starts_on",
    "ends_on",
    "minute_target",
    "offline_counts_as_minutes",
    "offline_sessions_required",
    "reflections_required",
)
#: Statuses of materials a campaign may newly require (a retired one may stay required).
PICKABLE_MATERIAL_STATUSES = (MaterialStatus.DRAFT, MaterialStatus.PUBLISHED)


@dataclass
class CampaignData:
    """Everything an organiser sets on a campaign."""

    title: str
    starts_on: date
    ends_on: date
    kind: str = CampaignKind.CAMPAIGN
    description: str = ""
    minute_target: int = 0
    offline_counts_as_minutes: bool = False
    offline_sessions_required: int = 0
    reflections_required: int = 0
    materials: list[Material] = field(default_factory=list)
    #: Required quizzes and whether each must be passed (not only sat).
    quizzes: list[tuple[Quiz, bool]] = field(default_factory=list)
    #: A campaign's audience; a training class ignores them (its audience is its roster).
    branches: list[Branch] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)


def phase_of(campaign: Campaign, today: date) -> str:
    """Return upcoming, running or finished on the China day ``today``."""
    return _PHASE_NAMES[windows.day_phase(campaign.starts_on, campaign.ends_on, today)]


def can_manage_campaign(actor: Member, campaign: Campaign) -> bool:
    """Tell whether ``actor`` manages the subtree that owns ``campaign``."""
    return access.can_manage_branch(actor, campaign.owner_branch)


def _check(data: CampaignData) -> list[str]:
    problems = []
    if not data.title.strip():
        problems.append("请填写标题")
    elif len(data.title.strip()) > 100:
        problems.append("标题不能超过 100 字")
    if len(data.description.strip()) > DESCRIPTION_MAX:
        problems.append(f"说明不能超过 {DESCRIPTION_MAX} 字")
    if data.kind not in KINDS:
        problems.append("请选择类型")
    problems += windows.day_range_problems(
        data.starts_on, data.ends_on, longest_years=MAX_PERIOD_YEARS
    )
    if not 0 <= data.minute_target <= MAX_MINUTE_TARGET:
        problems.append(f"学习时长要求应为 0 至 {MAX_MINUTE_TARGET} 分钟")
    if not 0 <= data.offline_sessions_required <= MAX_OFFLINE_REQUIRED:
        problems.append(f"线下学习次数要求应为 0 至 {MAX_OFFLINE_REQUIRED} 次")
    if not 0 <= data.reflections_required <= MAX_REFLECTIONS_REQUIRED:
        problems.append(f"心得体会篇数要求应为 0 至 {MAX_REFLECTIONS_REQUIRED} 篇")
    if data.offline_counts_as_minutes and not data.minute_target:
        problems.append("“线下学习计入学习时长”需要先设置学习时长要求")
    if not (
        data.minute_target
        or data.materials
        or data.quizzes
        or data.offline_sessions_required
        or data.reflections_required
    ):
        problems.append("请至少设置一项要求：学习时长、必学资料、必答测试、线下学习或心得体会")
    if data.kind == CampaignKind.CAMPAIGN and not data.branches:
        problems.append("请选择参加的组织")
    return problems


def _check_picks(actor: Member, data: CampaignData, campaign: Campaign | None) -> list[str]:
    """Materials and quizzes must be the actor's subtree's, or published by a level above for
    their members (shared_with); retired materials may only stay, as may anything chosen."""
    problems = []
    kept = {m.id for m in campaign.materials} if campaign else set()
    kept_quizzes = {cq.quiz_id for cq in campaign.quizzes} if campaign else set()
    if any(
        m.id not in kept
        and not is_shared_with(
            actor, m.owner_branch, m.audience, m.status == MaterialStatus.PUBLISHED
        )
        for m in data.materials
    ):
        problems.append("所选学习资料不在您的管理范围内")
    elif any(
        m.status not in PICKABLE_MATERIAL_STATUSES and m.id not in kept for m in data.materials
    ):
        problems.append("已下线的学习资料不能再设为必学")
    if any(
        q.id not in kept_quizzes
        and not is_shared_with(actor, q.owner_branch, q.audience, q.is_published)
        for q, _ in data.quizzes
    ):
        problems.append("所选测试不在您的管理范围内")
    hidden = [q.title for q, must_pass in data.quizzes if must_pass and q.review_when == "never"]
    if hidden:
        problems.append(
            f"测试「{'、'.join(hidden)}」不公布成绩，党员无从知道是否及格，不能设为“须及格”"
        )
    return problems


def save_campaign(actor: Member, data: CampaignData, campaign: Campaign | None = None) -> Campaign:
    """Create a campaign owned by the top of the actor's subtree, or update one they manage.

    Changing a campaign into a training class drops its branches (its roster is enrolled on
    its page); changing a training class into a campaign drops its roster.
    """
    root = access.owner_root(
        actor, campaign, refused="只有管理员可以创建学习任务。", not_yours="您无权修改该学习任务。"
    )
    problems = _check(data) + _check_picks(actor, data, campaign)
    if campaign is not None and campaign.is_published and data.kind != campaign.kind:
        problems.append("已发布的不能更改类型，请先撤回为草稿")
    refuse(problems)
    if data.kind == CampaignKind.CAMPAIGN:
        audience = build_audience(
            actor, data.branches, data.statuses, [], campaign.audience if campaign else None
        )
    else:
        audience = campaign.audience if campaign else Audience()
        audience.branches, audience.statuses = [], ""
    if campaign is None:
        campaign = Campaign(owner_branch=root, created_by_id=actor.id, is_published=False)
    campaign.audience = audience
    campaign.title = data.title.strip()
    campaign.description = data.description.strip()
    for name in COPIED_FIELDS:
        setattr(campaign, name, getattr(data, name))
    campaign.materials = list({m.id: m for m in data.materials}.values())
    must_pass = {q.id: bool(flag) for q, flag in data.quizzes}
    existing = {cq.quiz_id: cq for cq in campaign.quizzes}
    campaign.quizzes = [
        existing.get(quiz_id) or CampaignQuiz(quiz_id=quiz_id) for quiz_id in must_pass
    ]
    for cq in campaign.quizzes:
        cq.must_pass = must_pass[cq.quiz_id]
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _check_class_members(actor: Member, campaign: Campaign, members: list[Member]) -> None:
    if not can_manage_campaign(actor, campaign):
        raise DomainError("您无权修改该培训班的名单。")
    if not campaign.is_training_class:
        raise DomainError("只有培训班可以编排学员名单；学习任务按组织和政治面貌确定参加人员。")
    if not members:
        raise DomainError("请勾选人员，或填写警号、手机号。")
    check_roster_scope(actor, members)


def enrol_members(actor: Member, campaign: Campaign, members: list[Member]) -> int:
    """Add members to a training class's roster; return how many were not on it yet."""
    _check_class_members(actor, campaign, members)
    inactive = [m.name for m in members if not m.is_active]
    if inactive:
        raise DomainError(f"这些人员的账号已停用，不能加入培训班：{'、'.join(inactive)}。")
    roster = campaign.audience.roster
    on_roster = {m.id for m in roster}
    added = [m for m in {m.id: m for m in members}.values() if m.id not in on_roster]
    roster.extend(added)
    db.session.flush()
    return len(added)


def remove_members(actor: Member, campaign: Campaign, members: list[Member]) -> int:
    """Take members off a training class's roster; return how many were on it.

    Their study minutes, attempts and reflections stay; only their place in the class goes.
    """
    _check_class_members(actor, campaign, members)
    leaving = {m.id for m in members}
    roster = campaign.audience.roster
    kept = [m for m in roster if m.id not in leaving]
    removed = len(roster) - len(kept)
    campaign.audience.roster = kept
    db.session.flush()
    return removed


def _unreachable(campaign: Campaign) -> list[str]:
    """Name the requirements some of the campaign's members could never meet."""
    problems = []
    for material in campaign.materials:
        if material.status != MaterialStatus.PUBLISHED:
            problems.append(f"必学资料「{material.title}」尚未发布")
        elif not covers(material.audience, campaign.audience):
            problems.append(f"必学资料「{material.title}」的学习对象没有包含本任务的全部人员")
    for link in campaign.quizzes:
        quiz = link.quiz
        if quiz.status != QuizStatus.PUBLISHED:
            problems.append(f"测试「{quiz.title}」尚未发布")
        elif not covers(quiz.audience, campaign.audience):
            problems.append(f"测试「{quiz.title}」的参加范围没有包含本任务的全部人员")
    return problems


def set_published(actor: Member, campaign: Campaign, published: bool) -> None:
    """Publish a campaign (its members see it) or take it back to draft (progress is kept)."""
    if not can_manage_campaign(actor, campaign):
        raise DomainError("您无权发布或撤回该学习任务。")
    if published and campaign.is_training_class and not campaign.audience.roster:
        raise DomainError("培训班名单还是空的：请先添加学员，再发布。")
    if published:
        problems = _unreachable(campaign)
        refuse(problems, "以下要求有人无法完成，请先调整：")
    campaign.is_published = published
    db.session.flush()

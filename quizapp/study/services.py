"""Creating, publishing and retiring study materials (their files: :mod:`.files`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from quizapp import access, db, windows
from quizapp.audiences.services import build_audience
from quizapp.clock import utcnow
from quizapp.errors import DomainError, refuse
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.study.models import Material, MaterialStatus, StudyMinute
from quizapp.study.sanitize import render_markdown

#: status -> label.
STATUSES = {status: status.label for status in MaterialStatus}
TITLE_MAX = 100
TOPIC_MAX = 50
BODY_MAX = 100_000
MINUTES_MIN, MINUTES_MAX = 1, 600
SORT_MIN, SORT_MAX = -9999, 9999


@dataclass
class MaterialData:
    """Everything an organiser sets on a material except its files."""

    title: str
    topic: str
    body_markdown: str = ""
    estimated_minutes: int = 10
    #: Publish window (UTC); None at either end means open-ended.
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    is_required: bool = False
    sort_order: int = 0
    branches: list[Branch] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    roster: list[Member] = field(default_factory=list)


def window_problems(opens_at: datetime | None, closes_at: datetime | None) -> list[str]:
    """Return what is wrong with a material's window (either side may be left open)."""
    return windows.window_problems(opens_at, closes_at, start="开放时间")


def _check(data: MaterialData) -> list[str]:
    problems = []
    title, topic = data.title.strip(), data.topic.strip()
    if not title:
        problems.append("请填写标题")
    elif len(title) > TITLE_MAX:
        problems.append(f"标题不能超过 {TITLE_MAX} 字")
    if not topic:
        problems.append("请填写专题")
    elif len(topic) > TOPIC_MAX:
        problems.append(f"专题不能超过 {TOPIC_MAX} 字")
    if len(data.body_markdown) > BODY_MAX:
        problems.append(f"正文不能超过 {BODY_MAX} 字")
    if not MINUTES_MIN <= data.estimated_minutes <= MINUTES_MAX:
        problems.append(f"预计学习时长应为 {MINUTES_MIN} 至 {MINUTES_MAX} 分钟")
    problems += window_problems(data.opens_at, data.closes_at)
    if not SORT_MIN <= data.sort_order <= SORT_MAX:
        problems.append(f"排序应为 {SORT_MIN} 至 {SORT_MAX} 之间的整数")
    return problems


def can_manage_material(actor: Member, material: Material) -> bool:
    """Tell whether ``actor`` manages the subtree that owns ``material``."""
    return access.can_manage_branch(actor, material.owner_branch)


def save_material(actor: Member, data: MaterialData, material: Material | None = None) -> Material:
    """Create a material (a draft owned by the actor's subtree) or update one they manage."""
    root = access.owner_root(
        actor, material, refused="只有管理员可以维护学习资料。", not_yours="您无权修改该学习资料。"
    )
    problems = _check(data)
    refuse(problems)
    audience = build_audience(
        actor, data.branches, data.statuses, data.roster, material.audience if material else None
    )
    if material is None:
        material = Material(
            owner_branch=root, created_by_id=actor.id, status=MaterialStatus.DRAFT.value
        )
    material.audience = audience
    material.title = data.title.strip()
    material.topic = data.topic.strip()
    material.body_markdown = data.body_markdown
    # Sanitised once here; the pages show body_html as it is.
    material.body_html = render_markdown(data.body_markdown)
    material.estimated_minutes = data.estimated_minutes
    material.opens_at, material.closes_at = data.opens_at, data.closes_at
    material.is_required = data.is_required
    material.sort_order = data.sort_order
    # Always a new stamp: study tokens carry it, so pages shown before this edit (perhaps to
    # members no longer in the audience) stop earning minutes until they are reloaded.
    material.updated_at = utcnow()
    db.session.add(material)
    db.session.flush()
    return material


def has_content(material: Material) -> bool:
    """Tell whether there is anything to study: a body, a PDF or a video."""
    return bool(
        material.body_html.strip() or material.pdf_path or material.video_path or material.video_url
    )


def count_learners(material: Material, seen_by: Member | None = None) -> int:
    """Return how many members have study minutes on ``material``: all of them, or, for
    someone who only reads it (``seen_by`` a level below its owner), those whose current
    branch they manage."""
    query = select(func.count(func.distinct(StudyMinute.member_id))).where(
        StudyMinute.material_id == material.id
    )
    if seen_by is not None and not can_manage_material(seen_by, material):
        query = (
            query.join(Member, Member.id == StudyMinute.member_id)
            .join(Branch, Branch.id == Member.branch_id)
            .where(access.branch_scope(seen_by))
        )
    return db.session.scalar(query)


def set_status(actor: Member, material: Material, status: str, now: datetime | None = None) -> None:
    """Publish a material, withdraw it to draft (nobody studied it yet) or retire it."""
    if not can_manage_material(actor, material):
        raise DomainError("您无权发布或下线该学习资料。")
    if status not in STATUSES:
        raise DomainError("状态选择有误。")
    if status == material.status:
        raise DomainError(f"该学习资料已经是“{STATUSES[status]}”状态。")
    if status == MaterialStatus.PUBLISHED:
        if not has_content(material):
            raise DomainError("该学习资料还没有内容：请填写正文，或上传 PDF、视频后再发布。")
        if material.is_required and not (
            material.body_html.strip() or material.pdf_path or material.video_path
        ):
            # Minutes count while the material page is in front (its PDF is drawn inside the
            # page); a video link opens elsewhere, so a material with only that could never
            # be completed.
            raise DomainError(
                "必学资料需要有正文、PDF 或上传的视频（打开外部视频链接时不计学习时长）："
                "请补充正文，或改为选学。"
            )
        if material.closes_at is not None and material.closes_at <= (now or utcnow()):
            raise DomainError("开放时间已经结束，发布后党员也看不到：请先修改结束时间。")
    elif material.status != MaterialStatus.PUBLISHED:
        raise DomainError("只有已发布的学习资料可以撤回或下线。")
    elif status == MaterialStatus.DRAFT:
        learners = count_learners(material)
        if learners:
            raise DomainError(f"已有 {learners} 人学习过，不能撤回为草稿；如需停止学习，请下线。")
    material.status = status
    db.session.flush()

"""Writing, resubmitting and reviewing reflections (心得体会)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from quizapp import access, db
from quizapp.audiences.services import includes
from quizapp.campaigns.models import Campaign
from quizapp.errors import Conflict, DomainError
from quizapp.members.models import Member
from quizapp.notices.models import NoticeKind
from quizapp.notices.services import NoticeDraft, app_path, send_notice
from quizapp.study.models import Material, Reflection, ReflectionStatus

MIN_CHARS = 300
MAX_CHARS = 10_000
MAX_TITLE = 100
MAX_COMMENT = 1000
#: A member may change a reflection in these states; an accepted one is final.
EDITABLE = (ReflectionStatus.SUBMITTED, ReflectionStatus.RETURNED)
STATUS_LABELS = {status: status.label for status in ReflectionStatus}
WHITESPACE = re.compile(r"\s+")


@dataclass
class ReflectionData:
    """What a member writes."""

    title: str
    body: str


def clean_body(body: str) -> str:
    """Normalise line endings and trim the ends; the text is otherwise kept as written."""
    return body.replace("\r\n", "\n").replace("\r", "\n").strip()


def counted_chars(body: str) -> int:
    """Count the characters that make up the length rule: spaces and line breaks don't count."""
    return len(WHITESPACE.sub("", body))


def body_problem(body: str) -> str | None:
    """Return why ``body`` can't be handed in (too short or too long), or None."""
    text = clean_body(body)
    counted = counted_chars(text)
    if counted < MIN_CHARS:
        return f"正文至少 {MIN_CHARS} 字（不计空格和换行），目前 {counted} 字。"
    if len(text) > MAX_CHARS:
        return f"正文不能超过 {MAX_CHARS} 字，目前 {len(text)} 字。"
    return None


def may_see_material(member: Member, material: Material, now: datetime) -> bool:
    """Tell whether the member may see the material: published, in its window, for them."""
    return material.is_open(now) and includes(material.audience, member)


def may_see_campaign(member: Member, campaign: Campaign) -> bool:
    """Tell whether the member is in the campaign: published and its audience includes them."""
    return campaign.is_published and includes(campaign.audience, member)


def _check(data: ReflectionData) -> ReflectionData:
    title = data.title.strip()
    if not title:
        raise DomainError("请填写标题。")
    if len(title) > MAX_TITLE:
        raise DomainError(f"标题不能超过 {MAX_TITLE} 字。")
    problem = body_problem(data.body)
    if problem:
        raise DomainError(problem)
    return ReflectionData(title=title, body=clean_body(data.body))


def submit_reflection(
    member: Member, subject: Material | Campaign, data: ReflectionData, now: datetime
) -> Reflection:
    """Hand in a reflection on a material the member may see or a campaign they are in.

    A member has one waiting reflection per subject (a partial unique index): the same text
    handed in again (a double tap, a resubmit after a lost response) returns the one saved
    first; a different text is refused, the waiting one is to be changed instead.
    """
    if isinstance(subject, Material):
        if not may_see_material(member, subject, now):
            raise DomainError("该学习资料不存在、未发布或不面向您，不能撰写心得。")
        reflection = Reflection(material_id=subject.id)
    else:
        if not may_see_campaign(member, subject):
            raise DomainError("您不在该学习任务的参学范围内，不能撰写心得。")
        reflection = Reflection(campaign_id=subject.id)
    data = _check(data)
    waiting = waiting_reflection(member, subject)
    if waiting is not None:
        return _same_or_refuse(waiting, data, DomainError)
    reflection.member_id = member.id
    reflection.title = data.title
    reflection.body = data.body
    reflection.status = ReflectionStatus.SUBMITTED.value
    reflection.submitted_at = now
    try:
        with db.savepoint():
            db.session.add(reflection)
            db.session.flush()
    except IntegrityError as exc:  # the one waiting reflection: a double tap raced this one
        waiting = waiting_reflection(member, subject)
        if waiting is None:
            raise
        return _same_or_refuse(waiting, data, Conflict, exc)
    return reflection


def waiting_reflection(member: Member, subject: Material | Campaign) -> Reflection | None:
    """Return the member's reflection on ``subject`` that waits for review, if any."""
    column = Reflection.material_id if isinstance(subject, Material) else Reflection.campaign_id
    return db.session.scalar(
        select(Reflection).where(
            Reflection.member_id == member.id,
            column == subject.id,
            Reflection.status == ReflectionStatus.SUBMITTED.value,
        )
    )


def _same_or_refuse(
    waiting: Reflection,
    data: ReflectionData,
    error: type[DomainError],
    cause: Exception | None = None,
) -> Reflection:
    """Return ``waiting`` when it holds ``data`` (already handed in), else refuse."""
    if (waiting.title, waiting.body) == (data.title, data.body):
        return waiting
    raise error(
        f"您就此已有一篇待审阅的心得「{waiting.title}」，请打开它修改，审阅后再写新的。"
    ) from cause


def update_reflection(
    member: Member, reflection: Reflection, data: ReflectionData, now: datetime
) -> Reflection:
    """Change and hand in again a reflection that is waiting or was returned.

    The change is one conditional UPDATE, so an organiser's acceptance that lands first
    wins and the member is told, rather than the accepted text being changed afterwards.
    """
    if reflection.member_id != member.id:
        raise DomainError("只能修改本人撰写的心得。")
    if reflection.status not in EDITABLE:
        raise DomainError("该心得已审阅通过，不能再修改。")
    data = _check(data)
    other = _other_waiting(reflection)
    if other is not None:
        raise DomainError(
            f"您就此还有一篇待审阅的心得「{other.title}」，请待它审阅后再重新提交这篇。"
        )
    return _update_unless_changed(
        reflection,
        [Reflection.status.in_(EDITABLE)],
        {
            "title": data.title,
            "body": data.body,
            "status": ReflectionStatus.SUBMITTED.value,
            "submitted_at": now,
        },
        "该心得刚刚已审阅通过，不能再修改。",
    )


def _other_waiting(reflection: Reflection) -> Reflection | None:
    """Return another waiting reflection of the author on the same material or campaign."""
    subjects = [
        column == value
        for column, value in (
            (Reflection.material_id, reflection.material_id),
            (Reflection.campaign_id, reflection.campaign_id),
        )
        if value is not None
    ]
    return db.session.scalar(
        select(Reflection)
        .where(
            Reflection.member_id == reflection.member_id,
            Reflection.id != reflection.id,
            Reflection.status == ReflectionStatus.SUBMITTED.value,
            or_(*subjects),
        )
        .limit(1)
    )


def _update_unless_changed(
    reflection: Reflection, conditions: list, values: dict, changed: str
) -> Reflection:
    """Write ``values`` in one UPDATE that holds only while ``conditions`` do; else raise
    ``changed`` (someone else's change landed first)."""
    result = db.session.execute(
        update(Reflection)
        .where(Reflection.id == reflection.id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(changed)
    db.session.refresh(reflection)
    return reflection


def can_review(actor: Member, reflection: Reflection) -> bool:
    """Tell whether ``actor`` may review: the author's current branch is in their subtree."""
    return (
        access.managed_root(actor) is not None
        and reflection.member_id != actor.id
        and access.can_view_member(actor, reflection.member)
    )


def review_reflection(
    actor: Member,
    reflection: Reflection,
    decision: str,
    comment: str,
    seen_submitted_at: datetime | None,
    now: datetime,
) -> Reflection:
    """Accept a waiting reflection, or return it with a comment saying what to improve.

    ``seen_submitted_at`` is the version the organiser read: if the member changed the text
    since, the review is refused so that nobody accepts what they did not read.
    """
    if not access.can_view_member(actor, reflection.member) or access.managed_root(actor) is None:
        raise DomainError("该心得的作者不在您的管理范围内。")
    if reflection.member_id == actor.id:
        raise DomainError("不能审阅本人的心得，请由上级或其他管理员审阅。")
    if decision not in ("accept", "return"):
        raise DomainError("请选择通过或退回。")
    comment = comment.strip()
    if decision == "return" and not comment:
        raise DomainError("退回时请填写意见，告诉作者需要怎样修改。")
    if len(comment) > MAX_COMMENT:
        raise DomainError(f"意见不能超过 {MAX_COMMENT} 字。")
    if reflection.status != ReflectionStatus.SUBMITTED:
        raise DomainError("该心得已审阅过，待作者修改后重新提交才能再次审阅。")
    conditions = [Reflection.status == ReflectionStatus.SUBMITTED.value]
    if seen_submitted_at is not None:
        conditions.append(Reflection.submitted_at == seen_submitted_at)
    accepted = decision == "accept"
    reviewed = _update_unless_changed(
        reflection,
        conditions,
        {
            "status": (ReflectionStatus.ACCEPTED if accepted else ReflectionStatus.RETURNED).value,
            "review_comment": comment,
            "reviewer_id": actor.id,
            "reviewed_at": now,
        },
        "作者刚刚修改了这篇心得，或其他管理员已审阅。请重新阅读后再审阅。",
    )
    send_notice(review_notice(reviewed), now)
    return reviewed


def review_notice(reflection: Reflection) -> NoticeDraft:
    """The notice telling the author how their reflection was reviewed, with the comment.

    One per submitted version (its ``submitted_at``): a version is reviewed once, and a
    rewritten one handed in again gets its own notice when it is reviewed.
    """
    accepted = reflection.status == ReflectionStatus.ACCEPTED
    comment = reflection.review_comment.strip()
    if accepted:
        title = f"心得「{reflection.title}」已审阅通过"
        lines = [f"您的心得「{reflection.title}」已审阅通过。"]
    else:
        title = f"心得「{reflection.title}」被退回"
        lines = [f"您的心得「{reflection.title}」被退回，请按审阅意见修改后重新提交。"]
    if comment:
        lines.append(f"审阅意见：{comment}")
    return NoticeDraft(
        member_id=reflection.member_id,
        kind=NoticeKind.REFLECTION_REVIEWED,
        title=title,
        body="\n".join(lines),
        dedupe_key=f"reflection-review:{reflection.id}:{reflection.submitted_at:%Y%m%dT%H%M%S%f}",
        link=app_path("reflections.show", reflection_id=reflection.id),
    )

"""Progress: how far a member has got in a campaign.

Items (each met or not; the campaign is complete when all are):

- 学习时长: seconds credited on China days in the period, plus, when the campaign says so,
  the durations of offline sessions attended in the period; against ``minute_target``.
- 必学资料: each material is done once the member's seconds on it, on any day up to the end
  of the campaign, reach its estimated minutes.
- 必答测试: sat (a submitted attempt) or, when ``must_pass``, passed by the attempt the quiz's
  counting rule picks. A member doesn't see "passed" before the quiz publishes results; one
  not yet sat with an approved 缓考 whose window is still to end reads 缓考 (still not met).
- 线下学习: offline sessions held in the period that the member attended.
- 心得体会: the member's reflections on this campaign that were accepted.

:class:`ProgressBook` reads the facts for any number of members and campaigns in at most six
grouped queries (the sixth for 缓考), so a table costs the same for ten members or a thousand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, func, select

from quizapp import db
from quizapp.attempts.services import counted_attempt
from quizapp.campaigns.counting import deferred_members, result_public, submitted_attempts
from quizapp.campaigns.models import Campaign, CampaignMaterial, CampaignQuiz
from quizapp.campaigns.services import phase_of
from quizapp.members.models import Member
from quizapp.offline.models import OfflineAttendance, OfflineSession
from quizapp.quizzes.models import Counting
from quizapp.study.models import Reflection, ReflectionStatus, StudyMinute

#: Quiz item states and how the pages call them.
QUIZ_STATES = {
    "absent": "未参加",
    "submitted": "已交卷",
    "passed": "已及格",
    "failed": "未及格",
    "pending": "已交卷，成绩待公布",
    "deferred": "缓考",
}


@dataclass(frozen=True)
class Item:
    """One requirement of a campaign and how far a member has got with it."""

    kind: str  # minutes, material, quiz, offline, reflections
    label: str
    value: int
    target: int
    detail: str
    #: The material or quiz the item is about (to link to it).
    ref_id: int | None = None
    #: For quizzes: a key of QUIZ_STATES.
    state: str = ""

    @property
    def met(self) -> bool:
        return self.value >= self.target


@dataclass
class Progress:
    """A member's progress in one campaign."""

    campaign: Campaign
    phase: str
    items: list[Item] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(item.met for item in self.items)

    @property
    def met_count(self) -> int:
        return sum(item.met for item in self.items)

    @property
    def minutes(self) -> Item | None:
        return next((item for item in self.items if item.kind == "minutes"), None)


class ProgressBook:
    """The facts behind the progress of some members in some campaigns, read in bulk.

    ``members``: member ids or a query selecting them. ``now``, for a member's own pages:
    unpublished results are withheld. 缓考 as of ``now`` or ``deferred_at`` (a report's time).
    """

    def __init__(
        self,
        campaigns: Sequence[Campaign],
        members: Sequence[int] | Select,
        today: date,
        now: datetime | None = None,
        deferred_at: datetime | None = None,
    ) -> None:
        self.today, self.now, self._deferred_at = today, now, deferred_at or now
        self._deferred: dict[tuple[int, int], str] = {}
        self._online: dict[tuple[int, int], int] = {}
        self._offline: dict[tuple[int, int], tuple[int, int]] = {}
        self._materials: dict[tuple[int, int, int], int] = {}
        self._attempts: dict[tuple[int, int], list] = defaultdict(list)
        self._reflections: dict[tuple[int, int, str], int] = {}
        self._accepted_at: dict[tuple[int, int], list[datetime]] = defaultdict(list)
        #: Each campaign's materials and quizzes in display order, sorted once per book.
        self._layouts: dict[int, tuple[list, list[CampaignQuiz]]] = {}
        if isinstance(members, Sequence) and not members:
            return
        self._read(campaigns, members)

    def _read(self, campaigns: Sequence[Campaign], members: Sequence[int] | Select) -> None:
        def ids(wanted) -> list[int]:
            return [c.id for c in campaigns if wanted(c)]

        in_period = StudyMinute.day.between(Campaign.starts_on, Campaign.ends_on)
        if minutes_ids := ids(lambda c: c.minute_target):
            self._online = {
                (m, c): int(s)
                for m, c, s in db.read_rows(
                    select(StudyMinute.member_id, Campaign.id, func.sum(StudyMinute.seconds))
                    .select_from(StudyMinute)
                    .join(Campaign, in_period)
                    .where(Campaign.id.in_(minutes_ids), StudyMinute.member_id.in_(members))
                    .group_by(StudyMinute.member_id, Campaign.id)
                )
            }
        if offline_ids := ids(
            lambda c: (
                c.offline_sessions_required or (c.minute_target and c.offline_counts_as_minutes)
            )
        ):
            self._offline = {
                (m, c): (int(n), int(total))
                for m, c, n, total in db.read_rows(
                    select(
                        OfflineAttendance.member_id,
                        Campaign.id,
                        func.count(),
                        func.sum(OfflineSession.duration_minutes),
                    )
                    .select_from(OfflineAttendance)
                    .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
                    .join(
                        Campaign,
                        OfflineSession.held_on.between(Campaign.starts_on, Campaign.ends_on),
                    )
                    .where(Campaign.id.in_(offline_ids), OfflineAttendance.member_id.in_(members))
                    .group_by(OfflineAttendance.member_id, Campaign.id)
                )
            }
        if material_ids := ids(lambda c: c.materials):
            self._materials = {
                (m, c, mat): int(s)
                for m, c, mat, s in db.read_rows(
                    select(
                        StudyMinute.member_id,
                        Campaign.id,
                        StudyMinute.material_id,
                        func.sum(StudyMinute.seconds),
                    )
                    .select_from(StudyMinute)
                    .join(CampaignMaterial, CampaignMaterial.material_id == StudyMinute.material_id)
                    .join(
                        Campaign,
                        and_(
                            Campaign.id == CampaignMaterial.campaign_id,
                            StudyMinute.day <= Campaign.ends_on,
                        ),
                    )
                    .where(Campaign.id.in_(material_ids), StudyMinute.member_id.in_(members))
                    .group_by(StudyMinute.member_id, Campaign.id, StudyMinute.material_id)
                )
            }
        if quiz_ids := sorted({cq.quiz_id for c in campaigns for cq in c.quizzes}):
            self._attempts = submitted_attempts(quiz_ids, members)
            if self._deferred_at is not None:
                self._deferred = deferred_members(campaigns, members, self._deferred_at)
        if reflection_ids := ids(lambda c: c.reflections_required):
            for m, c, s, at, n in db.read_rows(
                select(
                    Reflection.member_id,
                    Reflection.campaign_id,
                    Reflection.status,
                    Reflection.submitted_at,
                    func.count(),
                )
                .where(
                    Reflection.campaign_id.in_(reflection_ids),
                    Reflection.status.in_(
                        (ReflectionStatus.SUBMITTED.value, ReflectionStatus.ACCEPTED.value)
                    ),
                    Reflection.member_id.in_(members),
                )
                .group_by(
                    Reflection.member_id,
                    Reflection.campaign_id,
                    Reflection.status,
                    Reflection.submitted_at,
                )
            ):
                self._reflections[(m, c, s)] = self._reflections.get((m, c, s), 0) + int(n)
                if s == ReflectionStatus.ACCEPTED:
                    self._accepted_at[(m, c)].append(at)

    def attempts(self, member_id: int, quiz_id: int) -> list:
        """Return a member's submitted attempts at one of the campaigns' quizzes (light rows)."""
        return self._attempts.get((member_id, quiz_id), [])

    def accepted(self, member_id: int, campaign: Campaign, start: datetime, end: datetime) -> int:
        """Return how many of the member's accepted reflections on a campaign requiring them
        were submitted in [start, end)."""
        return sum(start <= at < end for at in self._accepted_at.get((member_id, campaign.id), []))

    def _layout(self, campaign: Campaign) -> tuple[list, list[CampaignQuiz]]:
        layout = self._layouts.get(campaign.id)
        if layout is None:
            layout = self._layouts[campaign.id] = (
                sorted(campaign.materials, key=lambda m: (m.sort_order, m.title, m.id)),
                sorted(campaign.quizzes, key=lambda cq: (cq.quiz.opens_at, cq.quiz_id)),
            )
        return layout

    def of(self, member_id: int, campaign: Campaign) -> Progress:
        """Return one member's progress in one of the book's campaigns."""
        key = (member_id, campaign.id)
        materials, quizzes = self._layout(campaign)
        result = Progress(campaign, phase_of(campaign, self.today))
        attended, offline_minutes = self._offline.get(key, (0, 0))
        if campaign.minute_target:
            online = self._online.get(key, 0)
            offline = offline_minutes * 60 if campaign.offline_counts_as_minutes else 0
            detail = f"已学 {(online + offline) // 60} / {campaign.minute_target} 分钟"
            if offline:
                detail += f"（含线下学习 {offline_minutes} 分钟）"
            result.items.append(
                Item("minutes", "学习时长", online + offline, campaign.minute_target * 60, detail)
            )
        for material in materials:
            seconds = self._materials.get((member_id, campaign.id, material.id), 0)
            result.items.append(
                Item(
                    "material",
                    material.title,
                    seconds,
                    material.estimated_minutes * 60,
                    f"已学 {seconds // 60} / {material.estimated_minutes} 分钟",
                    material.id,
                )
            )
        for cq in quizzes:
            result.items.append(self._quiz_item(member_id, cq))
        if campaign.offline_sessions_required:
            result.items.append(
                Item(
                    "offline",
                    "线下学习",
                    attended,
                    campaign.offline_sessions_required,
                    f"已参加 {attended} / {campaign.offline_sessions_required} 次",
                )
            )
        if campaign.reflections_required:
            accepted = self._reflections.get((*key, ReflectionStatus.ACCEPTED), 0)
            waiting = self._reflections.get((*key, ReflectionStatus.SUBMITTED), 0)
            detail = f"已通过 {accepted} / {campaign.reflections_required} 篇"
            detail += f"，另有 {waiting} 篇待审阅" if waiting else ""
            result.items.append(
                Item("reflections", "心得体会", accepted, campaign.reflections_required, detail)
            )
        return result

    def _quiz_item(self, member_id: int, cq: CampaignQuiz) -> Item:
        quiz, key = cq.quiz, (member_id, cq.quiz_id)
        counted = counted_attempt(self._attempts.get(key, []), Counting(quiz.counting))
        if counted is None:
            state = "deferred" if key in self._deferred else "absent"
        elif not cq.must_pass:
            state = "submitted"
        elif self.now is not None and not result_public(quiz, self.now):
            state = "pending"
        else:
            state = "passed" if counted.passed else "failed"
        met = state in ("submitted", "passed")
        text = self._deferred[key] if state == "deferred" else QUIZ_STATES[state]
        detail = ("须及格 · " if cq.must_pass else "") + text
        return Item("quiz", quiz.title, int(met), 1, detail, quiz.id, state)


def progress(
    member: Member, campaign: Campaign, today: date, now: datetime | None = None
) -> Progress:
    """Return ``member``'s progress in ``campaign`` (``now``: withhold unpublished results)."""
    return ProgressBook([campaign], [member.id], today, now).of(member.id, campaign)

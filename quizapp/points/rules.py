"""The point rules and the tier thresholds in force: defaults in code, overridden by rows.

A rule without a :class:`PointRule` row uses :data:`DEFAULTS`; without the one
:class:`PointSettings` row the thresholds are :data:`DEFAULT_THRESHOLDS`. Whatever is in
force when the job writes an entry is copied into it (points and reason), so changing a rule
never rewrites an entry already written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from quizapp import db
from quizapp.enums import LabelledEnum
from quizapp.errors import DomainError
from quizapp.members.models import Member, Role
from quizapp.points.models import PointRule, PointSettings

#: The rule of a correction entry (补发, 扣减): not a key of DEFAULTS.
CORRECTION = "correction"


@dataclass(frozen=True)
class Rule:
    """How one kind of activity earns points: ``points`` per ``unit``, at most ``daily_cap``
    a China day."""

    key: str
    label: str
    #: What ``unit`` counts (分钟, 题); event rules count one event per unit.
    unit_name: str
    points: int
    unit: int
    daily_cap: int
    is_enabled: bool = True

    @property
    def gives_points(self) -> bool:
        """Whether the rule can give anything: enabled, with points and a cap above 0."""
        return self.is_enabled and self.points > 0 and self.daily_cap > 0

    def worth(self, count: int) -> int:
        """Return the points ``count`` units earn before the daily cap."""
        return count // self.unit * self.points

    def describe(self) -> str:
        """Return the rule in one Chinese sentence for the member's page."""
        if not self.gives_points:
            return f"{self.label}：暂不计分"
        each = {
            "minutes": f"每在线学习 {self.unit} 分钟得 {self.points} 分",
            "daily_questions": f"每答对 {self.unit} 道每日答题得 {self.points} 分",
            "quiz_passed": f"每项测试、考试首次及格（成绩公布后）得 {self.points} 分",
            "offline": f"每参加 1 次线下学习得 {self.points} 分",
            "reflection": f"每篇心得体会通过审阅得 {self.points} 分",
        }[self.key]
        text = f"{self.label}：{each}，每天最多 {self.daily_cap} 分"
        if self.key == "offline":
            # An organiser can't earn points by logging sessions only they attended.
            text += "；本人登记的线下学习不计积分，须由其他管理员登记"
        return text


#: The rules in the order pages list them, with their defaults.
DEFAULTS: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule("minutes", "在线学习", "分钟", points=1, unit=10, daily_cap=6),
        Rule("daily_questions", "每日答题", "题", points=1, unit=1, daily_cap=5),
        Rule("quiz_passed", "测试及格", "次", points=5, unit=1, daily_cap=10),
        Rule("offline", "线下学习", "次", points=3, unit=1, daily_cap=6),
        Rule("reflection", "心得体会", "篇", points=5, unit=1, daily_cap=5),
    )
}
#: Rules whose unit an admin may change; the others give points per event.
UNIT_RULES = ("minutes", "daily_questions")
#: Labels of every rule key, with corrections, for the ledger.
LABELS = {key: rule.label for key, rule in DEFAULTS.items()} | {CORRECTION: "调整"}


def effective_rules() -> dict[str, Rule]:
    """Return every rule as in force now (the defaults, overridden by stored rows)."""
    rules = dict(DEFAULTS)
    for row in db.session.scalars(select(PointRule).where(PointRule.key.in_(DEFAULTS))):
        rules[row.key] = replace(
            rules[row.key],
            points=row.points,
            unit=row.unit if row.key in UNIT_RULES else 1,
            daily_cap=row.daily_cap,
            is_enabled=row.is_enabled,
        )
    return rules


class Tier(LabelledEnum):
    """A branch's place in the month's 红黄蓝榜."""

    RED = "red", "红榜"
    YELLOW = "yellow", "黄榜"
    BLUE = "blue", "蓝榜"

    @property
    def note(self) -> str:
        """What the tier means for the branch (shown beside the badge)."""
        return {"red": "先进", "yellow": "达标", "blue": "需跟进"}[self.value]


@dataclass(frozen=True)
class Thresholds:
    """Points per member in a month: ``red_min`` or more is red, ``yellow_min`` or more
    yellow, less blue; and whether members see their own rank in their branch (the
    bureau's switch for provinces that forbid ranking people by points)."""

    red_min: Decimal
    yellow_min: Decimal
    members_see_rank: bool = True

    def tier(self, per_member: Decimal) -> Tier:
        """Return the tier of a branch with ``per_member`` points per member."""
        if per_member >= self.red_min:
            return Tier.RED
        if per_member >= self.yellow_min:
            return Tier.YELLOW
        return Tier.BLUE


DEFAULT_THRESHOLDS = Thresholds(red_min=Decimal("30.0"), yellow_min=Decimal("15.0"))


def one_decimal(value: float | Decimal) -> Decimal:
    """Round to one decimal place, halves up (as people round, not as floats do)."""
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def effective_thresholds() -> Thresholds:
    """Return the tier thresholds in force (the defaults until an admin saves them)."""
    row = db.session.get(PointSettings, 1)
    if row is None:
        return DEFAULT_THRESHOLDS
    return Thresholds(one_decimal(row.red_min), one_decimal(row.yellow_min), row.members_see_rank)


#: Limits an admin may set (the form checks them too).
MAX_POINTS = 100
MAX_UNIT = 240
MAX_CAP = 1000
MAX_THRESHOLD = Decimal("10000")


@dataclass(frozen=True)
class RuleData:
    """One rule as an admin set it."""

    key: str
    points: int
    unit: int
    daily_cap: int
    is_enabled: bool


def save_point_settings(
    actor: Member, rules: list[RuleData], thresholds: Thresholds, now: datetime
) -> None:
    """Store the rules and the tier thresholds (admins only); entries already written stay."""
    if not (actor.role == Role.ADMIN and actor.is_active):
        raise DomainError("只有系统管理员可以修改积分规则和红黄蓝榜标准。")
    if not Decimal(0) <= thresholds.yellow_min < thresholds.red_min <= MAX_THRESHOLD:
        raise DomainError("红榜标准必须高于黄榜标准，黄榜标准不能小于 0。")
    for data in rules:
        if data.key not in DEFAULTS:
            raise DomainError("积分规则有误，请刷新页面后重试。")
        if not (
            0 <= data.points <= MAX_POINTS
            and 1 <= data.unit <= MAX_UNIT
            and 0 <= data.daily_cap <= MAX_CAP
        ):
            raise DomainError(f"「{DEFAULTS[data.key].label}」的分值、单位或每日上限超出范围。")
        row = db.session.get(PointRule, data.key) or PointRule(key=data.key)
        row.points, row.daily_cap, row.is_enabled = data.points, data.daily_cap, data.is_enabled
        row.unit = data.unit if data.key in UNIT_RULES else 1
        row.updated_at, row.updated_by_id = now, actor.id
        db.session.add(row)
    settings = db.session.get(PointSettings, 1) or PointSettings(id=1)
    settings.red_min, settings.yellow_min = float(thresholds.red_min), float(thresholds.yellow_min)
    settings.members_see_rank = thresholds.members_see_rank
    settings.updated_at, settings.updated_by_id = now, actor.id
    db.session.add(settings)
    db.session.flush()

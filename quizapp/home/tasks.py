"""今日任务: what the member should do now, across campaigns, tests and the daily questions,
most urgent first, each a page one tap away.

- A paper the member is writing: continue it before its deadline.
- Open tests (published, for the member, in their window) not yet handed in, while attempts
  are left; a campaign's must-pass test failed so far, while attempts are left.
- The unmet requirements of running campaigns: required materials open now, the minute target,
  offline sessions, reflections (a test result not published yet is nobody's task).
- 每日答题 until today's questions are all answered.

A fixed number of queries: the open tests with the member's attempts at them, today's daily
questions; campaign progress comes from the home page's own ``list_running_progress``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import url_for
from sqlalchemy import or_, select

from quizapp import db, windows
from quizapp.attempts.queries import QuizCard
from quizapp.attempts.services import is_overdue
from quizapp.audiences.services import audiences_including
from quizapp.campaigns.progress import Item, Progress
from quizapp.campaigns.services import KINDS
from quizapp.clock import china_day_start, china_today, to_china
from quizapp.deferrals.terms import apply, approved_of_member, open_window, plain_terms
from quizapp.marking.queries import count_waiting
from quizapp.members.models import Member
from quizapp.practice.queries import get_daily_progress
from quizapp.practice.services import DAILY_COUNT
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import Quiz, QuizStatus

#: Tasks due within this many China days (today counting as 0) are marked 即将截止.
SOON_DAYS = 2


@dataclass(frozen=True)
class Task:
    """One thing to do: what, why, where to do it and by when (UTC)."""

    title: str
    note: str
    url: str
    due_at: datetime
    #: ``due_at`` is the end of a China day (a campaign's last day), not a moment in it.
    whole_day: bool = False
    #: Orders tasks due at the same moment: a page to read before a figure to reach.
    rank: int = 0
    #: Said instead of the due time, for work without a deadline (阅卷: members wait for it).
    due_text: str | None = None

    def due_label(self, now: datetime) -> str:
        """When it is due, as members read it: 今天 18:00 截止, 明天截止, 还有 5 天截止."""
        if self.due_text:
            return self.due_text
        moment = to_china(
            self.due_at - timedelta(microseconds=1) if self.whole_day else self.due_at
        )
        days = (moment.date() - china_today(now)).days
        if self.whole_day:
            return {0: "今天截止", 1: "明天截止"}.get(days, f"还有 {days} 天截止")
        day = {0: "今天", 1: "明天"}.get(days, f"{moment.month}月{moment.day}日")
        return f"{day} {moment:%H:%M} 截止"

    def is_soon(self, now: datetime) -> bool:
        """Due today or within SOON_DAYS China days."""
        return self.due_at <= china_day_start(china_today(now) + timedelta(days=SOON_DAYS + 1))


def _open_quiz_cards(member: Member, now: datetime) -> dict[int, QuizCard]:
    """The tests open to the member now, with their attempts, by quiz id (three queries +
    audiences): open by their own window or, for the member, by a personal one (缓考, 补考)."""
    granted = approved_of_member(member.id)
    personal = [q for q, rows in granted.items() if any(open_window(r, now) for r in rows)]
    quizzes = list(
        db.session.scalars(
            select(Quiz).where(
                Quiz.status == QuizStatus.PUBLISHED.value,
                or_(windows.open_filter(Quiz.opens_at, Quiz.closes_at, now), Quiz.id.in_(personal)),
            )
        )
    )
    mine = audiences_including(member, sorted({q.audience_id for q in quizzes}))
    cards = {}
    for quiz in quizzes:
        terms = apply(quiz, granted[quiz.id]) if quiz.id in granted else None
        if quiz.audience_id in mine and (terms is None or terms.phase(now) == windows.OPEN):
            cards[quiz.id] = QuizCard(quiz, "open", terms=terms)
    if cards:
        for attempt in db.session.scalars(
            select(Attempt)
            .where(Attempt.member_id == member.id, Attempt.quiz_id.in_(list(cards)))
            .order_by(Attempt.number)
        ):
            cards[attempt.quiz_id].attempts.append(attempt)
    return cards


def _quiz_task(card: QuizCard, now: datetime, why: str = "") -> Task | None:
    quiz, kind = card.quiz, card.quiz.kind_enum.label
    running = card.in_progress
    if running is not None:
        if is_overdue(running, now):
            return None  # being submitted: the result page says so
        return Task(
            f"继续答题：{quiz.title}",
            why or f"{kind}进行中，答案已自动保存",
            url_for("attempts.take", attempt_id=running.id),
            running.deadline_at,
        )
    if card.attempts_left == 0:
        return None
    terms = card.terms or plain_terms(quiz)  # a 缓考 or 补考: the member's own window
    minutes = terms.time_limit_minutes
    limit = f"限时 {minutes} 分钟" if minutes else "不限时"
    return Task(
        f"参加{kind}：{quiz.title}",
        why or f"{limit}，可答 {terms.attempts_allowed} 次",
        url_for("attempts.quiz", quiz_id=quiz.id),
        terms.closes_at(now),
    )


def _campaign_task(
    p: Progress, item: Item, cards: dict[int, QuizCard], now: datetime
) -> Task | None:
    campaign = p.campaign
    due = china_day_start(campaign.ends_on + timedelta(days=1))
    where = f"{KINDS[campaign.kind]}「{campaign.title}」"
    if item.kind == "material":
        material = next((m for m in campaign.materials if m.id == item.ref_id), None)
        if material is None or not material.is_open(now):
            return None
        return Task(
            f"学习必学资料：{item.label}",
            f"{where} · {item.detail}",
            url_for("study.material", material_id=item.ref_id),
            due,
            whole_day=True,
            rank=1,
        )
    if item.kind == "quiz":
        card = cards.get(item.ref_id)
        if card is None or item.state not in ("absent", "deferred", "failed"):
            return None  # not open now, or its result is not published yet
        return _quiz_task(card, now, f"{where} · {item.detail}")
    title, url, rank = {
        "minutes": ("完成学习时长", url_for("study.index"), 2),
        "offline": ("参加线下学习", url_for("campaigns.show", campaign_id=campaign.id), 3),
        "reflections": ("撰写心得体会", url_for("reflections.create", campaign=campaign.id), 4),
    }[item.kind]
    return Task(f"{title}：{campaign.title}", item.detail, url, due, whole_day=True, rank=rank)


def list_tasks(member: Member, running: list[Progress], today: date, now: datetime) -> list[Task]:
    """Return the member's tasks, most urgent first (``running``: their running campaigns)."""
    cards = _open_quiz_cards(member, now)
    tasks: dict[str, Task] = {}  # by url: a campaign's test and the same open test are one task
    for p in running:
        for item in p.items:
            if not item.met and (task := _campaign_task(p, item, cards, now)):
                tasks.setdefault(task.url, task)
    for card in cards.values():
        if (not card.handed_in or card.in_progress) and (task := _quiz_task(card, now)):
            tasks.setdefault(task.url, task)
    for quiz, waiting in count_waiting(member):  # 阅卷: organisers and named markers
        note = f"{waiting} 份简答待阅，阅完后成绩才计入"
        url = url_for("marking.queue", quiz_id=quiz.id)
        tasks.setdefault(url, Task(f"阅卷：{quiz.title}", note, url, now, due_text="待阅卷"))
    daily = get_daily_progress(member.id, today)
    if not daily.is_done:
        note = (
            f"已答 {daily.answered} / {daily.total} 题"
            if daily.total
            else f"今天的 {DAILY_COUNT} 道题还没有答"
        )
        tasks["daily"] = Task(
            "每日答题",
            note,
            url_for("practice.daily"),
            china_day_start(today + timedelta(days=1)),
            whole_day=True,
        )
    return sorted(tasks.values(), key=lambda t: (t.due_at, t.rank, t.title))

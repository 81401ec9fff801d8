"""Participation pages for organisers: choose a subject, the report, a node's drill-down.

URLs (under /manage/participation): ``/campaigns/<id>``, ``/quizzes/<id>`` and
``/range?first=…&last=…`` for the report, the same followed by ``/branches/<node id>`` for
the drill-down (and ``/remind`` to remind its members), or by ``/export.xlsx`` /
``/export.csv``. A campaign or quiz takes ``first``/``last`` too, to override its own
period. Each page is one endpoint whose ``kind`` is campaigns, quizzes or range; the range
rules supply ``kind`` as a default, so ``url_for(…, kind="range")`` builds the short form.

A drill-down works on any node of the report: a unit's (or the top's) lists the
unfinished members of all its branches, grouped by branch, and reminds them all at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import access, windows
from quizapp.actions import perform
from quizapp.campaigns.models import Campaign
from quizapp.campaigns.services import KINDS, PHASES, phase_of
from quizapp.clock import china_today, utcnow
from quizapp.downloads import CSV, attachment
from quizapp.errors import error_response
from quizapp.members.models import STATUS_LABELS
from quizapp.org import queries as org_queries
from quizapp.pagination import filter_value, page_number, page_of
from quizapp.participation import exports, services, subjects
from quizapp.participation.definitions import figure_text
from quizapp.participation.forms import PeriodForm, ReminderForm
from quizapp.participation.queries import Report, participation
from quizapp.quizzes.models import Quiz
from quizapp.quizzes.services import status_of
from quizapp.spreadsheets import XLSX

bp = Blueprint("participation", __name__)
bp.add_app_template_global(figure_text, "participation_figure")

#: Members per page of a drill-down.
PER_PAGE = 50
#: Campaigns and quizzes per page of the chooser.
RECENT_PER_PAGE = 10
#: The drill-down's two lists: value -> label per kind of report.
SHOWN = {
    "todo": {"campaign": "未完成", "quiz": "未交卷", "range": "未参学"},
    "done": {"campaign": "已完成", "quiz": "已交卷", "range": "已参学"},
}
MIMETYPES = {"xlsx": XLSX, "csv": CSV}
V = TypeVar("V", bound=Callable)

SUBJECT = "<any(campaigns, quizzes):kind>/<int:subject_id>"


def _for_each_subject(path: str, method: str = "GET") -> Callable[[V], V]:
    """Register a view at ``/<kind>/<subject_id><path>`` (a campaign or a quiz) and at
    ``/range<path>`` (a date range): every page of the report exists for both."""

    def register(view: V) -> V:
        bp.route(f"/{SUBJECT}{path}", methods=[method])(view)
        return bp.route(f"/range{path}", methods=[method], defaults={"kind": "range"})(view)

    return register


@dataclass
class Asked:
    """The subject and period a request asks for, and how to link to it again."""

    kind: str
    subject: Campaign | Quiz | None
    form: PeriodForm
    #: None when the dates given can't be used (``form.problem`` says why).
    period: tuple[date, date] | None
    #: Keyword arguments of url_for for this subject and period (without the endpoint's own).
    args: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        if self.subject is not None:
            return self.subject.title
        if self.period is None:
            return "按时间段统计"
        return f"{self.period[0].isoformat()} 至 {self.period[1].isoformat()}"

    @property
    def kind_label(self) -> str:
        if isinstance(self.subject, Campaign):
            return KINDS[self.subject.kind]
        if isinstance(self.subject, Quiz):
            return self.subject.kind_enum.label
        return "时间段"


def _default_period(subject: Campaign | Quiz | None, today: date) -> tuple[date, date]:
    """A campaign's own days, a quiz's opening days, or this month so far."""
    if isinstance(subject, Campaign):
        return subject.starts_on, subject.ends_on
    if isinstance(subject, Quiz):
        return china_today(subject.opens_at), china_today(subject.closes_at)
    return today.replace(day=1), today


def _ask(kind: str, subject_id: int | None, now: datetime) -> Asked:
    """Load the subject (404 outside the actor's view) and read the period asked for."""
    subject: Campaign | Quiz | None = None
    if kind == "campaigns":
        subject = subjects.get_campaign(current_user, subject_id)
    elif kind == "quizzes":
        subject = subjects.get_quiz(current_user, subject_id)
    form = PeriodForm(formdata=request.args)
    default = _default_period(subject, china_today(now))
    overlap = None
    if isinstance(subject, Campaign):
        overlap = "培训班" if subject.is_training_class else "学习任务"
    period = form.resolve(default, overlap=overlap)
    args: dict = {"kind": kind}
    if subject is not None:
        args["subject_id"] = subject.id
    if period is not None and (subject is None or period != default):
        # A range always names its days (its default moves with the calendar); a subject
        # only when they differ from its own, so a long campaign's links stay valid.
        args.update(first=period[0].isoformat(), last=period[1].isoformat())
    return Asked(kind, subject, form, period, args)


def _bad_period(asked: Asked):
    """Show the report page with the reason the dates can't be used (400)."""
    return render_template(
        "participation/report.html", asked=asked, report=None, error=asked.form.problem
    ), 400


def _report(asked: Asked, now: datetime, **options) -> Report:
    return participation(current_user, asked.subject, *asked.period, now, **options)


@bp.get("/")
@access.organiser_required
def index():
    """Choose what to count: a date range, a campaign or class, or a quiz (recent first)."""
    now = utcnow()
    today = china_today(now)
    campaigns = subjects.list_campaigns(
        current_user, page=page_number("cpage"), per_page=RECENT_PER_PAGE
    )
    quizzes = subjects.list_quizzes(
        current_user, page=page_number("qpage"), per_page=RECENT_PER_PAGE
    )
    # Running ones first; each list is otherwise latest first.
    campaigns.items.sort(key=lambda c: phase_of(c, today) != "running")
    quizzes.items.sort(key=lambda q: not (q.is_published and status_of(q, now) == "open"))
    last_month_end = today.replace(day=1) - timedelta(days=1)
    shortcuts = [
        ("本月至今", today.replace(day=1), today),
        ("上月", last_month_end.replace(day=1), last_month_end),
        ("最近 30 天", today - timedelta(days=29), today),
        ("本年至今", today.replace(month=1, day=1), today),
    ]
    form = PeriodForm(formdata=None, data={"first": today.replace(day=1), "last": today})
    return render_template(
        "participation/index.html",
        form=form,
        shortcuts=shortcuts,
        campaigns=campaigns,
        quizzes=quizzes,
        kinds=KINDS,
        phases=PHASES,
        quiz_phases=windows.PHASE_LABELS,
        today=today,
        now=now,
        phase_of=phase_of,
        status_of=status_of,
    )


@_for_each_subject("")
@access.organiser_required
def report(kind: str, subject_id: int | None = None):
    """Show participation per node of the organiser's scope, in tree order."""
    now = utcnow()
    asked = _ask(kind, subject_id, now)
    if asked.period is None:
        return _bad_period(asked)
    report = _report(asked, now)
    return render_template("participation/report.html", asked=asked, report=report, error=None)


@_for_each_subject("/branches/<int:branch_id>")
@access.organiser_required
def drilldown(kind: str, branch_id: int, subject_id: int | None = None):
    """List a node's members who have not finished, with what each is missing."""
    now = utcnow()
    asked = _ask(kind, subject_id, now)
    node = org_queries.get_branch(current_user, branch_id)
    if asked.period is None:
        return _bad_period(asked)
    report = _report(asked, now, within=node, detail=True)
    todo = [line for line in report.members if not line.done]
    done = [line for line in report.members if line.done]
    show = filter_value("show", SHOWN, "todo")
    page = page_of(todo if show == "todo" else done, page_number(), PER_PAGE)
    return render_template(
        "participation/drilldown.html",
        asked=asked,
        report=report,
        node=node,
        page=page,
        show=show,
        shown=SHOWN,
        counts={"todo": len(todo), "done": len(done)},
        remindable=sum(line.is_active and not line.deferred for line in todo),
        deferred=sum(line.deferred for line in todo),
        refusal=services.reminder_refusal(report, now),
        branches={row.branch.id: row.branch for row in report.rows},
        statuses=STATUS_LABELS,
        form=ReminderForm(),
    )


@_for_each_subject("/branches/<int:branch_id>/remind", "POST")
@access.organiser_required
def remind(kind: str, branch_id: int, subject_id: int | None = None):
    """Send every unfinished member of the node an in-app reminder (once a day each)."""
    now = utcnow()
    asked = _ask(kind, subject_id, now)
    node = org_queries.get_branch(current_user, branch_id)
    if asked.period is None:
        return error_response(400, asked.form.problem)
    if ReminderForm().validate_on_submit():
        report = _report(asked, now, within=node, detail=True)
        perform(lambda: services.send_reminders(current_user, report, now), _reminded)
    return redirect(url_for("participation.drilldown", branch_id=node.id, **asked.args))


def _reminded(result: services.Reminded) -> str:
    """Say what a press of "发送提醒" did."""
    parts = [f"已向 {result.sent} 人发送提醒。"]
    if result.already:
        parts.append(f"{result.already} 人今天已经提醒过，没有重复发送。")
    if result.inactive:
        parts.append(f"{result.inactive} 人账号已停用，未发送。")
    return "".join(parts)


@_for_each_subject("/export.<any(xlsx, csv):fmt>")
@access.organiser_required
def export(kind: str, fmt: str, subject_id: int | None = None):
    """Download the report, with every member's line, as .xlsx or .csv."""
    now = utcnow()
    asked = _ask(kind, subject_id, now)
    if asked.period is None:
        return error_response(400, asked.form.problem)
    report = _report(asked, now, detail=True)
    data = exports.xlsx_report(report) if fmt == "xlsx" else exports.csv_report(report)
    subject = f"{kind}-{subject_id}" if subject_id is not None else kind
    english = f"participation-{subject}-{china_today(report.generated_at).isoformat()}"
    return attachment(data, exports.file_name(report, fmt), MIMETYPES[fmt], english=english)

"""The oracle's scenario, drawn from a seed and played through the app, and its ledger.

Over seven China days members are imported through the roster page (most before the campaign,
a few on one of its days, each with a political status), move between branches and are
deactivated through the organiser pages (``/manage/members/<id>/move`` and ``/active``), study
through the study page's token and the heartbeat API under a frozen clock, sit the campaign's
quiz once and a second quiz limited by branch and political status up to its 2–3 attempts
(its counting rule: highest, latest or first) through the attempt API (start, autosave,
submit), hand in reflections that the admin accepts or returns, and attend offline sessions
recorded on the organiser's page. Every action goes into the :class:`Ledger`, which is all the
expected figures are computed from (:mod:`tests.oracle.expected`).

Now and then the admin records a member's next political status on the member's edit page
(the limited quiz judges the status a member has when the report is made, as its definition
says). Scoped down: imported members get the test password written directly (the one-time
login code and the forced password change are skipped).
"""

from __future__ import annotations

import html as html_module
import io
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import select

from quizapp import db
from quizapp.bank.types import default_points
from quizapp.members.models import STATUS_LABELS, Member
from quizapp.members.passwords import hash_password
from quizapp.members.roster_files import TEMPLATE_HEADERS
from quizapp.org.models import BranchKind
from quizapp.org.services import create_branch
from quizapp.quizzes.models import Counting
from tests.conftest import PASSWORD
from tests.factories import make_campaign, make_material, make_questions, make_quiz, xlsx_bytes

FIRST, LAST = date(2026, 11, 14), date(2026, 11, 20)
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
AFTER = datetime(2026, 11, 21, 2, tzinfo=UTC)  # 10:00 in China, the day after the campaign
TARGET_MINUTES = 6
#: The limited quiz is open from 08:00 on its first day to 20:00 on its last (China time),
#: so its own period (the quiz report's default) is these days.
LIMITED_DAYS = (DAYS[1], DAYS[5])
LIMITED_OPENS = datetime(2026, 11, 15, 0, tzinfo=UTC)
LIMITED_CLOSES = datetime(2026, 11, 19, 12, tzinfo=UTC)
#: Points of each question of the limited quiz (halves, so averages need rounding).
LIMITED_POINTS = Fraction(5, 2)
#: The political statuses the limited quiz is for (its branches are set in :func:`play`).
LIMITED_STATUSES = ("正式党员", "预备党员")
#: Statuses drawn for imported members (正式党员 twice as likely).
STATUSES = ("正式党员", "正式党员", "预备党员", "入党积极分子")
STATUS_VALUES = {label: status for status, label in STATUS_LABELS.items()}
#: A status an organiser may record next (转正, 列为预备党员, or a correction back).
NEXT_STATUS = {"正式党员": "预备党员", "预备党员": "正式党员", "入党积极分子": "预备党员"}


def ten_am(day: date, minutes: int = 0) -> datetime:
    """10:00 China time on ``day``, ``minutes`` later."""
    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC) + timedelta(minutes=minutes)


@dataclass
class Sheet:
    """One answer sheet handed in."""

    quiz: str  # "campaign" or "limited"
    day: date  # China day of the submission
    number: int  # 1 for the member's first attempt at that quiz
    score: Fraction
    passed: bool


@dataclass
class Ledger:
    """Everything the scenario did, as the oracle saw it."""

    #: member id -> [(branch id, started_on, ended_on or None)], in order.
    stays: dict[int, list[list]] = field(default_factory=dict)
    #: member id -> (name, login id, political status label).
    people: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    #: Members deactivated.
    left: set[int] = field(default_factory=set)
    #: (member id, China day) -> seconds credited by heartbeats.
    seconds: dict[tuple[int, date], int] = field(default_factory=dict)
    #: (member id, China day of the session) for each attendance.
    offline: list[tuple[int, date]] = field(default_factory=list)
    #: member id -> the answer sheets they handed in, in order.
    sheets: dict[int, list[Sheet]] = field(default_factory=dict)
    #: member id -> (China day handed in, accepted or returned) of their one reflection.
    reflections: dict[int, tuple[date, bool]] = field(default_factory=dict)

    def branch_on(self, member_id: int, day: date) -> int | None:
        for branch_id, start, end in self.stays[member_id]:
            if start <= day and (end is None or day < end):
                return branch_id
        return None

    def move(self, member_id: int, branch_id: int, day: date) -> None:
        self.stays[member_id][-1][2] = day
        self.stays[member_id].append([branch_id, day, None])

    def leave(self, member_id: int, day: date) -> None:
        self.stays[member_id][-1][2] = day
        self.left.add(member_id)

    def sheets_of(self, member_id: int, quiz: str) -> list[Sheet]:
        return [s for s in self.sheets.get(member_id, []) if s.quiz == quiz]


@dataclass
class World:
    """What :func:`play` made: the subjects, the organisation and the ledger."""

    campaign: object
    quiz: object  # the limited quiz
    ledger: Ledger
    #: {unit id: [branch ids]} in tree order.
    tree: dict[int, list[int]]
    #: node id -> name (the bureau's id too).
    names: dict[int, str]
    #: Branch ids the limited quiz is for (the subtree of its branches).
    limited_branches: set[int]
    counting: Counting
    attempts_allowed: int


# Steps, each through the app's own entry points


def _import(client, ledger, rows, day) -> list[Member]:
    """Import ``rows`` (name, police no, branch code, status) through the roster page on
    ``day``; give the new members the test password (instead of their one-time login code)."""
    content = xlsx_bytes(
        [[name, no, "", code, status, "", ""] for name, no, code, status in rows],
        TEMPLATE_HEADERS,
    )
    response = client.post(
        "/manage/members/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(content), "花名册.xlsx")},
    )
    assert response.status_code == 200 and "下载登录凭条" in response.get_data(as_text=True)
    db.session.rollback()  # read what the request committed
    made, hashed = [], hash_password(PASSWORD)
    for name, no, code, status in rows:
        member = db.session.scalar(select(Member).where(Member.police_no == no))
        assert member.branch.code == code
        member.password_hash = hashed
        member.must_change_password = False
        ledger.stays[member.id] = [[member.branch_id, day, None]]
        ledger.people[member.id] = (name, no, status)
        made.append(member)
    db.session.commit()
    return made


def _restatus(client, ledger, member_id, branch_id) -> None:
    """Record the member's next political status on the organiser's edit page."""
    name, login_id, status = ledger.people[member_id]
    status = NEXT_STATUS[status]
    response = client.post(
        f"/manage/members/{member_id}/edit",
        data={
            "name": name,
            "police_no": login_id,
            "phone": "",
            "branch_id": str(branch_id),
            "political_status": STATUS_VALUES[status].value,
            "joined_party_on": "",
            "role": "member",
            "scope_branch_id": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    ledger.people[member_id] = (name, login_id, status)


def _study(rng, member_client, material, start, time_machine) -> int:
    """One visit of the material's page: the first beat credits nothing, each next one 30 s."""
    html = member_client.get(f"/study/materials/{material.id}").get_data(as_text=True)
    token = re.search(r'data-token="([^"]+)"', html)[1]
    beats = rng.randint(0, 12)
    for k in range(beats + 1):
        time_machine.move_to(start + timedelta(seconds=30 * k), tick=False)
        answer = member_client.post("/api/study/heartbeat", json={"token": token})
        assert answer.status_code == 200
    return 30 * beats


def _sit(rng, member_client, quiz, questions, at, time_machine) -> int:
    """Start the quiz at ``at``, autosave an answer to each question (right or wrong at
    random) and submit five minutes later; return how many answers were right."""
    time_machine.move_to(at, tick=False)
    started = member_client.post(f"/api/quizzes/{quiz.id}/attempts")
    assert started.status_code == 201, started.get_data(as_text=True)
    attempt_id = started.get_json()["attempt_id"]
    right = 0
    for n, question in enumerate(questions):
        correct = rng.random() < 0.6
        right += correct
        url = f"/api/attempts/{attempt_id}/answers/{question.id}"
        saved = member_client.put(url, json={"seq": n + 1, "response": 1 if correct else 0})
        assert saved.get_json()["saved"] is True
    time_machine.move_to(at + timedelta(minutes=5), tick=False)
    submitted = member_client.post(f"/api/attempts/{attempt_id}/submit")
    assert submitted.get_json()["status"] == "submitted"
    return right


def _reflect(member_client, campaign) -> int:
    """Hand in a reflection on the campaign through the member's page; return its id."""
    body = "".join(f"第{i}点体会：坚持惩前毖后、治病救人，严守党的纪律。\n" for i in range(20))
    response = member_client.post(
        f"/reflections/new?campaign={campaign.id}", data={"title": "学习心得", "body": body}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _review(client, reflection_id, accept: bool) -> None:
    """Accept or return a reflection through the organiser's page (logged in)."""
    html = client.get(f"/manage/reflections/{reflection_id}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="([^"]+)"', html)[1]
    response = client.post(
        f"/manage/reflections/{reflection_id}/review",
        data={
            "decision": "accept" if accept else "return",
            "comment": "" if accept else "请结合本职工作再谈体会。",
            "version": html_module.unescape(version),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def _record_session(client, branch, day, attendees) -> None:
    """Record an offline session and tick its attendees on the organiser's page."""
    response = client.post(
        "/manage/offline/new",
        data={
            "action": "save",
            "title": "专题党课",
            "kind": "lecture",
            "held_on": day.isoformat(),
            "duration_minutes": "60",
            "branch_id": str(branch.id),
            "notes": "",
            "member_ids": [str(m.id) for m in attendees],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


# The scenario


def play(seed, app, client, auth, org, time_machine, counting: Counting | None = None) -> World:
    """Play the scenario of ``seed`` through the app; the limited quiz counts by ``counting``
    (drawn from the seed when None)."""
    rng = random.Random(seed)
    b13 = create_branch(org.admin, org.u1, BranchKind.BRANCH, "B13", "四所党支部", 3)
    b22 = create_branch(org.admin, org.u2, BranchKind.BRANCH, "B22", "五所党支部", 2)
    branches = [org.b11, org.b12, b13, org.b21, b22]
    tree = {org.u1.id: [org.b11.id, org.b12.id, b13.id], org.u2.id: [org.b21.id, b22.id]}
    names = {org.bureau.id: org.bureau.name, org.u1.id: org.u1.name, org.u2.id: org.u2.name}
    names |= {b.id: b.name for b in branches}
    ledger = Ledger()
    for member in (org.org1, org.org2, org.m1):
        ledger.stays[member.id] = [[member.branch_id, date(2025, 1, 1), None]]
        ledger.people[member.id] = (member.name, member.police_no, "正式党员")
    material = make_material(org)
    questions = make_questions(org.admin, 4)["single"]
    quiz = make_quiz(
        org.admin,
        [org.bureau],
        questions=questions,
        now=ten_am(FIRST),
        opens_in=timedelta(hours=-2),
        lasts=timedelta(days=len(DAYS)),
    )
    counting = counting or rng.choice(list(Counting))
    allowed = rng.randint(2, 3)
    limited = make_quiz(
        org.admin,
        [org.u1, org.b21],
        questions=questions,
        title="限定范围测试",
        now=LIMITED_OPENS,
        opens_in=timedelta(0),
        lasts=LIMITED_CLOSES - LIMITED_OPENS,
        attempts_allowed=allowed,
        counting=counting,
        points={**default_points(), "single": float(LIMITED_POINTS)},
        statuses=[STATUS_VALUES[s].value for s in LIMITED_STATUSES],
    )
    limited_branches = {*tree[org.u1.id], org.b21.id}
    campaign = make_campaign(
        org.admin,
        "七日学习",
        FIRST,
        LAST,
        TARGET_MINUTES,
        branches=[org.bureau],
        quizzes=[(quiz, False)],
        reflections_required=1,
    )
    campaign.is_published = True
    db.session.commit()

    # The roster: most members four days before the campaign, a few joining on one of its days.
    before = FIRST - timedelta(days=4)
    time_machine.move_to(ten_am(before), tick=False)
    auth.login("admin")
    count = rng.randint(12, 20)
    rows = [
        (f"党员{i:03d}", f"P{i:03d}", rng.choice(branches).code, rng.choice(STATUSES))
        for i in range(count)
    ]
    members = [org.m1, *_import(client, ledger, rows, before)]
    auth.logout()
    joiners_on = rng.choice(DAYS)
    organiser_session_on = rng.choice(DAYS)
    joiners = [
        (f"新党员{i}", f"N{i:03d}", rng.choice(branches).code, rng.choice(STATUSES))
        for i in range(3)
    ]
    ids = {m.id: m.police_no for m in members}
    active = set(ids)
    handed_in: list[tuple[int, int]] = []

    def may_sit_limited(member_id, day, at) -> bool:
        return (
            at >= LIMITED_OPENS
            and at + timedelta(minutes=5) < LIMITED_CLOSES
            and ledger.branch_on(member_id, day) in limited_branches
            and ledger.people[member_id][2] in LIMITED_STATUSES
            and len(ledger.sheets_of(member_id, "limited")) < allowed
        )

    for day in DAYS:
        time_machine.move_to(ten_am(day), tick=False)
        auth.login("admin")
        if day == joiners_on:
            joined = _import(client, ledger, joiners, day)
            members += joined
            ids |= {m.id: m.police_no for m in joined}
            active |= {m.id for m in joined}
        # The admin moves or deactivates a few members (at most one change each a day).
        for member_id in rng.sample(sorted(active - {org.m1.id}), k=rng.randint(0, 2)):
            if rng.random() < 0.3:
                response = client.post(f"/manage/members/{member_id}/active", data={"active": "0"})
                assert response.status_code == 302
                ledger.leave(member_id, day)
                active.discard(member_id)
            else:
                now_in = ledger.branch_on(member_id, day)
                target = rng.choice([b for b in branches if b.id != now_in])
                response = client.post(
                    f"/manage/members/{member_id}/move", data={"branch_id": target.id}
                )
                assert response.status_code == 302
                ledger.move(member_id, target.id, day)
        # Now and then one member's political status changes (the quiz judges the current).
        if rng.random() < 0.4:
            member_id = rng.choice(sorted(active - {org.m1.id}))
            _restatus(client, ledger, member_id, ledger.branch_on(member_id, day))
        auth.logout()
        # Members study (one visit each, half an hour apart), some sit the campaign's quiz
        # (once) and the limited quiz (while attempts are left), some hand in a reflection.
        for n, member_id in enumerate(rng.sample(sorted(active), k=rng.randint(0, len(active)))):
            start = ten_am(day, 10 + n * 30)
            time_machine.move_to(start, tick=False)
            member_client = app.test_client()
            response = member_client.post(
                "/login", data={"login_id": ids[member_id], "password": PASSWORD}
            )
            assert response.status_code == 302
            seconds = _study(rng, member_client, material, start, time_machine)
            if seconds:
                ledger.seconds[(member_id, day)] = seconds
            sheets = ledger.sheets.setdefault(member_id, [])
            if not ledger.sheets_of(member_id, "campaign") and rng.random() < 0.25:
                at = start + timedelta(minutes=7)
                right = _sit(rng, member_client, quiz, questions, at, time_machine)
                passed = right * 100 >= 60 * len(questions)
                sheets.append(Sheet("campaign", day, 1, Fraction(2 * right), passed))
            at = start + timedelta(minutes=14)
            if may_sit_limited(member_id, day, at) and rng.random() < 0.45:
                number = len(ledger.sheets_of(member_id, "limited")) + 1
                right = _sit(rng, member_client, limited, questions, at, time_machine)
                passed = right * 100 >= 60 * len(questions)
                sheets.append(Sheet("limited", day, number, right * LIMITED_POINTS, passed))
            if member_id not in ledger.reflections and rng.random() < 0.25:
                handed_in.append((member_id, _reflect(member_client, campaign)))
        # The admin reviews the day's reflections late in the evening.
        time_machine.move_to(ten_am(day, 780), tick=False)
        auth.login("admin")
        for member_id, reflection_id in handed_in:
            accept = rng.random() < 0.7
            _review(client, reflection_id, accept)
            ledger.reflections[member_id] = (day, accept)
        handed_in.clear()
        # Some days a branch holds an offline session for some of its members that day (the
        # organisers too, who never study online: their only taking part is offline; on one
        # day drawn from the seed, B11's session is held for its organiser alone).
        branch = rng.choice(branches)
        here = [
            m
            for m in (*members, org.org1, org.org2)
            if (m.id in active or m.id in (org.org1.id, org.org2.id))
            and ledger.branch_on(m.id, day) == branch.id
        ]
        if day == organiser_session_on:
            branch, here = org.b11, [org.org1]
        if here and (rng.random() < 0.6 or day == organiser_session_on):
            attendees = rng.sample(here, k=rng.randint(1, len(here)))
            _record_session(client, branch, day, attendees)
            ledger.offline += [(m.id, day) for m in attendees]
        auth.logout()
    time_machine.move_to(AFTER, tick=False)
    return World(campaign, limited, ledger, tree, names, limited_branches, counting, allowed)

"""An independent oracle for the campaign participation report (issue 15).

A scenario is drawn from a seed (``random.Random(seed)``) and played through the app over seven
China days: members are imported through the roster page (most before the campaign, a few on
one of its days), move between branches and are deactivated through the organiser pages
(``/manage/members/<id>/move`` and ``/active``), study through the study page's token and the
heartbeat API under a frozen clock, sit the campaign's quiz through the attempt API (start,
autosave, submit), hand in reflections that the admin accepts or returns, and attend offline
sessions recorded on the organiser's page. Every action goes into this
module's own ledger; the expected figures of the campaign report are computed from the ledger
with the definitions stated on the page (quizapp/participation/definitions.py), by code that
imports nothing from quizapp.participation or quizapp.campaigns.progress. Each cell of the page
table, of the .xlsx summary sheet and of the .csv summary is compared, for the admin and for a
unit organiser.

Scoped down (what this module does not build through the app yet): imported members get the
test password written directly (the one-time login code and the forced password change are
skipped); the quiz allows one attempt (no counting rule is exercised); quiz and free-range
reports, the member sheet and the headline are not compared.
"""

from __future__ import annotations

import csv
import html as html_module
import io
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import openpyxl
import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.members.models import Member
from quizapp.members.passwords import hash_password
from quizapp.members.roster_files import TEMPLATE_HEADERS
from quizapp.org.models import BranchKind
from quizapp.org.services import create_branch
from tests.conftest import PASSWORD
from tests.factories import (
    make_campaign,
    make_material,
    make_questions,
    make_quiz,
    xlsx_bytes,
)

FIRST, LAST = date(2026, 11, 14), date(2026, 11, 20)
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
AFTER = datetime(2026, 11, 21, 2, tzinfo=UTC)  # 10:00 in China, the day after the campaign
TARGET_MINUTES = 6
BASE = "/manage/participation"
#: The figures of a campaign report with a quiz, in the report's order (written out again here,
#: not taken from quizapp.participation.definitions.FIELDS: the oracle imports none of it).
KEYS = (
    "eligible",
    "participants",
    "participation_rate",
    "completed",
    "completion_rate",
    "passed",
    "pass_rate",
    "average_minutes",
    "times",
)


def _ten_am(day: date, minutes: int = 0) -> datetime:
    """10:00 China time on ``day``, ``minutes`` later."""
    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC) + timedelta(minutes=minutes)


# The ledger


@dataclass
class Ledger:
    """Everything the scenario did, as this module saw it."""

    #: member id -> [(branch id, started_on, ended_on or None)], in order.
    stays: dict[int, list[list]] = field(default_factory=dict)
    #: (member id, China day) -> seconds credited by heartbeats.
    seconds: dict[tuple[int, date], int] = field(default_factory=dict)
    #: (member id, China day of the session) for each attendance.
    offline: list[tuple[int, date]] = field(default_factory=list)
    #: member id -> (China day of the submission, passed) of their one answer sheet.
    sheets: dict[int, tuple[date, bool]] = field(default_factory=dict)
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


def _last_branch(stays, first: date, last: date) -> int | None:
    """The branch of the member's last stay with a day in [first, last], None without one."""
    inside = [
        branch_id
        for branch_id, start, end in stays
        if (end is None or start < end) and start <= last and (end is None or end > first)
    ]
    return inside[-1] if inside else None


def expected_rows(ledger: Ledger, tree: dict[int, list[int]], first: date, last: date) -> dict:
    """{node id: figures} for each branch, unit and the top (id None) of ``tree``
    ({unit id: [branch ids]}) over the report period [first, last] (inside the campaign's
    days), from the ledger and the stated definitions: who is eligible, took part, studied and
    how often follows the period; whether a member completed follows the campaign's days."""
    per_branch = {
        b: {"eligible": 0, "participants": 0, "completed": 0, "passed": 0, "seconds": 0, "times": 0}
        for branches in tree.values()
        for b in branches
    }
    for member_id, stays in ledger.stays.items():
        branch_id = _last_branch(stays, first, last)
        if branch_id not in per_branch:
            continue
        period = [d for d in DAYS if first <= d <= last]
        days = [d for d in period if ledger.seconds.get((member_id, d), 0) > 0]
        seconds = sum(ledger.seconds.get((member_id, d), 0) for d in period)
        sessions = [d for m, d in ledger.offline if m == member_id and first <= d <= last]
        sheet = ledger.sheets.get(member_id)
        sat = sheet is not None and first <= sheet[0] <= last
        # Completed: the minutes over the campaign's days and the required quiz submitted.
        campaign_seconds = sum(ledger.seconds.get((member_id, d), 0) for d in DAYS)
        # ... and one reflection accepted.
        reflection = ledger.reflections.get(member_id, (None, False))
        accepted = reflection[1] and first <= reflection[0] <= last
        completed = campaign_seconds >= TARGET_MINUTES * 60 and sheet is not None and reflection[1]
        row = per_branch[branch_id]
        row["eligible"] += 1
        row["participants"] += bool(days or sessions or sat or accepted or completed)
        row["completed"] += completed
        row["passed"] += completed and sheet[1]
        row["seconds"] += seconds
        row["times"] += len(days) + len(sessions) + sat + accepted
    rows = {b: dict(row) for b, row in per_branch.items()}
    for unit_id, branches in tree.items():
        rows[unit_id] = {
            k: sum(per_branch[b][k] for b in branches) for k in per_branch[branches[0]]
        }
    rows[None] = {k: sum(rows[u][k] for u in tree) for k in rows[next(iter(tree))]}
    for row in rows.values():
        n = row["eligible"]
        row["participation_rate"] = Fraction(row["participants"], n) if n else None
        row["completion_rate"] = Fraction(row["completed"], n) if n else None
        done = row["completed"]
        row["pass_rate"] = Fraction(row["passed"], done) if done else None
        row["average_minutes"] = Fraction(row.pop("seconds"), 60 * n) if n else None
    return rows


# Formatting, written here again (四舍五入 of the exact value)


def _half_up(value: Fraction, places: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _number(value, places: int) -> str:
    if value is None:
        return "—"
    text = f"{_half_up(Fraction(value), places):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(value) -> str:
    return "—" if value is None else f"{_half_up(value * 100, 1):f}%"


def page_table(html: str) -> dict[str, dict[str, str]]:
    """{organisation name: {data-key: cell text}} of the page's report table. Like
    tests/test_participation_pages.table, but keyed by data-key rather than put in the order of
    quizapp.participation's FIELDS, which this module does not import."""
    body = html.split('class="table participation-table', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr class=\"is-[a-z]+\">(.*?)</tr>", body, re.S):
        name = re.sub(r"<[^>]+>|\s+", " ", re.search(r"<th[^>]*>(.*?)</th>", row, re.S)[1])
        name = name.strip().removeprefix("合计 · ").replace(" 已撤销", "")
        cells = re.findall(r'<td[^>]*data-key="([a-z_]+)"[^>]*>(.*?)</td>', row, re.S)
        rows[name] = {key: text.strip() for key, text in cells}
    return rows


def page_cells(row: dict) -> dict[str, str]:
    return dict(zip(KEYS, _cells(row), strict=True))


def _cells(row: dict) -> list[str]:
    return [
        str(row["eligible"]),
        str(row["participants"]),
        _percent(row["participation_rate"]),
        str(row["completed"]),
        _percent(row["completion_rate"]),
        str(row["passed"]),
        _percent(row["pass_rate"]),
        _number(row["average_minutes"], 2),
        str(row["times"]),
    ]


def csv_cells(row: dict) -> list[str]:
    cells = _cells(row)
    # The .csv writes minutes with one fixed decimal ("8.0").
    minutes = row["average_minutes"]
    cells[7] = "—" if minutes is None else f"{_half_up(minutes, 1):f}"
    return cells


def xlsx_cells(row: dict) -> list:
    def value(v):
        return "—" if v is None else pytest.approx(float(v))

    return [
        row["eligible"],
        row["participants"],
        value(row["participation_rate"]),
        row["completed"],
        value(row["completion_rate"]),
        row["passed"],
        value(row["pass_rate"]),
        value(row["average_minutes"]),
        row["times"],
    ]


# The scenario, played through the app


def _import(client, ledger, rows, day) -> list[Member]:
    """Import ``rows`` (name, police no, branch) through the roster page on ``day``; give the
    new members the test password (instead of their one-time login code)."""
    content = xlsx_bytes(
        [[name, no, "", code, "正式党员", "", ""] for name, no, code in rows], TEMPLATE_HEADERS
    )
    response = client.post(
        "/manage/members/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(content), "花名册.xlsx")},
    )
    assert response.status_code == 200 and "下载登录凭条" in response.get_data(as_text=True)
    db.session.rollback()  # read what the request committed
    made, hashed = [], hash_password(PASSWORD)
    for _, no, code in rows:
        member = db.session.scalar(select(Member).where(Member.police_no == no))
        assert member.branch.code == code
        member.password_hash = hashed
        member.must_change_password = False
        ledger.stays[member.id] = [[member.branch_id, day, None]]
        made.append(member)
    db.session.commit()
    return made


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


def _sit(rng, member_client, quiz, questions, start, time_machine) -> bool:
    """Start the quiz, autosave an answer to each question (right or wrong at random) and
    submit; return whether this module counts it passed (60 % of equal-weighted questions)."""
    time_machine.move_to(start + timedelta(minutes=10), tick=False)
    started = member_client.post(f"/api/quizzes/{quiz.id}/attempts")
    assert started.status_code == 201
    attempt_id = started.get_json()["attempt_id"]
    right = 0
    for n, question in enumerate(questions):
        correct = rng.random() < 0.6
        right += correct
        url = f"/api/attempts/{attempt_id}/answers/{question.id}"
        saved = member_client.put(url, json={"seq": n + 1, "response": 1 if correct else 0})
        assert saved.get_json()["saved"] is True
    time_machine.move_to(start + timedelta(minutes=15), tick=False)
    submitted = member_client.post(f"/api/attempts/{attempt_id}/submit")
    assert submitted.get_json()["status"] == "submitted"
    return right * 100 >= 60 * len(questions)


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


def play(seed, app, client, auth, org, time_machine):
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
    material = make_material(org)
    questions = make_questions(org.admin, 4)["single"]
    quiz = make_quiz(
        org.admin,
        [org.bureau],
        questions=questions,
        now=_ten_am(FIRST),
        opens_in=timedelta(hours=-2),
        lasts=timedelta(days=len(DAYS)),
    )
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
    time_machine.move_to(_ten_am(before), tick=False)
    auth.login("admin")
    count = rng.randint(12, 20)
    rows = [(f"党员{i:03d}", f"P{i:03d}", rng.choice(branches).code) for i in range(count)]
    members = [org.m1, *_import(client, ledger, rows, before)]
    auth.logout()
    joiners_on = rng.choice(DAYS)
    joiners = [(f"新党员{i}", f"N{i:03d}", rng.choice(branches).code) for i in range(3)]
    ids = {m.id: m.police_no for m in members}
    active = set(ids)
    handed_in: list[tuple[int, int]] = []

    for day in DAYS:
        time_machine.move_to(_ten_am(day), tick=False)
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
        auth.logout()
        # Members study (one visit each) and some sit the quiz, once.
        for n, member_id in enumerate(rng.sample(sorted(active), k=rng.randint(0, len(active)))):
            start = _ten_am(day, 10 + n * 20)
            time_machine.move_to(start, tick=False)
            member_client = app.test_client()
            response = member_client.post(
                "/login", data={"login_id": ids[member_id], "password": PASSWORD}
            )
            assert response.status_code == 302
            seconds = _study(rng, member_client, material, start, time_machine)
            if seconds:
                ledger.seconds[(member_id, day)] = seconds
            if member_id not in ledger.sheets and rng.random() < 0.25:
                passed = _sit(rng, member_client, quiz, questions, start, time_machine)
                ledger.sheets[member_id] = (day, passed)
            if member_id not in ledger.reflections and rng.random() < 0.25:
                handed_in.append((member_id, _reflect(member_client, campaign)))
        # The admin reviews the day's reflections in the evening.
        time_machine.move_to(_ten_am(day, 600), tick=False)
        auth.login("admin")
        for member_id, reflection_id in handed_in:
            accept = rng.random() < 0.7
            _review(client, reflection_id, accept)
            ledger.reflections[member_id] = (day, accept)
        handed_in.clear()
        # Some days a branch holds an offline session for some of its members that day.
        branch = rng.choice(branches)
        here = [m for m in members if m.id in active and ledger.branch_on(m.id, day) == branch.id]
        if here and rng.random() < 0.6:
            attendees = rng.sample(here, k=rng.randint(1, len(here)))
            _record_session(client, branch, day, attendees)
            ledger.offline += [(m.id, day) for m in attendees]
        auth.logout()
    time_machine.move_to(AFTER, tick=False)
    return campaign, ledger, tree, names


def _summary_csv(data: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return rows[1 : rows.index([])]


def check(client, auth, campaign, ledger, tree, names, login_id, scope, first, last):
    """Compare the page, the .xlsx and the .csv of ``login_id`` for the period asked for
    (``first`` to ``last``; the report keeps the days inside the campaign's) with the oracle."""
    rows = expected_rows(ledger, tree, max(first, FIRST), min(last, LAST))
    units = [u for u in tree if scope is None or u == scope]
    order = ([None] if scope is None else []) + [n for u in units for n in (u, *tree[u])]
    top_name = names[scope] if scope is not None else None
    auth.login(login_id)
    query = f"first={first}&last={last}"
    url = f"{BASE}/campaigns/{campaign.id}"

    html = client.get(f"{url}?{query}").get_data(as_text=True)
    page = page_table(html)
    expected = {("测试市公安局" if n is None else names[n]): page_cells(rows[n]) for n in order}
    assert page == expected, (login_id, top_name)

    data = client.get(f"{url}/export.xlsx?{query}").get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(data))["汇总"]
    got = [[c.value for c in line] for line in sheet.iter_rows(min_row=2)]
    assert [line[0] for line in got] == list(expected)
    assert [line[2:] for line in got] == [xlsx_cells(rows[n]) for n in order]

    data = client.get(f"{url}/export.csv?{query}").get_data()
    got = _summary_csv(data)
    assert [line[0] for line in got] == list(expected)
    assert [line[2:] for line in got] == [csv_cells(rows[n]) for n in order]
    auth.logout()


def _run(seed, app, client, auth, org, time_machine):
    campaign, ledger, tree, names = play(seed, app, client, auth, org, time_machine)
    rng = random.Random(-seed)
    start = rng.choice(DAYS)
    part = (start, rng.choice([d for d in DAYS if d >= start]))  # some of the campaign's days
    wider = (date(2026, 11, 1), date(2026, 11, 30))  # cut to the campaign's days
    for login_id, scope in (("admin", None), ("org1", org.u1.id)):
        for first, last in ((FIRST, LAST), part, wider):
            check(client, auth, campaign, ledger, tree, names, login_id, scope, first, last)
    return ledger


def test_the_campaign_report_equals_the_oracle(app, client, auth, org, time_machine):
    ledger = _run(1, app, client, auth, org, time_machine)
    # The default seed plays every kind of action: moves, leavers, study, sheets, sessions.
    stays = [stay for stays in ledger.stays.values() for stay in stays]
    assert len(stays) > len(ledger.stays)  # someone moved
    assert any(end is not None and end != start for _, start, end in stays)
    assert ledger.seconds and ledger.offline
    assert {passed for _, passed in ledger.sheets.values()} == {True, False}
    assert {accepted for _, accepted in ledger.reflections.values()} == {True, False}


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2, 22))
def test_the_campaign_report_equals_the_oracle_on_many_seeds(
    seed, app, client, auth, org, time_machine
):
    _run(seed, app, client, auth, org, time_machine)

"""The quiz participation report against the oracle (tests/oracle/), for the quiz limited by
branch and political status that allows 2–3 attempts: its own days (the default), a part of
them and a wider period, for the admin and a unit organiser; page table and headline, .xlsx
summary and member sheet, .csv summary and member lines. Each counting rule (highest, latest,
first) on the default seed; 20 more seeds under ``make oracle`` (marked slow)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from quizapp.quizzes.models import Counting
from tests.oracle.compare import BASE, Ask, check
from tests.oracle.scenario import DAYS, LIMITED_DAYS, play


def _run(seed, app, client, auth, org, time_machine, counting=None):
    world = play(seed, app, client, auth, org, time_machine, counting)
    rng = random.Random(-seed)
    start = rng.choice(DAYS)
    part = (start, rng.choice([d for d in DAYS if d >= start]))
    wider = (date(2026, 11, 1), date(2026, 11, 30))
    url = f"{BASE}/quizzes/{world.quiz.id}"
    for login_id, scope in (("admin", None), ("org1", org.u1.id)):
        for first, last in (LIMITED_DAYS, part, wider):
            check(client, auth, world, Ask("quiz", url, login_id, scope, first, last))
    return world


@pytest.mark.parametrize("counting", list(Counting))
def test_the_quiz_report_equals_the_oracle(counting, app, client, auth, org, time_machine):
    world = _run(1, app, client, auth, org, time_machine, counting)
    ledger = world.ledger
    sheets = {m: ledger.sheets_of(m, "limited") for m in ledger.sheets}
    # Someone sat more than once, with different scores (so the rule decides), and someone
    # was left out by status or by branch.
    assert any(len({s.score for s in mine}) > 1 for mine in sheets.values())
    assert {s.passed for mine in sheets.values() for s in mine} == {True, False}
    assert any(status not in ("正式党员", "预备党员") for *_, status in ledger.people.values())


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2, 22))
def test_the_quiz_report_equals_the_oracle_on_many_seeds(
    seed, app, client, auth, org, time_machine
):
    _run(seed, app, client, auth, org, time_machine)

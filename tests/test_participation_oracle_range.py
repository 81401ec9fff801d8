"""The free-period (date range) participation report against the oracle (tests/oracle/): the
seven days, a part of them and a wider period, for the admin and a unit organiser; page table
and headline, .xlsx summary and member sheet, .csv summary and member lines. One seed by
default, 20 more under ``make oracle`` (marked slow)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from tests.oracle.compare import BASE, Ask, check
from tests.oracle.scenario import DAYS, FIRST, LAST, play


def _run(seed, app, client, auth, org, time_machine):
    world = play(seed, app, client, auth, org, time_machine)
    rng = random.Random(-seed)
    start = rng.choice(DAYS)
    part = (start, rng.choice([d for d in DAYS if d >= start]))
    wider = (date(2026, 11, 1), date(2026, 11, 30))
    for login_id, scope in (("admin", None), ("org1", org.u1.id)):
        for first, last in ((FIRST, LAST), part, wider):
            check(client, auth, world, Ask("range", f"{BASE}/range", login_id, scope, first, last))
    return world


def test_the_range_report_equals_the_oracle(app, client, auth, org, time_machine):
    world = _run(1, app, client, auth, org, time_machine)
    # Someone attended an offline session on a day they did not study online.
    ledger = world.ledger
    assert any(day not in ledger.seconds for day in ledger.offline)
    assert {m for m, _ in ledger.offline} - {m for m, _ in ledger.seconds}  # offline only


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2, 22))
def test_the_range_report_equals_the_oracle_on_many_seeds(
    seed, app, client, auth, org, time_machine
):
    _run(seed, app, client, auth, org, time_machine)

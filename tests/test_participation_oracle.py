"""The campaign participation report against the oracle (tests/oracle/): the campaign's days,
a part of them and a wider period (cut to the campaign's days), for the admin and a unit
organiser; page table and headline, .xlsx summary and member sheet, .csv summary and member
lines. One seed by default, 20 more under ``make oracle`` (marked slow)."""

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
    part = (start, rng.choice([d for d in DAYS if d >= start]))  # some of the campaign's days
    wider = (date(2026, 11, 1), date(2026, 11, 30))  # cut to the campaign's days
    url = f"{BASE}/campaigns/{world.campaign.id}"
    for login_id, scope in (("admin", None), ("org1", org.u1.id)):
        for first, last in ((FIRST, LAST), part, wider):
            counted = (max(first, FIRST), min(last, LAST))
            check(client, auth, world, Ask("campaign", url, login_id, scope, first, last, counted))
    return world.ledger


def test_the_campaign_report_equals_the_oracle(app, client, auth, org, time_machine):
    ledger = _run(1, app, client, auth, org, time_machine)
    # The default seed plays every kind of action: moves, leavers, study, sheets, sessions.
    stays = [stay for stays in ledger.stays.values() for stay in stays]
    assert len(stays) > len(ledger.stays)  # someone moved
    assert any(end is not None and end != start for _, start, end in stays)
    assert ledger.seconds and ledger.offline
    sheets = [s for member in ledger.sheets for s in ledger.sheets_of(member, "campaign")]
    assert {s.passed for s in sheets} == {True, False}
    assert {accepted for _, accepted in ledger.reflections.values()} == {True, False}


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2, 22))
def test_the_campaign_report_equals_the_oracle_on_many_seeds(
    seed, app, client, auth, org, time_machine
):
    _run(seed, app, client, auth, org, time_machine)

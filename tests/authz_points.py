"""Authorisation matrix rows for points pages: points: corrections, rules, tier thresholds and the ranking.

Each row is a :class:`tests.authz_world.Case`; tests/test_authz_matrix.py runs them for every
kind of actor.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from quizapp import db
from quizapp.clock import china_today, utcnow
from quizapp.points import corrections
from quizapp.points.models import PointEntry, PointSettings
from quizapp.points.rules import DEFAULTS, UNIT_RULES
from tests.authz_world import Case, World, exists, post, url, url_of

#: The one-time token of the matrix's correction form.
TOKEN = "matrix-correction-0001"


def _correction_form(w: World) -> dict:
    return {
        "kind": "award",
        "points": "5",
        "reason": "矩阵测试补发",
        "day": china_today().isoformat(),
        "token": TOKEN,
    }


def _exists(source_key: str) -> bool:
    return exists(PointEntry.source_key, source_key)


def _m1_correction(w: World) -> PointEntry:
    """m1's 补发 by org1, made on first use by the undo rows."""
    entry = db.session.scalar(
        select(PointEntry).where(PointEntry.source_key == "correction:matrix-existing-0001")
    )
    if entry is None:
        entry, _ = corrections.correct_points(
            w.org1,
            w.m1,
            corrections.CorrectionData(
                "award", 3, "矩阵测试：原有的补发", china_today(), "matrix-existing-0001"
            ),
            utcnow(),
        )
        db.session.commit()
    return entry


def entry_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of m1's correction."""
    return url_of(template, lambda w: {"entry": _m1_correction(w).id})


def _settings_form(w: World) -> dict:
    form = {"red_min": "45", "yellow_min": "20"}
    for key, rule in DEFAULTS.items():
        form |= {
            f"{key}_points": str(rule.points),
            f"{key}_cap": str(rule.daily_cap),
            f"{key}_enabled": "y",
        }
        if key in UNIT_RULES:
            form[f"{key}_unit"] = str(rule.unit)
    return form


def _settings_saved(w: World) -> bool:
    settings = db.session.get(PointSettings, 1)
    return settings is not None and settings.red_min == 45


CASES: list[Case] = [
    Case("points.ranking", "GET", url("/manage/points/"), outsider=200),
    Case("points.ranking", "GET", url("/manage/points/?month=2026-11"), outsider=200),
    Case("points.member", "GET", url("/manage/points/members/{m1}")),
    post(
        "points.correct",
        url("/manage/points/members/{m1}/corrections"),
        form=_correction_form,
        done=lambda w: _exists(f"correction:{TOKEN}"),
    ),
    post(
        "points.reverse",
        entry_url("/manage/points/entries/{entry}/reverse"),
        done=lambda w: _exists(f"reversal:{_m1_correction(w).id}"),
    ),
    Case("points.settings", "GET", url("/manage/points/settings"), outsider=200),
    # Organisers may read the rules; only admins change them.
    post(
        "points.settings",
        url("/manage/points/settings"),
        form=_settings_form,
        outsider=403,
        organiser=403,
        done=_settings_saved,
    ),
]

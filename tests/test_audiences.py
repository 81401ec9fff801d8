"""Audiences reaching into a subtree: the Python rule and its SQL form agree."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.audiences.models import Audience
from quizapp.audiences.services import build_audience, reaches, reaching


@pytest.mark.parametrize("branches,roster,reached", [
    (["bureau"], [], {"bureau", "u1", "u2", "b11"}),  # above: reaches every subtree below
    (["u1"], [], {"bureau", "u1", "b11"}),  # below the bureau, inside U1
    (["b12"], [], {"bureau", "u1"}),  # B11's subtree holds nobody of B12
    ([], ["m1"], {"bureau", "u1", "b11"}),  # a roster reaches where its people are now
    ([], ["org2"], {"bureau", "u2"}),
])
def test_reaching_matches_reaches(org, branches, roster, reached):
    audience = build_audience(org.admin, [getattr(org, b) for b in branches], [],
                              [getattr(org, m) for m in roster])
    db.session.flush()
    for name in ("bureau", "u1", "u2", "b11"):
        root = getattr(org, name)
        in_sql = db.session.scalar(select(Audience.id).where(
            Audience.id == audience.id, reaching(Audience.id, root))) is not None
        assert reaches(audience, root) == in_sql == (name in reached), name

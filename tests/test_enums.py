"""Status and kind columns: one shape (``enums.LabelledEnum``), each value with its label."""

from __future__ import annotations

import enum
import re

import pytest
from sqlalchemy import CheckConstraint

from quizapp.enums import LabelledEnum, one_of
from quizapp.models import metadata

#: ``kind IN ('a', 'b')``, alone or inside a longer CHECK (``reason IS NULL OR reason IN ...``).
LISTED = re.compile(r"(\w+) IN \(('[^']*'(?:, '[^']*')*)\)")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _enums() -> list[type[enum.StrEnum]]:
    """Every StrEnum the app defines (the models are all imported through quizapp.models)."""
    found, todo = [], list(enum.StrEnum.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("quizapp.") and cls is not LabelledEnum:
            found.append(cls)
    return found


def _listed_checks() -> list[tuple[str, str, frozenset[str]]]:
    """(table, column, values) of every CHECK that keeps a column to a list of values."""
    checks = []
    for table in metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint):
                for column, listed in LISTED.findall(str(constraint.sqltext)):
                    values = frozenset(v.strip("'") for v in listed.split(", "))
                    checks.append((table.name, column, values))
    return checks


def test_the_checks_are_found():
    columns = {(table, column) for table, column, _ in _listed_checks()}
    assert {("attempts", "status"), ("quizzes", "leave_policy"), ("notices", "kind")} <= columns


@pytest.mark.parametrize(
    ("table", "column", "values"), [pytest.param(*c, id=f"{c[0]}.{c[1]}") for c in _listed_checks()]
)
def test_every_checked_column_takes_the_values_of_a_labelled_enum(table, column, values):
    matching = [cls for cls in _enums() if {m.value for m in cls} == values]
    assert len(matching) == 1, f"{table}.{column}: no one enum has the values {sorted(values)}"
    (cls,) = matching
    assert issubclass(cls, LabelledEnum), f"{table}.{column}: {cls.__name__} is a plain StrEnum"
    for member in cls:
        assert CHINESE.search(member.label), f"{cls.__name__}.{member.name} has no Chinese label"


def test_a_member_keeps_its_value_and_carries_its_label():
    class Sample(LabelledEnum):
        DRAFT = "draft", "草稿"

    assert Sample.DRAFT == "draft" and Sample("draft") is Sample.DRAFT
    assert Sample.DRAFT.label == "草稿"
    assert str(one_of("status", Sample).sqltext) == "status IN ('draft')"

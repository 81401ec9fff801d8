"""The one shape of a status or kind column's values: a ``StrEnum`` with Chinese labels, and
the CHECK that keeps the column to them."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint


class LabelledEnum(enum.StrEnum):
    """A ``StrEnum`` whose members carry their Chinese label: ``DRAFT = "draft", "草稿"``.

    The value is what the database stores; ``label`` is what a page shows.
    """

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


def one_of(column: str, values: type[LabelledEnum]) -> CheckConstraint:
    """Return the CHECK (named after ``column``) that keeps it to the enum's values."""
    listed = ", ".join(f"'{value.value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=column)

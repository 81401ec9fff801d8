"""The one shape of a status or kind column's values: a ``StrEnum`` with Chinese labels."""

from __future__ import annotations

import enum


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

"""The shapes of columns and keys the models repeat, declared once.

Column shapes are SQLAlchemy 2 ``Annotated`` types: ``id: Mapped[IntPK]`` declares what
``id: Mapped[int] = mapped_column(primary_key=True)`` did. A column may add options of its own
(``status: Mapped[EnumValue] = mapped_column(default=...)``), which SQLAlchemy merges with
the shape's, and ``| None`` makes it nullable (``decided_by_id: Mapped[MemberRef | None]``).
A plain ``Mapped[datetime]`` is already a ``UTCDateTime`` (``db.Base.type_annotation_map``).
A column declared by its annotation alone is no name in the class body, so a relationship
names it as a string: ``relationship(foreign_keys="QuizException.member_id")``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column

from quizapp.clock import utcnow

IntPK = Annotated[int, mapped_column(primary_key=True)]
#: The title of a quiz, material, campaign...
Title = Annotated[str, mapped_column(String(100))]
#: The value of a status or kind (a ``LabelledEnum``; its CHECK is ``enums.one_of``).
EnumValue = Annotated[str, mapped_column(String(16))]
#: Free text that starts empty: descriptions, notes, comments.
FreeText = Annotated[str, mapped_column(Text, default="")]
#: When something happened, now unless told otherwise.
Timestamp = Annotated[datetime, mapped_column(default=utcnow)]
#: Now when the row is inserted, and again at each update.
UpdatedAt = Annotated[datetime, mapped_column(default=utcnow, onupdate=utcnow)]
#: A member's or a branch's id (``| None``: optional).
MemberRef = Annotated[int, mapped_column(ForeignKey("members.id"))]
BranchRef = Annotated[int, mapped_column(ForeignKey("branches.id"))]


def parent_key(table: str) -> MappedColumn[int]:
    """Return a key column of a row that belongs to a row of ``table``: part of the primary
    key, and deleted with its parent."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), primary_key=True)


def unique_where(name: str, *columns: str, where: str) -> Index:
    """Return a unique index over ``columns`` among the rows ``where`` holds (a partial index,
    on both SQLite and PostgreSQL)."""
    return Index(
        name, *columns, unique=True, sqlite_where=text(where), postgresql_where=text(where)
    )


class Authored:
    """Mixin: the member who created the row (when one did), when, and when it last changed."""

    created_by_id: Mapped[MemberRef | None]
    created_at: Mapped[Timestamp]
    updated_at: Mapped[UpdatedAt]

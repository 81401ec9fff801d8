"""The ``int`` converter of every URL: ids that fit the database's id columns, else 404."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, ValidationError

#: The largest id a table holds: PostgreSQL's INTEGER is 32-bit.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` limited to 0 … MAX_ID, so a huge number is "no such page", not a 500.

    Werkzeug's own converter accepts any number of digits; the query it leads to then fails
    on PostgreSQL (integer out of range) or SQLite (more than 64 bits).
    """

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)):  # don't even convert a thousand digits
            raise ValidationError()
        return super().to_python(value)

"""The autosave's copies of questions: what parsing a response needs, kept per app.

The one-statement autosave (``autosave.py``, PostgreSQL) parses the response before it
writes, without reading the question first: it takes the question's type, options and stem
from here. A copy is never trusted on its own: the statement writes only when the question's
row still has exactly that type, stem and options (its options compared as the text the
database stores, read with the copy), so an edited question, whatever its ``updated_at``
(frozen in tests, equal for two edits in one microsecond), sends the save to the checked path,
which parses against the question as it is now and refreshes the copy.

Kept on the app (``app.extensions``), not in the module: each app (each test's database) has
its own, and a process holds one app. Bounded: past ``LIMIT`` questions the oldest copy goes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import current_app

#: How many questions' copies an app keeps (an exam uses tens; a whole bank, thousands).
LIMIT = 5000
_KEY = "autosave_question_copies"


@dataclass(frozen=True, slots=True)
class QuestionCopy:
    """What parsing a response to the question needs, and the options as the database stores
    them (the text the statement compares)."""

    type: str
    options: list[str]
    stem: str
    options_text: str


class QuestionCopies:
    """Question id -> :class:`QuestionCopy`, at most ``limit`` of them (oldest dropped first).

    A read is one dict lookup; a write (the checked path's) takes a lock, so threads of one
    app may share it.
    """

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._copies: dict[int, QuestionCopy] = {}
        self._writing = threading.Lock()

    def __len__(self) -> int:
        return len(self._copies)

    def get(self, question_id: int) -> QuestionCopy | None:
        return self._copies.get(question_id)

    def put(self, question_id: int, copy: QuestionCopy) -> None:
        copies = self._copies
        with self._writing:
            if question_id not in copies and len(copies) >= self.limit:
                oldest = next(iter(copies), None)
                copies.pop(oldest, None)
            copies[question_id] = copy


def app_copies() -> QuestionCopies:
    """Return the current app's copies (made on first use)."""
    try:
        return current_app.extensions[_KEY]
    except KeyError:
        return current_app.extensions.setdefault(_KEY, QuestionCopies())

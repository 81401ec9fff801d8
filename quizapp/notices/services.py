"""Writing notices (once per dedupe key) and marking them read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from quizapp import db
from quizapp.errors import DomainError
from quizapp.members.models import Member
from quizapp.notices.models import Notice, NoticeKind

#: Keys looked up per query when checking which drafts were already sent.
KEY_BATCH = 500
TITLE_MAX = 200


@dataclass(frozen=True)
class NoticeDraft:
    """A notice to write unless one with the same ``dedupe_key`` exists."""

    member_id: int
    kind: NoticeKind
    title: str
    body: str
    dedupe_key: str
    #: A path inside the app, e.g. ``/campaigns/3`` (None: no link).
    link: str | None = None


def app_path(endpoint: str, **values: int) -> str:
    """Return the path of a page for a notice's link (url_for needs a request; jobs have none)."""
    return current_app.url_map.bind("").build(endpoint, values)


def _row(draft: NoticeDraft, now: datetime) -> dict:
    if draft.link is not None and (not draft.link.startswith("/") or draft.link.startswith("//")):
        raise ValueError(f"a notice links inside the app only, not to {draft.link!r}")
    title = draft.title if len(draft.title) <= TITLE_MAX else draft.title[: TITLE_MAX - 1] + "…"
    return {
        "member_id": draft.member_id,
        "kind": NoticeKind(draft.kind).value,
        "title": title,
        "body": draft.body,
        "link": draft.link,
        "dedupe_key": draft.dedupe_key,
        "created_at": now,
        "read_at": None,
    }


def send_notices(drafts: Iterable[NoticeDraft], now: datetime) -> int:
    """Write the drafts whose dedupe key is new; return how many were written.

    One read per KEY_BATCH keys finds those already sent, one bulk insert writes the rest.
    The insert skips keys that appeared in between (ON CONFLICT DO NOTHING), so two runs
    that overlap still write each notice once.
    """
    fresh: dict[str, NoticeDraft] = {}
    for draft in drafts:
        fresh.setdefault(draft.dedupe_key, draft)  # the first draft of a key wins, as in the table
    keys = list(fresh)
    for start in range(0, len(keys), KEY_BATCH):
        for key in db.session.scalars(
            select(Notice.dedupe_key).where(Notice.dedupe_key.in_(keys[start : start + KEY_BATCH]))
        ):
            del fresh[key]
    if not fresh:
        return 0
    db.session.execute(
        db.insert_ignoring_duplicates(Notice, index_elements=[Notice.dedupe_key]),
        [_row(draft, now) for draft in fresh.values()],
    )
    return len(fresh)


def send_notice(draft: NoticeDraft, now: datetime) -> bool:
    """Write one notice unless its dedupe key was used; True when it was written."""
    return send_notices([draft], now) == 1


def mark_read(member: Member, notice: Notice, now: datetime) -> Notice:
    """Mark one of the member's notices read (reading it again keeps the first time)."""
    if notice.member_id != member.id:
        raise DomainError("没有找到这条通知。")
    if notice.read_at is None:
        notice.read_at = now
        db.session.flush()
    return notice


def mark_all_read(member: Member, now: datetime) -> int:
    """Mark every unread notice of the member read; return how many."""
    return db.session.execute(
        update(Notice)
        .where(Notice.member_id == member.id, Notice.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount

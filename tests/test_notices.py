"""Notices: written once per dedupe key, listed for their member only, marked read by POST,
shown on the home page while unread."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp import db
from quizapp.notices.models import Notice, NoticeKind
from quizapp.notices.services import NoticeDraft, send_notice, send_notices
from tests.factories import NOW, fresh


def _draft(
    member,
    key="k1",
    title="学习提醒",
    body="请完成学习。",
    link=None,
    kind=NoticeKind.CAMPAIGN_REMINDER,
):
    return NoticeDraft(
        member_id=member.id, kind=kind, title=title, body=body, dedupe_key=key, link=link
    )


def _send(member, key="k1", now=NOW, **values):
    assert send_notice(_draft(member, key, **values), now)
    db.session.commit()
    return db.session.scalar(select(Notice).where(Notice.dedupe_key == key))


def _count():
    return db.session.scalar(select(func.count()).select_from(Notice))


# Writing


def test_a_dedupe_key_is_written_once(org):
    drafts = [_draft(org.m1, "a"), _draft(org.m1, "b"), _draft(org.org1, "a", title="重复")]
    assert send_notices(drafts, NOW) == 2
    db.session.commit()
    assert send_notices([*drafts, _draft(org.m1, "c")], NOW) == 1
    db.session.commit()
    assert _count() == 3
    first = db.session.scalar(select(Notice).where(Notice.dedupe_key == "a"))
    assert (first.member_id, first.title, first.read_at) == (org.m1.id, "学习提醒", None)
    assert first.created_at == NOW


def test_sending_nothing_writes_nothing(org, queries):
    with queries() as statements:
        assert send_notices([], NOW) == 0
    assert statements == []


def test_long_titles_are_shortened(org):
    notice = _send(org.m1, title="长" * 300)
    assert len(notice.title) == 200 and notice.title.endswith("…")


@pytest.mark.parametrize("link", ["https://example.com/x", "//example.com/x", "campaigns/1"])
def test_links_stay_inside_the_app(org, link):
    with pytest.raises(ValueError):
        send_notice(_draft(org.m1, link=link), NOW)
    # The table refuses them too, whatever writes the row.
    db.session.add(
        Notice(
            member_id=org.m1.id, kind="reminder", title="x", body="", link=link, dedupe_key="raw"
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# The member's pages


def test_notices_page_lists_only_the_members_own(client, auth, org):
    _send(org.m1, "mine-old", title="较早的通知", now=NOW - timedelta(days=1))
    _send(org.m1, "mine-new", title="最新的通知", link="/campaigns/1")
    _send(org.org1, "theirs", title="别人的通知")
    auth.login("m1")
    html = client.get("/notices/").get_data(as_text=True)
    assert html.index("最新的通知") < html.index("较早的通知")
    assert "别人的通知" not in html
    assert html.count(">未读<") == 2
    assert "全部标为已读" in html


def test_notices_need_a_login(client, org):
    assert client.get("/notices/").status_code == 302


def test_mark_read_goes_back_or_opens_the_link(client, auth, org):
    plain = _send(org.m1, "plain")
    linked = _send(org.m1, "linked", link="/campaigns/7")
    auth.login("m1")
    response = client.post(f"/notices/{plain.id}/read", data={"back": "home"})
    assert response.headers["Location"] == "/"
    assert fresh(plain).read_at is not None
    response = client.post(f"/notices/{linked.id}/read", data={"open": "1"})
    assert response.headers["Location"] == "/campaigns/7"
    first_read = fresh(linked).read_at
    # Reading again keeps the first time; an unknown "back" goes to the list, never a URL.
    response = client.post(f"/notices/{linked.id}/read", data={"back": "https://evil.test"})
    assert response.headers["Location"] == "/notices/"
    assert fresh(linked).read_at == first_read
    html = client.get("/notices/").get_data(as_text=True)
    assert ">未读<" not in html and "全部标为已读" not in html
    assert 'href="/campaigns/7"' in html  # a read notice still links to its page


def test_another_members_notice_is_404(client, auth, org):
    theirs = _send(org.org1, "theirs")
    auth.login("m1")
    assert client.post(f"/notices/{theirs.id}/read").status_code == 404
    assert client.post("/notices/999999/read").status_code == 404
    assert fresh(theirs).read_at is None


def test_mark_read_needs_post_and_csrf(app, client, auth, org):
    notice = _send(org.m1)
    auth.login("m1")
    assert client.get(f"/notices/{notice.id}/read").status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/notices/{notice.id}/read").status_code == 400
    assert client.post("/notices/read-all").status_code == 400
    assert fresh(notice).read_at is None
    page = client.get("/notices/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/notices/{notice.id}/read", data={"csrf_token": token})
    assert response.status_code == 302
    assert fresh(notice).read_at is not None


def test_read_all_marks_only_the_members_own(client, auth, org):
    mine = [_send(org.m1, f"m{i}") for i in range(3)]
    theirs = _send(org.org1, "theirs")
    auth.login("m1")
    assert client.post("/notices/read-all").headers["Location"] == "/notices/"
    assert all(fresh(n).read_at is not None for n in mine)
    assert fresh(theirs).read_at is None


# The home page


def test_home_shows_the_newest_unread_notices_first(client, auth, org):
    for i in range(4):
        _send(org.m1, f"n{i}", title=f"通知{i}", now=NOW + timedelta(minutes=i))
    auth.login("m1")
    html = client.get("/").get_data(as_text=True)
    assert "通知（4 条未读）" in html
    assert 'href="/notices/"' in html
    assert html.index("通知3") < html.index("通知2") < html.index("通知1")
    assert "通知0" not in html  # three are shown; the list has the rest
    assert html.index("通知3") < html.index("今日学习")  # above the rest of the page


def test_home_hides_read_notices(client, auth, org):
    notice = _send(org.m1, title="已经看过的通知")
    auth.login("m1")
    client.post(f"/notices/{notice.id}/read", data={"back": "home"})
    html = client.get("/").get_data(as_text=True)
    assert "已经看过的通知" not in html
    assert "暂无未读" in html and 'href="/notices/"' in html


def test_home_queries_do_not_grow_with_notices(client, auth, org, queries):
    auth.login("m1")
    client.get("/")
    with queries() as before:
        client.get("/")
    for i in range(10):
        _send(org.m1, f"n{i}")
    with queries() as after:
        client.get("/")
    assert len(after) <= len(before) + 1  # the count, once more than three are unread

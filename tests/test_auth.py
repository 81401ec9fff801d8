"""Logging in, first-login password change, rate limits, sessions and CSRF."""

from __future__ import annotations

import re

import pytest

from quizapp import db
from quizapp.auth import services
from quizapp.auth.passwords import check_password_rules
from quizapp.errors import DomainError
from quizapp.members.models import Member
from tests.conftest import PASSWORD


def test_login_with_police_no_reaches_home(client, auth, org):
    response = auth.login("m1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "普通党员，您好" in page.get_data(as_text=True)


def test_login_with_phone(client, auth, make_member, org):
    make_member("p100", org.b12, phone="13912345678")
    db.session.commit()
    assert auth.login("13912345678").status_code == 302


def test_wrong_password_is_refused_in_chinese(client, auth, org):
    response = auth.login("m1", "wrong-password1")
    assert response.status_code == 200
    assert "账号或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still anonymous


def test_unknown_account_gets_the_same_message(auth, org):
    response = auth.login("nobody", "whatever123")
    assert "账号或密码错误" in response.get_data(as_text=True)


def test_inactive_member_cannot_log_in(auth, make_member, org):
    make_member("gone", org.b11, active=False)
    db.session.commit()
    response = auth.login("gone")
    assert "该账号已停用" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login_with_next(client, org):
    response = client.get("/me")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("target,expected", [
    ("/me", "/me"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_redirect_is_only_followed_within_the_site(client, org, target, expected):
    response = client.post("/login", data={"login_id": "m1", "password": PASSWORD,
                                           "next": target})
    assert response.headers["Location"] == expected


def test_first_login_forces_password_change(client, auth, make_member, org):
    make_member("new1", org.b11, must_change=True)
    db.session.commit()
    response = auth.login("new1")
    assert response.headers["Location"] == "/password"
    # Every other page sends the member back to the password form.
    assert client.get("/").headers["Location"] == "/password"
    assert client.get("/manage/").headers["Location"] == "/password"
    bad = client.post("/password", data={"current": PASSWORD, "new": "short",
                                         "confirm": "short"})
    assert "至少需要 8 位" in bad.get_data(as_text=True)
    ok = client.post("/password", data={"current": PASSWORD, "new": "MyOwn2026x",
                                        "confirm": "MyOwn2026x"})
    assert ok.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    member = db.session.scalar(db.session.query(Member).filter_by(police_no="new1").statement)
    db.session.refresh(member)
    assert member.must_change_password is False


def test_password_change_logs_out_other_sessions(app, org):
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/login", data={"login_id": "m1", "password": PASSWORD})
    first.post("/password", data={"current": PASSWORD, "new": "Another2026",
                                  "confirm": "Another2026"})
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302  # its session is no longer valid


def test_json_clients_get_403_until_password_changed(client, auth, make_member, org):
    make_member("new2", org.b11, must_change=True)
    db.session.commit()
    auth.login("new2")
    response = client.get("/me", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "请先修改初始密码。"


@pytest.mark.parametrize("password,reason", [
    ("abc123", "至少需要 8 位"),
    ("abcdefghij", "字母和数字"),
    ("1234567890", "字母和数字"),
    ("m12345678", "不能与警号"),
])
def test_password_rules(password, reason):
    with pytest.raises(DomainError, match=reason):
        check_password_rules(password, ("m12345678", None))


def test_account_is_locked_after_repeated_failures(client, auth, org):
    for _ in range(5):
        assert auth.login("m1", "bad-password1").status_code == 200
    locked = auth.login("m1")  # even the right password is refused while locked
    assert locked.status_code == 429
    text = locked.get_data(as_text=True)
    assert "该账号登录失败次数过多" in text and "分钟后再试" in text
    # Another account from the same address is not locked by the first one's failures.
    assert auth.login("org1").status_code == 302


def test_address_limit_covers_many_accounts(app, client, auth, org):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for name in ("a1", "a2", "a3"):
        auth.login(name, "bad-password1")
    response = auth.login("m1")
    assert response.status_code == 429
    assert "当前网络登录失败次数过多" in response.get_data(as_text=True)


def test_successful_logins_do_not_count(client, auth, org):
    for _ in range(8):
        assert auth.login("m1").status_code == 302
        auth.logout()


def test_session_cookie_is_httponly_and_samesite(client, auth, org):
    response = auth.login("m1")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_is_required_on_forms_and_json(app, client, org):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"login_id": "m1", "password": PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/login", data={"login_id": "m1", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    # Scripts send the token in the X-CSRFToken header; without it a POST is refused.
    assert client.post("/logout", headers={"Accept": "application/json"}).status_code == 400
    assert client.post("/logout", headers={"X-CSRFToken": token}).status_code == 302


def test_logout_requires_post(client, auth, org):
    auth.login("m1")
    assert client.get("/logout").status_code == 405
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_authenticate_records_last_login(app, org):
    from datetime import UTC, datetime

    now = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    member = services.authenticate("m1", PASSWORD, now)
    assert member.last_login_at == now


def test_unknown_accounts_cost_one_password_check_too(app, org, monkeypatch):
    from quizapp.auth import passwords

    calls = []
    real = passwords.verify_password

    def counting(password_hash, password):
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counting)
    with pytest.raises(DomainError):
        services.authenticate("nobody", "whatever123", None)
    assert calls == [None]  # verify_password(None, ...) hashes to spend the same time


def test_login_accepts_a_phone_written_with_spaces_or_prefix(auth, make_member, org):
    make_member("p200", org.b12, phone="13912345679")
    db.session.commit()
    assert auth.login("+86 139 1234 5679").status_code == 302


def test_login_counters_are_shared_through_the_database(app, auth, org):
    """Counters live in the database, so every gunicorn worker sees the same ones."""
    from sqlalchemy import select

    from quizapp.auth.models import RateLimitCounter

    for _ in range(3):
        auth.login("m1", "bad-password1")
    db.session.expire_all()
    counts = dict(db.session.execute(
        select(RateLimitCounter.key, RateLimitCounter.count)).all())
    assert any("account:m1" in key and count == 3 for key, count in counts.items()), counts
    # A fresh storage object (another worker) reads the same counter.
    from quizapp.auth.limits_storage import DatabaseStorage

    other = DatabaseStorage("quizapp-db://")
    key = next(k for k in counts if "account:m1" in k)
    assert other.get(key) == 3
    assert other.incr(key, 900) == 4
    other.clear(key)
    assert other.get(key) == 0


def test_an_expired_window_starts_again(app, org, monkeypatch):
    import time

    from quizapp.auth.limits_storage import DatabaseStorage

    storage = DatabaseStorage("quizapp-db://")
    assert storage.incr("k", 60) == 1
    assert storage.incr("k", 60) == 2
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1


def test_limiter_hooks_run_only_for_views_with_a_limit(tmp_path, monkeypatch):
    # Flask-Limiter's request hooks cost about a tenth of an autosave's CPU; they must run for
    # the login form (which carries the limits) and for nothing else.
    from flask_limiter import Limiter

    from quizapp import create_app

    original = Limiter._check_request_limit
    hook_calls = []

    def counting(self, callable_name=None, in_middleware=True):  # noqa: ANN001, ANN202
        if in_middleware:  # the before-request hook, not the decorator's own check
            hook_calls.append(callable_name)
        return original(self, callable_name=callable_name, in_middleware=in_middleware)

    monkeypatch.setattr(Limiter, "_check_request_limit", counting)
    monkeypatch.setenv("QUIZAPP_INSTANCE", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x", "TESTING": True})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/study/heartbeat").status_code == 405
    assert hook_calls == []
    assert client.get("/login").status_code == 200
    assert len(hook_calls) == 1

"""Logging in, first-login password change, login delays, one-time codes, sessions, headers
and CSRF."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.auth import services
from quizapp.errors import DomainError
from quizapp.members import activation
from quizapp.members.models import Member
from quizapp.members.passwords import check_password_rules
from quizapp.study import minutes
from tests.conftest import PASSWORD
from tests.factories import NOW, make_questions, make_quiz
from tests.test_demo import CREATE_ADMIN
from tests.test_study_minutes import heartbeat_statements


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


@pytest.mark.parametrize(
    "login_id,password,message",
    [
        (" ", PASSWORD, "请填写警号或手机号。"),
        ("m1", "", "请填写密码。"),
        ("1" * 33, PASSWORD, "警号或手机号不能超过 32 字。"),
        ("m1", "a1" * 65, "密码不能超过 128 字。"),
    ],
)
def test_an_unusable_login_form_is_answered_before_any_account_is_read(
    auth, org, monkeypatch, login_id, password, message
):
    """Whether an account exists can't show: the form is refused without looking one up."""

    def no_lookup(login_id):
        raise AssertionError("an account was looked up")

    monkeypatch.setattr(services, "find_by_login_id", no_lookup)
    response = auth.login(login_id, password)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text and "账号或密码错误" not in text


def test_the_password_form_names_what_is_missing_or_too_long(client, auth, org):
    auth.login("m1")
    page = client.post("/password", data={"current": "", "new": "", "confirm": ""})
    text = page.get_data(as_text=True)
    assert "请填写当前密码。" in text and "请填写新密码。" in text and "请再次输入新密码。" in text
    long = "a1" * 65
    page = client.post("/password", data={"current": PASSWORD, "new": long, "confirm": long})
    assert "新密码不能超过 128 字。" in page.get_data(as_text=True)
    assert auth.switch_to("m1").status_code == 302  # the password is unchanged


def test_inactive_member_cannot_log_in(auth, make_member, org):
    make_member("gone", org.b11, active=False)
    db.session.commit()
    response = auth.login("gone")
    assert "该账号已停用" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login_with_next(client, org):
    response = client.get("/me")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/me", "/me"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirect_is_only_followed_within_the_site(client, org, target, expected):
    response = client.post("/login", data={"login_id": "m1", "password": PASSWORD, "next": target})
    assert response.headers["Location"] == expected


def test_first_login_forces_password_change(client, auth, make_member, org):
    make_member("new1", org.b11, must_change=True)
    db.session.commit()
    response = auth.login("new1")
    assert response.headers["Location"] == "/password"
    # Every other page sends the member back to the password form.
    assert client.get("/").headers["Location"] == "/password"
    assert client.get("/manage/").headers["Location"] == "/password"
    bad = client.post("/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert "至少需要 8 位" in bad.get_data(as_text=True)
    ok = client.post(
        "/password", data={"current": PASSWORD, "new": "MyOwn2026x", "confirm": "MyOwn2026x"}
    )
    assert ok.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    member = db.session.scalar(db.session.query(Member).filter_by(police_no="new1").statement)
    db.session.refresh(member)
    assert member.must_change_password is False


def test_password_change_logs_out_other_sessions(app, org):
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/login", data={"login_id": "m1", "password": PASSWORD})
    first.post(
        "/password", data={"current": PASSWORD, "new": "Another2026", "confirm": "Another2026"}
    )
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302  # its session is no longer valid


def test_json_clients_get_403_until_password_changed(client, auth, make_member, org):
    make_member("new2", org.b11, must_change=True)
    db.session.commit()
    auth.login("new2")
    response = client.get("/me", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json()["message"] == "请先修改初始密码。"
    assert response.get_json()["error"] == "password_change_required"


@pytest.mark.parametrize(
    "password,reason",
    [
        ("abc123", "至少需要 8 位"),
        ("abcdefghij", "字母和数字"),
        ("1234567890", "字母和数字"),
        ("m12345678", "不能包含警号或手机号"),
        ("Demo123456", "不能使用演示密码"),
        ("DEMO123456", "不能使用演示密码"),
        ("x13912345678", "不能包含警号或手机号"),  # the phone number inside
        ("My-M12345678-pw", "不能包含警号或手机号"),  # the 警号 inside, any case
        ("张伟2026abc", "不能包含姓名"),
        ("ab张 伟12cd", "不能包含姓名"),
        ("Password1", "过于常见"),  # zxcvbn's list
        ("qwerty123", "过于常见"),
        ("Woaini1314", "过于常见"),  # weak_passwords_cn.txt
        ("jingcha123", "过于常见"),
        ("Police110", "过于常见"),
        ("dangyuan1", "过于常见"),
        ("zhang123", "姓氏拼音加数字"),  # zhang123456 is in the list, this is not
        ("Wang20262026", "姓氏拼音加数字"),
        ("19880808Li", "姓氏拼音加数字"),
        ("ouyang888", "姓氏拼音加数字"),
    ],
)
def test_password_rules(password, reason):
    with pytest.raises(DomainError, match=reason):
        check_password_rules(password, ("m12345678", "13912345678"), "张伟")


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "Start2026x",
        "Temp2026ab",
        "MyOwn2026x",
        "Another2026",
        "Mine2026abc",
        "m1Stays2026",  # login ids under 4 characters are too common to forbid inside
        "zhangwei2026x",  # more than a surname and digits
        "zhang2026wei",
        "bright2026",  # letters and digits, but not a surname
    ],
)
def test_passwords_the_rules_accept(password):
    check_password_rules(password, ("m1", None), "普通党员")


def test_common_passwords_are_loaded_once_with_the_chinese_list():
    from quizapp.members import passwords

    words = passwords.common_passwords()
    assert passwords.common_passwords() is words  # cached for the process
    assert len(words) > 30_000 and {"123456", "woaini1314", "gongan123"} <= words
    chinese = [
        line
        for line in passwords._CHINESE_LIST.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(chinese) >= 150 and all(line == line.strip().lower() for line in chinese)


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
    response = client.post(
        "/login", data={"login_id": "m1", "password": PASSWORD, "csrf_token": token}
    )
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
    from quizapp.members import passwords

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


def test_login_ids_typed_on_a_phone_keyboard_are_folded(auth, make_member, org):
    """A capitalised first letter and full-width digits still find the account."""
    make_member("p300", org.b12, phone="13912345670")
    db.session.commit()
    for typed in ("M1", "Ｍ１", "\u3000m1 ", "１３９１２３４５６７０", "P300"):
        assert auth.login(typed).status_code == 302, typed
        auth.logout()


def test_a_police_no_in_another_case_must_name_one_account(auth, make_member, org):
    # Made directly: the member services no longer let two 警号 differ only in case.
    make_member("ab12", org.b12)
    make_member("AB12", org.b12)
    db.session.commit()
    for exact in ("ab12", "AB12"):
        assert auth.login(exact).status_code == 302
        auth.logout()
    response = auth.login("Ab12")
    assert response.status_code == 200
    assert services.BAD_CREDENTIALS in response.get_data(as_text=True)


def test_the_login_field_is_not_capitalised_or_corrected(client, org):
    page = client.get("/login").get_data(as_text=True)
    field = re.search(r"<input[^>]*name=\"login_id\"[^>]*>", page).group(0)
    for attribute in (
        'autocapitalize="none"',
        'autocorrect="off"',
        'spellcheck="false"',
        'inputmode="text"',
    ):
        assert attribute in field


def test_login_counters_are_shared_through_the_database(app, auth, org):
    """Counters live in the database, so every gunicorn worker sees the same ones."""
    from sqlalchemy import select

    from quizapp.auth.models import RateLimitCounter

    for _ in range(3):
        auth.login("m1", "bad-password1")
    db.session.expire_all()
    counts = dict(db.session.execute(select(RateLimitCounter.key, RateLimitCounter.count)).all())
    assert any("login-address" in key and count == 3 for key, count in counts.items()), counts
    # A fresh storage object (another worker) reads the same counter.
    from quizapp.auth.limits_storage import DatabaseStorage

    other = DatabaseStorage("quizapp-db://")
    key = next(k for k in counts if "login-address" in k)
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


def test_only_failed_login_posts_touch_the_address_limit(app, client, org, monkeypatch):
    # The limit costs a read and a write of its counter: only a login form's POST may spend
    # them, never the hot paths (autosave, heartbeat) or any other request.
    from limits.strategies import FixedWindowRateLimiter

    calls = []
    for name in ("test", "hit", "get_window_stats"):
        original = getattr(FixedWindowRateLimiter, name)

        def counting(self, *args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(FixedWindowRateLimiter, name, counting)
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/study/heartbeat", json={"token": "x"}).status_code == 401
    assert client.get("/api/study/heartbeat").status_code == 405
    assert client.get("/login").status_code == 200
    assert calls == []
    assert (
        client.post("/login", data={"login_id": "m1", "password": "bad-pass1"}).status_code == 200
    )
    assert calls == ["test", "hit"]  # checked, then the failure counted
    calls.clear()
    assert client.post("/login", data={"login_id": "m1", "password": PASSWORD}).status_code == 302
    assert calls == ["test"]  # a login that succeeds is not counted
    calls.clear()
    assert client.put("/api/attempts/1/answers/1", json={"seq": 1, "response": 1}).status_code
    assert client.get("/me").status_code == 200
    assert calls == []


# Logout ends the session on the server, on every device.


def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _replay(app, **cookies):
    """Another client (another device, or whoever copied them) holding only these cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def test_logout_ends_copied_session_and_remember_cookies(app, client, org, material, time_machine):
    time_machine.move_to(NOW, tick=False)
    bank = make_questions(org.admin)
    quiz = make_quiz(org.admin, [org.u1], questions=[bank["single"][0]])
    client.post("/login", data={"login_id": "m1", "password": PASSWORD, "remember": "y"})
    attempt_id = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()["attempt_id"]
    answer_url = f"/api/attempts/{attempt_id}/answers/{bank['single'][0].id}"
    token = minutes.issue_token(org.m1.id, material)
    session, remember = _cookie(client, "session"), _cookie(client, "remember_token")
    assert session and remember

    def statuses(other, seq: int) -> dict[str, int]:
        return {
            "page": other.get("/me").status_code,
            "attempt": other.get(f"/api/attempts/{attempt_id}").status_code,
            "autosave": other.put(answer_url, json={"seq": seq, "response": 1}).status_code,
            "heartbeat": other.post("/api/study/heartbeat", json={"token": token}).status_code,
        }

    ok = {"page": 200, "attempt": 200, "autosave": 200, "heartbeat": 200}
    assert statuses(_replay(app, session=session), 1) == ok
    assert _replay(app, remember_token=remember).get("/me").status_code == 200

    response = client.post("/logout", follow_redirects=True)
    assert "您已安全退出（本账号在其他设备上的登录也已退出）" in response.get_data(as_text=True)

    copied = _replay(app, session=session)
    assert statuses(copied, 2) == {"page": 302, "attempt": 401, "autosave": 401, "heartbeat": 401}
    assert copied.get("/me").headers["Location"].startswith("/login")
    remembered = _replay(app, remember_token=remember)
    assert remembered.get("/me").headers["Location"].startswith("/login")
    assert remembered.get(f"/api/attempts/{attempt_id}").status_code == 401
    assert copied.get(f"/api/attempts/{attempt_id}").get_json()["status"] == 401


def test_logout_ends_the_sessions_of_other_devices(app, org):
    phone, desk = app.test_client(), app.test_client()
    for device in (phone, desk):
        assert (
            device.post("/login", data={"login_id": "m1", "password": PASSWORD}).status_code == 302
        )
    assert phone.post("/logout").headers["Location"] == "/login"
    assert desk.get("/").headers["Location"].startswith("/login")
    # Logging in again works, on either device.
    assert desk.post("/login", data={"login_id": "m1", "password": PASSWORD}).status_code == 302


def test_anonymous_logout_just_goes_to_the_login_page(client, org):
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "已安全退出" not in client.get("/login").get_data(as_text=True)


def test_a_member_who_must_change_the_password_can_log_out(client, auth, make_member, org):
    make_member("new3", org.b11, must_change=True)
    db.session.commit()
    auth.login("new3")
    assert auth.logout().headers["Location"] == "/login"
    assert client.get("/password").headers["Location"].startswith("/login")


# Wrong passwords: counted per account, then a growing delay.


def _failures(member) -> tuple[int, object]:
    """The member's counters as stored (not as this session remembers them)."""
    db.session.expire_all()
    row = db.session.execute(
        select(Member.failed_logins, Member.login_blocked_until).where(Member.id == member.id)
    ).one()
    return row.failed_logins, row.login_blocked_until


def test_wrong_passwords_count_per_account_whatever_id_was_typed(
    client, auth, make_member, org, time_machine
):
    time_machine.move_to(NOW, tick=False)  # 10:00 in China
    member = make_member("p100", org.b12, phone="13912345678")
    db.session.commit()
    for login_id in ("p100", "13912345678", " p100 ", "+86 139 1234 5678", "139-1234-5678"):
        response = auth.login(login_id, "bad-password1")
        assert response.status_code == 200
        assert "账号或密码错误" in response.get_data(as_text=True)
    assert _failures(member) == (5, None)  # committed, although every login failed

    sixth = auth.login("13912345678", "bad-password1")
    assert sixth.status_code == 429
    text = sixth.get_data(as_text=True)
    assert "该账号连续输错密码次数过多" in text and "请于 10:01 后再试" in text
    assert _failures(member) == (6, NOW + timedelta(minutes=1))
    # While paused not even the right password is checked, by either login id, and the
    # attempt neither counts nor lengthens the pause.
    for login_id in ("p100", "13912345678"):
        assert auth.login(login_id).status_code == 429
    assert _failures(member) == (6, NOW + timedelta(minutes=1))
    # Other accounts from the same address are not held up.
    assert auth.login("m1").status_code == 302
    auth.logout()
    # After the minute the right password logs in and starts the count again.
    time_machine.move_to(NOW + timedelta(minutes=1), tick=False)
    assert auth.login("13912345678").status_code == 302
    assert _failures(member) == (0, None)


def test_the_delay_doubles_up_to_the_cap(app, org, monkeypatch):
    now = NOW
    for failure in range(1, 6):
        with pytest.raises(DomainError) as refused:
            services.authenticate("m1", "bad-password1", now)
        assert (
            type(refused.value) is DomainError and refused.value.message == services.BAD_CREDENTIALS
        )
        db.session.commit()
        assert _failures(org.m1) == (failure, None)

    checks = []
    real = services.verify_password
    monkeypatch.setattr(
        services, "verify_password", lambda *args: checks.append(args) or real(*args)
    )
    for failure, delay in enumerate([1, 2, 4, 8, 16, 32, 60, 60, 60], start=6):
        checks.clear()
        with pytest.raises(services.LoginBlocked) as blocked:
            services.authenticate("m1", "bad-password1", now)
        db.session.commit()
        until = now + timedelta(minutes=delay)
        assert blocked.value.until == until and len(checks) == 1
        assert _failures(org.m1) == (failure, until)
        # Hammering while paused checks nothing and changes nothing.
        checks.clear()
        for moment in (now, until - timedelta(seconds=1)):
            for password in ("bad-password1", PASSWORD):
                with pytest.raises(services.LoginBlocked) as again:
                    services.authenticate("m1", password, moment)
                assert again.value.until == until
        db.session.commit()
        assert checks == [] and _failures(org.m1) == (failure, until)
        now = until
    assert services.authenticate("m1", PASSWORD, now).id == org.m1.id
    db.session.commit()
    assert _failures(org.m1) == (0, None)


def test_delay_settings_come_from_config(app, org):
    app.config.update(LOGIN_FAILURES_BEFORE_DELAY=2, LOGIN_DELAY_MAX_MINUTES=3)
    delays = services.login_delays()
    assert [delays.minutes_after(n) for n in range(1, 8)] == [0, 0, 1, 2, 3, 3, 3]
    for _ in range(2):
        with pytest.raises(DomainError):
            services.authenticate("m1", "bad-password1", NOW)
    with pytest.raises(services.LoginBlocked) as blocked:
        services.authenticate("m1", "bad-password1", NOW)
    assert blocked.value.until == NOW + timedelta(minutes=1)
    assert services.LoginDelays(5, 60).minutes_after(10_000) == 60


def test_pause_ends_shown_rounded_up_to_the_minute():
    assert services.wait_until_text(NOW) == "10:00"
    assert services.wait_until_text(NOW + timedelta(seconds=1)) == "10:01"
    assert services.wait_until_text(NOW + timedelta(minutes=59, seconds=30)) == "11:00"


def test_concurrent_wrong_passwords_each_count(app, org):
    """The counter is incremented by the database, so no concurrent failure is lost."""
    workers = 5
    barrier = threading.Barrier(workers)
    problems = []

    def wrong_password():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                try:
                    services.authenticate("m1", "bad-password1", NOW)
                except DomainError:
                    db.session.commit()
        except Exception as exc:
            problems.append(exc)

    threads = [threading.Thread(target=wrong_password) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert problems == []
    assert _failures(org.m1) == (workers, None)


def test_unknown_login_ids_count_only_against_the_address(app, auth, org):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "8 per 15 minutes"
    for _ in range(8):
        assert auth.login("nobody", "bad-password1").status_code == 200  # no account pause
    refused = auth.login("m1")
    assert refused.status_code == 429
    assert "当前网络登录失败次数过多" in refused.get_data(as_text=True)


# One-time login codes of members imported without a password.


def _imported(make_member, org, login_id="new9"):
    """A member as a roster import leaves them: no password, a nonce behind their code."""
    member = make_member(login_id, org.b11, name="新同志")
    member.password_hash = None
    member.activation_nonce = activation.new_nonce()
    db.session.commit()
    return member, activation.activation_code(member.id, member.activation_nonce)


def test_one_time_code_logs_in_once_and_the_member_sets_a_password(
    app, client, auth, make_member, org
):
    member, code = _imported(make_member, org)
    assert "账号或密码错误" in auth.login("new9", "ABCD-EFGH-JK").get_data(as_text=True)
    assert _failures(member) == (1, None)  # a wrong code counts like a wrong password
    # Typed as people type it: any case, without the dashes.
    response = auth.login("new9", code.lower().replace("-", ""))
    assert response.headers["Location"] == "/password"
    assert _failures(member) == (0, None)
    assert client.get("/").headers["Location"] == "/password"

    page = client.get("/password").get_data(as_text=True)
    assert "当前密码（或一次性登录码）" in page
    new = {"new": "MyOwn2026x", "confirm": "MyOwn2026x"}
    wrong = client.post("/password", data={"current": "Passw0rd!"} | new)
    assert "当前密码或一次性登录码不正确" in wrong.get_data(as_text=True)
    assert client.post("/password", data={"current": code} | new).headers["Location"] == "/"
    db.session.expire_all()
    member = db.session.get(Member, member.id)
    assert member.activation_nonce is None and not member.must_change_password
    assert member.password_hash
    # The code is spent; the new password is the way in.
    assert auth.logout().status_code == 302
    assert auth.login("new9", code).status_code == 200
    assert auth.login("new9", "MyOwn2026x").status_code == 302
    assert "当前密码（或一次性登录码）" not in client.get("/password").get_data(as_text=True)


def test_code_login_forces_a_password_change_and_costs_one_check(
    app, make_member, org, monkeypatch
):
    member, code = _imported(make_member, org)
    member.must_change_password = False  # whatever the flag said, a code login sets it
    db.session.commit()
    checks = []
    real = services.verify_password
    monkeypatch.setattr(
        services, "verify_password", lambda *args: checks.append(args[0]) or real(*args)
    )
    assert services.authenticate("new9", code, NOW).must_change_password
    assert checks == [None]  # one Argon2 hash, as for any other login
    # Members with a password never log in with a code, even a matching one.
    other, other_code = _imported(make_member, org, "new10")
    other.password_hash = org.m1.password_hash
    db.session.commit()
    with pytest.raises(DomainError, match="账号或密码错误"):
        services.authenticate("new10", other_code, NOW)


def test_wrong_codes_meet_the_same_delay(app, make_member, org):
    member, code = _imported(make_member, org)
    for _ in range(5):
        with pytest.raises(DomainError, match="账号或密码错误"):
            services.authenticate("new9", "WRONG-CODE-00", NOW)
    with pytest.raises(services.LoginBlocked):
        services.authenticate("new9", "WRONG-CODE-00", NOW)
    with pytest.raises(services.LoginBlocked):
        services.authenticate("new9", code, NOW)  # the right code waits too


# Every place a password is chosen applies the rules with the member's ids and name.


def test_own_password_may_not_contain_the_name(client, auth, org):
    auth.login("m1")
    response = client.post(
        "/password", data={"current": PASSWORD, "new": "普通党员2026a", "confirm": "普通党员2026a"}
    )
    assert "密码不能包含姓名" in response.get_data(as_text=True)
    response = client.post(
        "/password", data={"current": PASSWORD, "new": "demo123456", "confirm": "demo123456"}
    )
    assert "不能使用演示密码" in response.get_data(as_text=True)


def test_create_admin_applies_the_rules(app, runner):
    for password, reason in (
        ("Boss01abc9", "不能包含警号或手机号"),
        ("王局Secret26", "不能包含姓名"),
        ("Demo123456", "不能使用演示密码"),
        ("admin123456", "过于常见"),
    ):
        result = runner.invoke(args=CREATE_ADMIN, input=f"{password}\n{password}\n")
        assert result.exit_code != 0 and reason in result.output, result.output


# Headers.

PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def test_pages_and_json_are_never_stored_static_files_are(client, auth, org):
    anonymous = client.get("/login")
    auth.login("m1")
    for response in (
        anonymous,
        client.get("/"),
        client.get("/me"),
        client.get("/api/attempts/999999"),
        client.get("/no-such-page"),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert response.headers["Permissions-Policy"] == PERMISSIONS
        assert "Strict-Transport-Security" not in response.headers
    with client.get("/static/css/app.css") as static:
        assert static.status_code == 200
        assert "no-store" not in static.headers.get("Cache-Control", "")
        assert static.headers["Permissions-Policy"] == PERMISSIONS


def test_hsts_only_when_cookies_are_https_only(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    assert client.get("/healthz").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hot_endpoints_get_the_headers_without_another_query(
    client, auth, org, material, queries, time_machine
):
    time_machine.move_to(NOW, tick=False)
    bank = make_questions(org.admin)
    quiz = make_quiz(org.admin, [org.u1], questions=[bank["single"][0]])
    auth.login("m1")
    attempt_id = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()["attempt_id"]
    answer_url = f"/api/attempts/{attempt_id}/answers/{bank['single'][0].id}"
    token = minutes.issue_token(org.m1.id, material)
    client.post("/api/study/heartbeat", json={"token": token})
    with queries() as statements:
        heartbeat = client.post("/api/study/heartbeat", json={"token": token})
    assert heartbeat.status_code == 200 and len(statements) == heartbeat_statements(), statements
    with queries() as statements:
        autosave = client.put(answer_url, json={"seq": 1, "response": 1})
    assert autosave.status_code == 200 and len(statements) == 2, statements
    # The question is known now: on PostgreSQL one statement in autocommit saves.
    with queries() as statements:
        again = client.put(answer_url, json={"seq": 2, "response": 2})
    postgresql = db.get_engine(client.application).dialect.name == "postgresql"
    assert again.get_json()["saved"] and len(statements) == (1 if postgresql else 2), statements
    for response in (heartbeat, autosave, again):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Permissions-Policy"] == PERMISSIONS

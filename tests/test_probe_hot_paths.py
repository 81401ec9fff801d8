"""Attacker's probes of today's hot paths: the signed values checked once (quizapp/signing.py),
the hot endpoints' own CSRF check (quizapp/auth/session_ref.py) and the statements run on the
driver's cursor (quizapp/hot_sql.py), through the HTTP test client.

Each test asserts the SAFE behaviour: it passes while the app is safe and fails if the hole
it probes opens.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import request
from flask.json.tag import TaggedJSONSerializer
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from quizapp import db, signing
from quizapp.attempts import services
from quizapp.auth import session_ref
from quizapp.auth.services import change_password, end_sessions
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import AttemptAnswer
from quizapp.study import minutes
from quizapp.study.models import StudyMinute
from tests.conftest import PASSWORD
from tests.factories import NOW, make_material, make_quiz

HEARTBEAT = "/api/study/heartbeat"
HOT_ENDPOINTS = {"study_api.heartbeat", "api.save_answer"}


# --- set-up ------------------------------------------------------------------------------------


def _page_token(client, path="/"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _csrf_login(app, client, login_id="m1", password=PASSWORD):
    """Log ``login_id`` in with CSRF on; return the CSRF token its pages carry."""
    app.config["WTF_CSRF_ENABLED"] = True
    form = {"login_id": login_id, "password": password, "csrf_token": _page_token(client, "/login")}
    assert client.post("/login", data=form).status_code == 302
    return _page_token(client, "/")


@dataclass
class Hot:
    app: object
    client: object
    csrf: str
    m1: Member
    m2: Member
    material: object
    study: str  # m1's study token for ``material``
    attempt_id: int
    question_id: int
    quiz_id: int

    @property
    def url(self):
        return f"/api/attempts/{self.attempt_id}/answers/{self.question_id}"

    def beat(self, client=None, token=None, csrf=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if csrf is not False:
            headers = {"X-CSRFToken": csrf or self.csrf, **headers}
        body = kwargs.pop("json", {"token": token or self.study, "resume": True})
        return (client or self.client).post(HEARTBEAT, json=body, headers=headers, **kwargs)

    def save(self, seq, client=None, csrf=None, url=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if csrf is not False:
            headers = {"X-CSRFToken": csrf or self.csrf, **headers}
        body = kwargs.pop("json", {"seq": seq, "response": 1})
        return (client or self.client).put(url or self.url, json=body, headers=headers, **kwargs)

    def stored_seq(self):
        db.session.rollback()
        return db.session.scalar(
            select(AttemptAnswer.seq).where(
                AttemptAnswer.attempt_id == self.attempt_id,
                AttemptAnswer.question_id == self.question_id,
            )
        )

    def beats_of(self, member):
        db.session.rollback()
        return db.session.scalar(
            select(func.count()).select_from(StudyMinute).where(StudyMinute.member_id == member.id)
        )


@pytest.fixture()
def hot(app, client, org, make_member, bank, time_machine):
    """m1 logged in with CSRF on, a study token for a material, an attempt in progress."""
    time_machine.move_to(NOW, tick=False)
    m2 = make_member("m2", org.b11, name="另一党员")
    material = make_material(org)
    db.session.commit()
    quiz = make_quiz(org.admin, [org.u1], questions=[bank["single"][0]])
    attempt, _ = services.start_attempt(org.m1, quiz, NOW)
    db.session.commit()
    csrf = _csrf_login(app, client)
    return Hot(
        app,
        client,
        csrf,
        org.m1,
        m2,
        material,
        minutes.issue_token(org.m1.id, material),
        attempt.id,
        attempt.answers[0].question_id,
        quiz.id,
    )


def _is_csrf_refusal(response):
    return response.status_code == 400 and response.get_json()["error"] == "csrf"


# --- CSRF on the two hot endpoints -------------------------------------------------------------


def test_hot_endpoints_refuse_missing_forged_and_misplaced_csrf_tokens(hot):
    assert hot.beat().status_code == 200
    assert hot.save(1).get_json() == {"saved": True, "seq": 1}
    forged = hot.csrf[:-2] + ("AA" if not hot.csrf.endswith("AA") else "BB")
    for attempt in (
        {"csrf": False},  # no token at all
        {"csrf": forged},
        {"csrf": False, "headers": {"X-CSRFToken": ""}},
        {"csrf": False, "query_string": {"csrf_token": hot.csrf}},  # not read from the URL
        {"csrf": False, "headers": {"X-Csrf": hot.csrf}},  # not a CSRF header
    ):
        assert _is_csrf_refusal(hot.beat(**attempt)), attempt
        assert _is_csrf_refusal(hot.save(5, **attempt)), attempt
    # The token in the JSON body is not read (CSRFProtect never reads JSON bodies).
    in_body = hot.beat(csrf=False, json={"token": hot.study, "csrf_token": hot.csrf})
    assert _is_csrf_refusal(in_body)
    put = hot.save(5, csrf=False, json={"seq": 5, "response": 1, "csrf_token": hot.csrf})
    assert _is_csrf_refusal(put)
    assert hot.stored_seq() == 1  # nothing refused was written


def test_a_memorised_token_is_worth_nothing_in_another_session(hot, app, org):
    for _ in range(2):  # the second time from the memory
        assert hot.beat().status_code == 200
    assert hot.save(1).status_code == 200
    # m2 (a member, the attacker) sends m1's accepted token with m2's own session.
    other = app.test_client()
    _csrf_login(app, other, "m2")
    beat = hot.beat(client=other, token=minutes.issue_token(hot.m2.id, hot.material))
    assert _is_csrf_refusal(beat)
    assert _is_csrf_refusal(hot.save(7, client=other))
    # and an anonymous session that holds a CSRF secret of its own
    anonymous = app.test_client()
    _page_token(anonymous, "/login")
    assert _is_csrf_refusal(hot.beat(client=anonymous))
    assert _is_csrf_refusal(hot.save(7, client=anonymous))
    # a session with no CSRF secret at all (no cookie)
    bare = app.test_client()
    assert _is_csrf_refusal(hot.beat(client=bare))
    assert _is_csrf_refusal(hot.save(7, client=bare))
    assert hot.stored_seq() == 1
    assert hot.beats_of(hot.m2) == 0


def test_cross_site_form_posts_without_a_token_are_refused(hot):
    """What a page elsewhere can send without a preflight: forms and text/plain."""
    client = hot.client
    for content_type, data in (
        ("application/x-www-form-urlencoded", f"token={hot.study}"),
        (
            "multipart/form-data; boundary=b",
            f'--b\r\nContent-Disposition: form-data; name="token"\r\n\r\n{hot.study}\r\n--b--\r\n',
        ),
        ("text/plain", json.dumps({"token": hot.study, "resume": True})),
    ):
        beat = client.post(HEARTBEAT, data=data, content_type=content_type)
        assert _is_csrf_refusal(beat), content_type
        put = client.put(hot.url, data='{"seq": 9, "response": 1}', content_type=content_type)
        assert _is_csrf_refusal(put), content_type
    # An empty csrf_token field, with the header's token elsewhere missing too.
    beat = client.post(HEARTBEAT, data={"token": hot.study, "csrf_token": ""})
    assert _is_csrf_refusal(beat)
    assert hot.stored_seq() == 0
    assert hot.beats_of(hot.m1) == 0


def test_the_autosave_only_takes_json(hot):
    """A valid token in a form (or JSON sent as text/plain) makes no write."""
    client = hot.client
    form = client.put(hot.url, data={"seq": "3", "response": "1", "csrf_token": hot.csrf})
    assert form.status_code == 400 and form.get_json()["error"] != "csrf"
    plain = client.put(
        hot.url,
        data='{"seq": 3, "response": 1}',
        content_type="text/plain",
        headers={"X-CSRFToken": hot.csrf},
    )
    assert plain.status_code == 400
    assert hot.stored_seq() == 0


def test_the_hot_urls_answer_no_other_method(hot):
    client = hot.client
    for method in ("get", "head", "patch", "delete", "put"):
        response = getattr(client, method)(HEARTBEAT, headers={"X-CSRFToken": hot.csrf})
        assert response.status_code == 405, method
    for method in ("get", "head", "patch", "delete", "post"):
        response = getattr(client, method)(
            hot.url, json={"seq": 4, "response": 1}, headers={"X-CSRFToken": hot.csrf}
        )
        assert response.status_code == 405, method
    # No method override header turns a POST into the PUT.
    override = client.post(
        hot.url, json={"seq": 4, "response": 1}, headers={"X-HTTP-Method-Override": "PUT"}
    )
    assert override.status_code == 405
    assert client.options(hot.url).status_code == 200
    assert hot.stored_seq() == 0


def test_only_the_two_hot_views_skip_csrfprotect_and_member_loading(app):
    csrf = app.extensions["csrf"]
    assert not csrf._exempt_blueprints
    exempt = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views
    }
    assert exempt == HOT_ENDPOINTS
    skipping = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, "skips_member_loading", False)
    }
    assert skipping == HOT_ENDPOINTS
    # Every exempt name is one of the two hot views (no name of a view yet to come).
    assert csrf._exempt_views == {
        "quizapp.study.api.heartbeat",
        "quizapp.attempts.api.save_answer",
    }
    methods = {
        rule.endpoint: rule.methods - {"OPTIONS"}
        for rule in app.url_map.iter_rules()
        if rule.endpoint in HOT_ENDPOINTS
    }
    assert methods == {"study_api.heartbeat": {"POST"}, "api.save_answer": {"PUT"}}


def test_over_https_every_hot_request_wants_a_same_origin_referrer(hot):
    https = {"base_url": "https://localhost"}
    good = "https://localhost/study/1"
    assert hot.beat(**https, headers={"Referer": good}).status_code == 200
    assert hot.save(1, **https, headers={"Referer": good}).status_code == 200
    # The token is now remembered: the referrer is still checked on every request.
    for referrer in (
        None,
        "https://evil.example/",
        "http://localhost/study/1",  # another scheme
        "https://localhost:8443/",  # another port
        "https://localhost.evil.example/",
        "https://evil.example/https://localhost/",
        "null",
    ):
        headers = {} if referrer is None else {"Referer": referrer}
        assert _is_csrf_refusal(hot.beat(**https, headers=headers)), referrer
        assert _is_csrf_refusal(hot.save(5, **https, headers=headers)), referrer
    # sendBeacon's form over HTTPS follows the same rule.
    form = {"token": hot.study, "csrf_token": hot.csrf}
    assert _is_csrf_refusal(hot.client.post(HEARTBEAT, data=form, **https))
    ok = hot.client.post(HEARTBEAT, data=form, headers={"Referer": good}, **https)
    assert ok.status_code == 200
    assert hot.stored_seq() == 1


def test_with_a_time_limit_an_accepted_token_still_expires(hot, app, time_machine):
    app.config["WTF_CSRF_TIME_LIMIT"] = 60
    fresh = _page_token(hot.client)  # a token signed now
    assert hot.beat(csrf=fresh).status_code == 200
    assert hot.beat(csrf=fresh).status_code == 200
    time_machine.move_to(NOW + timedelta(seconds=61), tick=False)
    assert _is_csrf_refusal(hot.beat(csrf=fresh))
    assert _is_csrf_refusal(hot.save(3, csrf=fresh))
    assert hot.stored_seq() == 0


# --- the session cookie, remembered once verified ----------------------------------------------


def _verified_twice(hot):
    """Use m1's session on both hot endpoints twice (so its cookie is remembered)."""
    for seq in (1, 2):
        assert hot.beat().status_code == 200
        assert hot.save(seq).status_code == 200


def test_a_replayed_cookie_is_refused_after_logout(hot):
    _verified_twice(hot)
    old = hot.client.get_cookie("session").value
    assert hot.client.post("/logout", data={"csrf_token": hot.csrf}).status_code == 302
    hot.client.set_cookie("session", old)
    assert hot.beat().status_code == 401
    assert hot.save(3).status_code == 401
    assert hot.stored_seq() == 2
    assert hot.client.get("/me").status_code == 302


def test_a_replayed_cookie_is_refused_after_a_password_change(hot):
    _verified_twice(hot)
    old = hot.client.get_cookie("session").value
    form = {
        "current": PASSWORD,
        "new": "Another-Passw0rd-2026",
        "confirm": "Another-Passw0rd-2026",
        "csrf_token": hot.csrf,
    }
    assert hot.client.post("/password", data=form).status_code == 302
    # the device that changed it goes on
    new_csrf = _page_token(hot.client)
    assert hot.beat(csrf=new_csrf).status_code == 200
    assert hot.save(3, csrf=new_csrf).status_code == 200
    # a copy of the old cookie (another device, a thief) does not
    hot.client.set_cookie("session", old)
    assert hot.beat().status_code == 401
    assert hot.save(4).status_code == 401
    assert hot.stored_seq() == 3


@pytest.mark.parametrize("change", ["deactivated", "version", "must_change", "password"])
def test_a_remembered_cookie_is_refused_once_the_member_changed(hot, change):
    _verified_twice(hot)
    member = db.session.get(Member, hot.m1.id)
    if change == "deactivated":
        member.is_active = False  # the session version left as it was
    elif change == "version":
        end_sessions(member)  # an organiser's "log out everywhere"
    elif change == "must_change":
        member.must_change_password = True  # the version left as it was
    else:
        change_password(member, PASSWORD, "Another-Passw0rd-2026")
    db.session.commit()
    assert hot.beat().status_code == 401
    assert hot.save(3).status_code == 401
    assert hot.stored_seq() == 2


def test_an_expired_session_cookie_is_refused_though_it_was_remembered(hot, app, time_machine):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=60)
    cookie = hot.client.get_cookie("session").value
    assert hot.beat().status_code == 200
    time_machine.move_to(NOW + timedelta(seconds=61), tick=False)
    hot.client.set_cookie("session", cookie)
    assert hot.beat().status_code in (400, 401)  # no session: no CSRF secret, no member
    assert hot.save(3).status_code in (400, 401)
    time_machine.move_to(NOW - timedelta(seconds=5), tick=False)  # "signed in the future"
    hot.client.set_cookie("session", cookie)
    assert hot.beat().status_code in (400, 401)
    assert hot.stored_seq() == 0


def _session_cookie(secret, data, salt="cookie-session", **signer):
    signer = signer or {"key_derivation": "hmac", "digest_method": hashlib.sha1}
    return URLSafeTimedSerializer(
        secret, salt=salt, serializer=TaggedJSONSerializer(), signer_kwargs=signer
    ).dumps(data)


def test_forged_and_cross_purpose_session_cookies_log_nobody_in(hot, app):
    app.config["WTF_CSRF_ENABLED"] = False  # only the session is probed here
    data = {"member_ref": f"{hot.m1.id}.1", "_user_id": f"{hot.m1.id}.1", "_fresh": True}
    study_signer = minutes._serializer()
    csrf_signer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    candidates = [
        _session_cookie("not-the-secret", data),
        _session_cookie(app.secret_key, data, salt="study-heartbeat"),
        _session_cookie(app.secret_key, data, key_derivation="django-concat"),
        study_signer.dumps(data),  # a dict signed for the study token's purpose
        hot.study,  # a real study token
        csrf_signer.dumps(data),
        hot.csrf,
    ]
    # Verified under their own salt first, so each one sits in the memory.
    study_signer.loads(candidates[3], max_age=minutes.TOKEN_MAX_AGE)
    study_signer.loads(hot.study, max_age=minutes.TOKEN_MAX_AGE)
    for cookie in candidates:
        client = app.test_client()
        client.set_cookie("session", cookie)
        assert hot.beat(client=client, csrf=False).status_code == 401, cookie
        assert hot.save(3, client=client, csrf=False).status_code == 401, cookie
        assert client.get("/me").status_code == 302
    assert hot.stored_seq() == 0


def test_rotating_the_secret_key_ends_what_was_remembered(hot, app):
    _verified_twice(hot)
    app.config["WTF_CSRF_SECRET_KEY"] = "another-csrf-secret"
    assert _is_csrf_refusal(hot.beat())  # the memorised token was signed with the old one
    assert _is_csrf_refusal(hot.save(3))
    del app.config["WTF_CSRF_SECRET_KEY"]
    assert hot.beat().status_code == 200
    app.config["SECRET_KEY"] = "rotated-secret"  # no fallback: every cookie and token ends
    assert _is_csrf_refusal(hot.beat())  # the session (and its CSRF secret) is gone
    app.config["WTF_CSRF_ENABLED"] = False
    assert hot.beat().status_code == 401
    assert hot.save(3).status_code == 401
    # with the old key as a fallback the session lives on, but a study token signed with
    # the old key is refused (study tokens have no fallback)
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    assert hot.beat().status_code == 409
    assert hot.stored_seq() == 2


# --- the study token ----------------------------------------------------------------------------


def test_study_tokens_of_others_and_of_other_purposes_are_refused(hot, app, org):
    other = app.test_client()
    other_csrf = _csrf_login(app, other, "m2")
    # m2 replays m1's (already remembered) token
    assert hot.beat().status_code == 200
    stolen = hot.beat(client=other, csrf=other_csrf)
    assert stolen.status_code == 409 and stolen.get_json()["error"] == "stale"
    # m1's session cookie and CSRF token, both verified, are no study tokens
    cookie = hot.client.get_cookie("session").value
    csrf_signer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    tampered = hot.study[:-2] + ("AA" if not hot.study.endswith("AA") else "BB")
    for token in (cookie, hot.csrf, csrf_signer.dumps([hot.m2.id, hot.material.id, 0.0]), tampered):
        response = hot.beat(client=other, csrf=other_csrf, token=token)
        assert response.status_code == 409, token
    # a token with another secret
    foreign = signing.serializer("not-the-secret", salt=minutes.TOKEN_SALT)
    forged = foreign.dumps([hot.m2.id, hot.material.id, hot.material.updated_at.timestamp()])
    assert hot.beat(client=other, csrf=other_csrf, token=forged).status_code == 409
    assert hot.beats_of(hot.m2) == 0


def test_a_study_token_expires_though_it_was_remembered(hot, app, time_machine):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=2)
    assert hot.beat().status_code == 200
    time_machine.move_to(NOW + timedelta(seconds=minutes.TOKEN_MAX_AGE - 1), tick=False)
    assert hot.beat().status_code == 200
    time_machine.move_to(NOW + timedelta(seconds=minutes.TOKEN_MAX_AGE + 1), tick=False)
    expired = hot.beat()
    assert expired.status_code == 409 and expired.get_json()["error"] == "stale"


def test_a_study_token_ends_when_the_material_changes(hot):
    assert hot.beat().status_code == 200
    material = db.session.get(type(hot.material), hot.material.id)
    material.updated_at = material.updated_at + timedelta(seconds=1)
    db.session.commit()
    assert hot.beat().status_code == 409


# --- the memories: poisoning, bounds, shared state ---------------------------------------------


def test_unverified_values_are_never_remembered(hot, app):
    app.config["WTF_CSRF_ENABLED"] = False
    before_verified, before_decoded = len(signing._verified), len(signing._decoded)
    forged = []
    for n in range(40):
        data = {"member_ref": f"{hot.m1.id}.1", "n": n, "pad": "x" * 2000}
        forged.append(_session_cookie("not-the-secret", data))
    for cookie in forged:
        client = app.test_client()
        client.set_cookie("session", cookie)
        assert hot.beat(client=client, csrf=False).status_code == 401
    assert len(signing._verified) == before_verified
    assert len(signing._decoded) == before_decoded
    remembered = {key[-1] for key in signing._verified}
    assert not any(cookie.encode() in remembered for cookie in forged)


def test_the_memories_stay_bounded_and_strict_when_full(hot, app, monkeypatch):
    monkeypatch.setattr(signing, "MAX_REMEMBERED", 3)
    monkeypatch.setattr(session_ref, "_CSRF_REMEMBERED", 3)
    for n in range(6):  # more sessions than the memories hold
        client = app.test_client()
        csrf = _csrf_login(app, client, "m2" if n % 2 else "m1")
        assert (
            hot.beat(
                client=client,
                csrf=csrf,
                token=minutes.issue_token(hot.m2.id if n % 2 else hot.m1.id, hot.material),
            ).status_code
            == 200
        )
        assert len(signing._verified) <= 3
        assert len(signing._decoded) <= 3
        assert len(session_ref._csrf_accepted) <= 3
    forged = hot.csrf[:-2] + ("AA" if not hot.csrf.endswith("AA") else "BB")
    assert _is_csrf_refusal(hot.beat(csrf=forged))
    assert hot.beat().status_code == 200


def test_loaded_sessions_share_no_state(hot, app):
    """A session (or its flashes) changed by one request is not what the next one reads."""
    interface = app.session_interface
    cookie = hot.client.get_cookie("session").value

    def load(value):
        with app.test_request_context(headers={"Cookie": f"session={value}"}):
            return interface.open_session(app, request)

    first = load(cookie)
    ref = first["member_ref"]
    first["member_ref"] = f"{hot.m2.id}.1"
    first["extra"] = "x"
    first.clear()
    second = load(cookie)
    assert second["member_ref"] == ref and "extra" not in second
    signed = interface.get_signing_serializer(app).dumps(
        {"member_ref": ref, "_flashes": [("info", "一")], "list": [1, 2]}
    )
    one = load(signed)
    one["_flashes"].append(("info", "二"))
    one["list"].append(3)
    two = load(signed)
    assert two["_flashes"] == [("info", "一")] and two["list"] == [1, 2]


def test_two_members_beating_at_once_are_credited_each_to_themselves(hot, app):
    other = app.test_client()
    other_csrf = _csrf_login(app, other, "m2")
    theirs = minutes.issue_token(hot.m2.id, hot.material)
    for _ in range(3):
        assert hot.beat().status_code == 200
        assert hot.beat(client=other, csrf=other_csrf, token=theirs).status_code == 200
    assert hot.beats_of(hot.m1) == 1 and hot.beats_of(hot.m2) == 1
    # m2 may not save into m1's attempt, whichever session was remembered last
    assert hot.save(5, client=other, csrf=other_csrf).status_code == 404
    assert hot.stored_seq() == 0


# --- type confusion in the hot statements' parameters ------------------------------------------


@pytest.mark.parametrize(
    "seq",
    [
        "1",
        "7",
        1.0,
        2.5,
        True,
        False,
        None,
        -1,
        0,
        2**31,
        2**63,
        2**64,
        10**100,
        [1],
        {"a": 1},
        "1e3",
    ],
    ids=repr,
)
def test_the_autosave_refuses_any_seq_but_a_small_positive_int(hot, seq):
    response = hot.save(0, json={"seq": seq, "response": 1})
    assert response.status_code == 400, response.get_json()
    assert hot.stored_seq() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/attempts/{a}/answers/{big}",
        "/api/attempts/{big}/answers/{q}",
        "/api/attempts/{huge}/answers/{q}",
        "/api/attempts/{a}/answers/{huge}",
        "/api/attempts/-1/answers/{q}",
        "/api/attempts/{a}/answers/-{q}",
        "/api/attempts/{a}/answers/1.5",
        "/api/attempts/{a}/answers/{q}abc",
        "/api/attempts/0/answers/0",
        "/api/attempts/{max}/answers/{max}",
        "/api/attempts/{a}/answers/{q}0",
    ],
)
def test_the_autosave_answers_404_to_ids_it_does_not_hold(hot, path):
    url = path.format(a=hot.attempt_id, q=hot.question_id, big=2**31, huge=10**40, max=2**31 - 1)
    assert hot.save(3, url=url).status_code == 404, url
    assert hot.stored_seq() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"token": 1},
        {"token": None},
        {"token": ["x"]},
        {"token": {"a": 1}},
        {"token": ""},
        {"token": "x" * 200_000},
        {"token": "学习" * 50},
        {"token": "a.b.c.d"},
        {},
        [1, 2],
        "token",
        None,
        7,
    ],
    ids=lambda body: repr(body)[:30],
)
def test_the_heartbeat_refuses_odd_bodies_without_an_error(hot, body):
    response = hot.beat(json=body)
    assert response.status_code in (400, 409), response.status_code
    assert hot.beats_of(hot.m1) == 0


def test_an_oversized_signed_value_is_verified_but_never_remembered():
    """The memories are bounded in bytes too (signing.MAX_REMEMBERED_BYTES): 20,000 cookies
    of 3-8 KB signed over someone's own text would otherwise hold 130-300 MB a worker."""
    ours = signing.serializer("key", salt="big")
    big = ours.dumps({"text": secrets.token_urlsafe(2000)})
    assert len(big) > signing.MAX_REMEMBERED_BYTES
    assert ours.loads(big) == ours.loads(big)  # accepted, twice
    assert not any(key[-1] == big.encode() for key in signing._verified)
    assert not any(payload for (_, payload) in signing._decoded if len(payload) > 1024)
    small = ours.dumps({"member_ref": "4.1"})
    ours.loads(small)
    assert any(key[-1] == small.encode() for key in signing._verified)


def test_the_grant_form_refuses_a_login_id_no_member_can_have(hot, app, org):
    """The 补考 form used to flash back a login id of any length into the session cookie."""
    app.config["WTF_CSRF_ENABLED"] = False
    organiser = app.test_client()
    organiser.post("/login", data={"login_id": "admin", "password": PASSWORD})
    noise = secrets.token_urlsafe(2000)
    response = organiser.post(
        f"/manage/deferrals/quizzes/{hot.quiz_id}/grant",
        data={"login_id": noise, "attempts": "1", "reason": "补考"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "警号或手机号不能超过 32 字。" in page
    # The refused form is shown again as typed (its input holds the text), never flashed.
    assert page.count(noise) == 1 and f'value="{noise}"' in page
    assert len(organiser.get_cookie("session").value) < signing.MAX_REMEMBERED_BYTES

"""Signed values checked once (quizapp/signing.py) and the hot endpoints' own CSRF check.

Remembering a verified signature must never accept what the library would refuse: a
tampered value, another key, an expired value; and the hot endpoints must refuse every
request CSRFProtect refuses elsewhere.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from quizapp import db, signing
from quizapp.study import minutes
from tests.conftest import PASSWORD
from tests.factories import make_material

T0 = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


def test_a_value_verified_once_is_accepted_again_as_the_library_would(time_machine):
    time_machine.move_to(T0, tick=False)
    ours = signing.serializer("key", salt="s")
    token = URLSafeTimedSerializer("key", salt="s").dumps({"a": [1, 2]})
    assert ours.loads(token, max_age=60) == {"a": [1, 2]}
    assert ours.loads(token, max_age=60) == {"a": [1, 2]}
    payload, signed_at = ours.loads(token, max_age=60, return_timestamp=True)
    assert payload == {"a": [1, 2]} and signed_at == T0


def test_a_remembered_value_is_not_a_copy_others_can_change():
    ours = signing.serializer("key", salt="s")
    token = ours.dumps({"flashes": ["一"]})
    first = ours.loads(token)
    first["flashes"].append("二")
    assert ours.loads(token) == {"flashes": ["一"]}


def test_a_decoded_payload_is_a_fresh_copy_each_time():
    ours = signing.serializer("key", salt="s")
    token = ours.dumps({"member_ref": "4.1", "n": 1})
    first = ours.loads(token)
    first["member_ref"] = "5.1"
    assert ours.loads(token) == {"member_ref": "4.1", "n": 1}
    listed = ours.dumps([4, 7, 1.5])
    ours.loads(listed).append(9)
    assert ours.loads(listed) == [4, 7, 1.5]


def test_tampered_values_other_keys_and_salts_are_refused_after_a_good_one():
    ours = signing.serializer("key", salt="s")
    token = ours.dumps([1, 2])
    assert ours.loads(token) == [1, 2]
    with pytest.raises(BadSignature):
        ours.loads(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(BadSignature):
        signing.serializer("other key", salt="s").loads(token)
    with pytest.raises(BadSignature):
        signing.serializer("key", salt="other").loads(token)


def test_an_expired_value_is_refused_though_it_was_accepted_before(time_machine):
    time_machine.move_to(T0, tick=False)
    ours = signing.serializer("key", salt="s")
    token = ours.dumps("x")
    assert ours.loads(token, max_age=60) == "x"
    time_machine.move_to(T0 + timedelta(seconds=61), tick=False)
    with pytest.raises(SignatureExpired):
        ours.loads(token, max_age=60)
    assert ours.loads(token) == "x"  # no age limit: still a good signature
    time_machine.move_to(T0 - timedelta(seconds=5), tick=False)  # signed "in the future"
    with pytest.raises(SignatureExpired):
        ours.loads(token, max_age=60)


def test_the_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(signing, "MAX_REMEMBERED", 3)
    ours = signing.serializer("key", salt="bounded")
    for n in range(10):
        assert ours.loads(ours.dumps(n)) == n
        assert len(signing._verified) <= 3


def test_a_changed_session_cookie_is_refused(client, auth, org):
    auth.login("m1")
    assert client.get("/me").status_code == 200
    cookie = client.get_cookie("session").value
    client.set_cookie("session", cookie[:-3] + ("xyz" if not cookie.endswith("xyz") else "abc"))
    assert client.get("/me").status_code == 302  # not logged in any more


# --- the hot endpoints' CSRF check ------------------------------------------------------------


def _csrf_login(app, client):
    """Log m1 in with CSRF on; return the CSRF token its pages carry."""
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    form = {"login_id": "m1", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_the_heartbeat_refuses_what_csrfprotect_refuses(app, client, org):
    material = make_material(org)
    db.session.commit()
    study = minutes.issue_token(org.m1.id, material)
    csrf = _csrf_login(app, client)
    beat = {"token": study, "resume": True}
    for _ in range(2):  # the second time from memory
        ok = client.post("/api/study/heartbeat", json=beat, headers={"X-CSRFToken": csrf})
        assert ok.status_code == 200, ok.get_json()
    missing = client.post("/api/study/heartbeat", json=beat)
    assert missing.status_code == 400 and missing.get_json()["error"] == "csrf"
    forged = csrf[:-2] + ("AA" if not csrf.endswith("AA") else "BB")
    wrong = client.post("/api/study/heartbeat", json=beat, headers={"X-CSRFToken": forged})
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "csrf"
    # navigator.sendBeacon's last beat: a form with csrf_token.
    form = client.post("/api/study/heartbeat", data={"token": study, "csrf_token": csrf})
    assert form.status_code == 200
    assert client.post("/api/study/heartbeat", data={"token": study}).status_code == 400


def test_a_token_accepted_for_one_session_is_refused_in_another(app, client, org):
    material = make_material(org)
    db.session.commit()
    csrf = _csrf_login(app, client)
    beat = {"token": minutes.issue_token(org.m1.id, material), "resume": True}
    ok = client.post("/api/study/heartbeat", json=beat, headers={"X-CSRFToken": csrf})
    assert ok.status_code == 200
    other = app.test_client()
    _csrf_login(app, other)
    refused = other.post("/api/study/heartbeat", json=beat, headers={"X-CSRFToken": csrf})
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"


def test_over_https_the_hot_endpoints_want_a_same_origin_referrer(app, client, org):
    material = make_material(org)
    db.session.commit()
    csrf = _csrf_login(app, client)
    beat = {"token": minutes.issue_token(org.m1.id, material), "resume": True}
    https = {"base_url": "https://localhost", "headers": {"X-CSRFToken": csrf}}
    assert client.post("/api/study/heartbeat", json=beat, **https).status_code == 400
    elsewhere = {**https["headers"], "Referer": "https://evil.example/"}
    response = client.post(
        "/api/study/heartbeat", json=beat, base_url="https://localhost", headers=elsewhere
    )
    assert response.status_code == 400
    same = {**https["headers"], "Referer": "https://localhost/study/1"}
    response = client.post(
        "/api/study/heartbeat", json=beat, base_url="https://localhost", headers=same
    )
    assert response.status_code == 200

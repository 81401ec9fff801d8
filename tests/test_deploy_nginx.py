"""The shipped nginx site (deploy/nginx/quizapp.conf) in front of gunicorn, on loopback.

nginx runs the shipped file with only its ADAPT values replaced (tests/serving.py:
render_site): ports, a self-signed certificate, a cache folder. Through it a member logs in,
takes a short test and studies; the app sees each client's own address; pages, styles,
scripts and JSON are compressed; versioned static files are cached for a year; and phones
that close their connections late no longer hold gunicorn's sync workers.
"""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest

from tests.conftest import own_database
from tests.serving import NGINX, TLS, Nginx, Phone, answer_for, build_world

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (apt-get install nginx; .ci/run installs it)"
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from bench.common import Server

    folder = tmp_path_factory.mktemp("nginx")
    with own_database(folder / "quizapp.sqlite3") as url:
        world = build_world(url, folder / "instance")
        env = world.env(LOGIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
        with Server(env, workers=2) as app, Nginx(folder / "prefix", [app.port]) as nginx:
            yield world, app, nginx


def test_a_member_takes_a_test_and_studies_through_nginx(stack):
    world, _app, nginx = stack
    plain = Phone(nginx.http_port, tls=False).request("GET", "/login")
    assert plain.status == 301
    assert plain.headers["location"] == "https://quiz.example.gov.cn/login"

    phone = Phone(nginx.https_port)
    assert phone.log_in(world.members[0]).status == 302
    assert phone.request("GET", "/").status == 200

    started = phone.request("POST", f"/api/quizzes/{world.quiz_id}/attempts", json_body={})
    assert started.status == 201, started.text
    attempt = started.json()["attempt_id"]
    state = phone.request("GET", f"/api/attempts/{attempt}")
    questions = sorted(int(q) for q in state.json()["answers"])
    assert len(questions) == 10
    for n, qid in enumerate(questions, 1):
        saved = phone.request(
            "PUT",
            f"/api/attempts/{attempt}/answers/{qid}",
            json_body={"seq": n, "response": answer_for(world.kinds[qid], n)},
        )
        assert saved.status == 200 and saved.json() == {"saved": True, "seq": n}
    submitted = phone.request("POST", f"/api/attempts/{attempt}/submit", json_body={})
    assert submitted.status == 200 and submitted.json()["status"] == "submitted"
    answers = phone.request("GET", f"/api/attempts/{attempt}").json()
    assert answers["status"] == "submitted"

    page = phone.request("GET", f"/study/materials/{world.material_id}")
    token = re.search(r'data-token="([^"]+)"', page.text).group(1)
    for beat in ({"token": token, "resume": True}, {"token": token}):
        response = phone.request("POST", "/api/study/heartbeat", json_body=beat)
        assert response.status == 200 and "today_seconds" in response.json(), response.text


def test_pages_styles_scripts_and_json_are_compressed_and_static_files_cached(stack):
    world, _app, nginx = stack
    phone = Phone(nginx.https_port)
    page = phone.request("GET", "/login")
    assert page.headers.get("content-encoding") == "gzip"
    assert "Accept-Encoding" in page.headers.get("vary", "")
    assert "no-store" in page.headers["cache-control"]

    versioned = re.findall(r'"(/static/[^"?]+\.(?:css|js)\?v=[0-9a-f]+)"', page.text)
    assert {url.split("?")[0].rsplit(".", 1)[1] for url in versioned} == {"css", "js"}
    for url in versioned:
        first, second = phone.request("GET", url), phone.request("GET", url)
        assert first.status == second.status == 200
        assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert first.headers.get("content-encoding") == "gzip" or len(first.body) < 512
        # nginx keeps the versioned file: the second request never reaches the app.
        assert second.headers["x-cache-status"] == "HIT", url
    unversioned = versioned[0].split("?")[0]
    for _ in range(2):
        response = phone.request("GET", unversioned)
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-cache-status"] != "HIT"

    phone.log_in(world.members[1])
    started = phone.request("POST", f"/api/quizzes/{world.quiz_id}/attempts", json_body={})
    state = phone.request("GET", f"/api/attempts/{started.json()['attempt_id']}")
    assert state.headers["content-type"].startswith("application/json")
    assert len(state.body) > 512 and state.headers.get("content-encoding") == "gzip"


def test_the_app_sees_each_clients_own_address(stack):
    """Three failed logins per address (LOGIN_LIMIT_PER_ADDRESS in this test): the fourth from
    127.0.0.2 is refused, while 127.0.0.3 (even claiming to be 127.0.0.2 in its own
    X-Forwarded-For) still may try. gunicorn's peer is nginx (127.0.0.1) for all of them."""
    _world, _app, nginx = stack

    def fail(source: str, headers: dict | None = None) -> int:
        phone = Phone(nginx.https_port, source=source)
        page = phone.request("GET", "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        form = {"csrf_token": token, "login_id": "nobody", "password": "wrong-pass1"}
        return phone.request("POST", "/login", form=form, headers=headers).status

    assert [fail("127.0.0.2") for _ in range(3)] == [200, 200, 200]
    assert fail("127.0.0.2") == 429
    assert fail("127.0.0.3", {"X-Forwarded-For": "127.0.0.2"}) == 200


def _read_response(sock: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    while len(body) < length:
        body += sock.recv(65536)


def _probe_while_phones_close_late(port: int, tls: bool, phones: int = 2, hold: float = 1.5):
    """``phones`` clients each read a response and keep the connection open for ``hold``
    seconds (a phone on a slow network closing late); return how long a request sent
    meanwhile takes."""
    request = b"GET /healthz HTTP/1.1\r\nHost: quiz.example.gov.cn\r\n\r\n"

    def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        return TLS.wrap_socket(sock) if tls else sock

    served = threading.Barrier(phones + 1)

    def late_phone() -> None:
        with connect() as sock:
            sock.sendall(request)
            _read_response(sock)
            served.wait(timeout=10)
            time.sleep(hold)  # the phone's side of the connection stays open

    threads = [threading.Thread(target=late_phone) for _ in range(phones)]
    for thread in threads:
        thread.start()
    served.wait(timeout=10)
    began = time.monotonic()
    with connect() as sock:
        sock.sendall(request)
        _read_response(sock)
    elapsed = time.monotonic() - began
    for thread in threads:
        thread.join()
    return elapsed


def test_phones_closing_late_do_not_hold_the_two_workers(stack):
    _world, app, nginx = stack
    # Straight to gunicorn: each sync worker waits for its phone to close (docs/scaling.md),
    # so with both workers waiting the next request waits too. This is what nginx is for.
    direct = _probe_while_phones_close_late(app.port, tls=False)
    assert direct > 1.0, f"gunicorn no longer waits for late closes ({direct:.2f} s)?"
    # Through nginx the workers are free at once: the request waits for nobody.
    through_nginx = _probe_while_phones_close_late(nginx.https_port, tls=True)
    assert through_nginx < 0.75, through_nginx


def test_the_shipped_site_takes_uploads_as_large_as_the_app(stack):
    """client_max_body_size matches MAX_UPLOAD_MB and, for the video forms,
    MAX_VIDEO_UPLOAD_MB (quizapp/config.py's defaults)."""
    _world, _app, nginx = stack
    body = {"blob": "x" * (17 * 2**20)}  # over 16 MB
    phone = Phone(nginx.https_port)
    refused = phone.request("POST", "/login", form=body)
    assert refused.status == 413 and "Request Entity Too Large" in refused.text  # nginx's page
    # The material forms' location passes it to the app, which refuses it for its own reason
    # (no login, no CSRF token) in its own words.
    passed = phone.request("POST", "/manage/materials/new", form=body)
    assert passed.status == 400 and "返回首页" in passed.text
    from quizapp.config import from_environment
    from tests.serving import SITE

    config = from_environment(str(stack[0].instance))
    sizes = re.findall(r"client_max_body_size (\d+)m;", SITE.read_text())
    assert sizes == [
        str(config["MAX_CONTENT_LENGTH"] // 2**20),
        str(config["MAX_VIDEO_UPLOAD_MB"]),
    ]

"""Real processes for the deployment tests: gunicorn (bench.common.Server), the shipped nginx
site (deploy/nginx/quizapp.conf) in a temporary prefix, an exam-day world in a database of
the test's own, and a small HTTPS client that behaves like a phone's browser.

Used by tests/test_deploy_nginx.py, tests/test_multi_host.py and tests/test_backup.py.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from quizapp import PROJECT_ROOT

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SITE = PROJECT_ROOT / "deploy" / "nginx" / "quizapp.conf"
SECRET = "deploy-test-secret"
PASSWORD = "Bench2026x"  # bench.common.build_bureau's members and admin


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"process exited with {process.returncode}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def wait_for_text(path: Path, needle: str, process: subprocess.Popen, seconds: float = 90) -> None:
    """Wait until a process's log says ``needle``; fail if the process ends first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if needle in path.read_text(errors="replace"):
            return
        assert process.poll() is None, path.read_text(errors="replace")
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} not in {path.read_text(errors='replace')}")


# --- the world: a bureau, an exam, a material ------------------------------------------------


@dataclass
class World:
    url: str
    instance: Path
    quiz_id: int
    material_id: int
    members: list[str]  # login ids (警号)
    member_ids: list[int]
    kinds: dict[int, str] = field(default_factory=dict)  # question id -> type

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of every process of this installation."""
        return {
            "DATABASE_URL": self.url,
            "SECRET_KEY": SECRET,
            "QUIZAPP_INSTANCE": str(self.instance),
            "TRUSTED_PROXIES": "1",
            "SESSION_COOKIE_SECURE": "1",
        } | extra


def build_world(url: str, instance: Path, members: int = 20) -> World:
    """Migrate the database and fill it: bench's bureau, the starter bank, an open exam of 10
    questions (no time limit pressure: 30 minutes) and a published material."""
    from datetime import timedelta

    from sqlalchemy import select

    from bench.common import add_materials, build_bureau, publish_exam
    from quizapp import create_app, db, migrate
    from quizapp.bank.models import Question
    from quizapp.clock import utcnow
    from quizapp.demo.quizzes import load_starter_bank

    instance.mkdir(parents=True, exist_ok=True)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    app.instance_path = str(instance)
    migrate.upgrade(app)
    now = utcnow()
    with app.app_context():
        root, admin, people = build_bureau(members, now)
        load_starter_bank(root)
        quiz = publish_exam(
            admin,
            root,
            "部署测试",
            {"single": 5, "truefalse": 5},
            now - timedelta(minutes=5),
            now + timedelta(hours=3),
            30,
        )
        [material] = add_materials(admin, root, ["部署测试学习资料"], 30)
        db.session.commit()
        kinds = {q.id: q.type for q in db.session.scalars(select(Question))}
        world = World(
            url,
            instance,
            quiz.id,
            material.id,
            [m.police_no for m in people],
            [m.id for m in people],
            kinds,
        )
    db.get_engine(app).dispose()
    return world


def answer_for(kind: str, n: int) -> object:
    """A valid response of the question type, varying with ``n``."""
    return n % 2 == 0 if kind == "truefalse" else n % 3


# --- nginx ------------------------------------------------------------------------------------


def render_site(app_ports: list[int], http_port: int, https_port: int, folder: Path) -> str:
    """Return the shipped site with only its ADAPT values replaced: the app hosts, loopback
    ports, a self-signed certificate and a cache folder in ``folder``."""
    text = SITE.read_text()
    upstream = re.compile(r"^(\s*)server 127\.0\.0\.1:8000( [^\n]*)$", re.M)
    [line] = upstream.findall(text)
    hosts = "\n".join(f"{line[0]}server 127.0.0.1:{port}{line[1]}" for port in app_ports)
    text = upstream.sub(lambda _m: hosts, text)
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "/etc/ssl/quizapp/fullchain.pem": str(folder / "cert.pem"),
        "/etc/ssl/quizapp/privkey.pem": str(folder / "key.pem"),
        "/var/cache/nginx/quizapp": str(folder / "cache"),
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"{old!r} should appear once in {SITE}"
        text = text.replace(old, new)
    return text


#: What Debian's /etc/nginx/nginx.conf gives every site, in a prefix of the test's own.
MAIN = """{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log {prefix}/access.log;
    include {prefix}/site.conf;
}}
"""


class Nginx:
    """nginx with the shipped site in front of gunicorn on ``app_ports``; no root needed."""

    def __init__(self, folder: Path, app_ports: list[int]) -> None:
        self.folder = folder
        self.app_ports = app_ports
        self.http_port, self.https_port = free_port(), free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Nginx:
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt"),
                *("ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=localhost"),
                *("-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")),
            ],
            check=True,
            capture_output=True,
        )
        site = render_site(self.app_ports, self.http_port, self.https_port, folder)
        (folder / "site.conf").write_text(site)
        # As root the workers would run as "nobody", who cannot enter pytest's folders.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(MAIN.format(prefix=folder, user=user))
        command = [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        wait_for_port(self.https_port, self.process)
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def kill_server(server) -> None:
    """SIGKILL a gunicorn master and its workers at once, as a host that loses power."""
    from bench.processes import children

    pids = [*children(server.process.pid), server.process.pid]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.process.wait(timeout=30)


# --- a phone ----------------------------------------------------------------------------------

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    raw: bytes  # as sent (compressed or not)

    @property
    def body(self) -> bytes:
        if self.headers.get("content-encoding") == "gzip":
            return gzip.decompress(self.raw)
        return self.raw

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> object:
        return json.loads(self.body)


class Phone:
    """A browser: cookies, the page's CSRF token, gzip; HTTPS unless ``tls`` is False.

    ``source`` is the address it connects from (any 127.x.y.z works on Linux loopback), so a
    test can tell clients apart as the proxy sees them.
    """

    def __init__(self, port: int, *, tls: bool = True, source: str = "127.0.0.1") -> None:
        self.port, self.tls, self.source = port, tls, source
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None

    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        if self.tls:
            return http.client.HTTPSConnection(
                "127.0.0.1",
                self.port,
                timeout=timeout,
                context=TLS,
                source_address=(self.source, 0),
            )
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout, source_address=(self.source, 0)
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        form: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        sent = {"Host": "quiz.example.gov.cn", "Accept-Encoding": "gzip"} | (headers or {})
        body = None
        if method != "GET":  # as browsers do; Flask-WTF checks it on HTTPS (the proxy says so)
            sent.setdefault("Referer", f"https://quiz.example.gov.cn{path}")
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent |= {"Content-Type": "application/json", "X-CSRFToken": self.csrf or ""}
        elif form is not None:
            from urllib.parse import urlencode

            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            raw = answer.read()
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            headers_: dict[str, str] = {}
            for name, value in answer.getheaders():  # repeated headers joined, as HTTP allows
                name = name.lower()
                headers_[name] = f"{headers_[name]}, {value}" if name in headers_ else value
        finally:
            connection.close()
        response = Response(answer.status, headers_, raw)
        if "text/html" in headers_.get("content-type", ""):
            found = re.search(r'name="csrf-token" content="([^"]+)"', response.text)
            if found:
                self.csrf = found.group(1)
        return response

    def log_in(self, login_id: str, password: str = PASSWORD) -> Response:
        page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        form = {"csrf_token": token, "login_id": login_id, "password": password, "next": ""}
        return self.request("POST", "/login", form=form)

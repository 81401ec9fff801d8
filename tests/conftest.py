"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL when
QUIZAPP_TEST_DATABASE_URL is set), factories for the organisation, and a login helper."""

from __future__ import annotations

import contextvars
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import has_request_context, request
from flask.testing import FlaskClient
from sqlalchemy import delete, event

from quizapp import create_app, db, migrate
from quizapp.extensions import login_limit
from quizapp.members.models import Member, Membership, PoliticalStatus, Role
from quizapp.members.passwords import hash_password
from quizapp.models import metadata
from quizapp.org.models import Branch, BranchKind

#: Fixtures shared by every browser test: live_server and phone.
pytest_plugins = ["tests.browser"]

PASSWORD = "Passw0rd!"
TODAY = date(2026, 11, 21)


def _postgres_database(server_url: str):
    """Create a database of our own on the server; return (url, drop function)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"quizapp_test_{uuid.uuid4().hex[:10]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


@contextmanager
def own_database(sqlite_file: Path) -> Iterator[str]:
    """Yield the URL of a database of our own: ``sqlite_file``, or on PostgreSQL (when
    QUIZAPP_TEST_DATABASE_URL names a server) a new database, dropped afterwards."""
    server = os.environ.get("QUIZAPP_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{sqlite_file}"
        return
    url, drop = _postgres_database(server)
    try:
        yield url
    finally:
        drop()  # WITH (FORCE) also ends connections a failed test may have left open


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with own_database(tmp_path_factory.mktemp("db") / "test.sqlite3") as url:
        yield url


class RequestIsolatingClient(FlaskClient):
    """A test client whose every request runs in an application context of its own.

    Tests keep an app context open for factories and assertions; without this, Flask would
    reuse it for requests, sharing ``g`` (the logged-in user) and the database session
    between requests as no real server does. Each request runs in an empty
    ``contextvars.Context``, where no application context is active, as in a server's worker.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


#: Writes made while a GET (or HEAD) request was being answered, as (path, statement).
GET_WRITES: list[tuple[str, str]] = []


def _record_get_writes(conn, cursor, statement, *args) -> None:
    if (
        has_request_context()
        and request.method in ("GET", "HEAD")
        and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE")
    ):
        GET_WRITES.append((request.path, statement[:80]))


@pytest.fixture(autouse=True)
def _gets_do_not_write():
    """Fail any test during which a GET request wrote to the database (GETs only read)."""
    GET_WRITES.clear()
    yield
    assert not GET_WRITES, f"GET requests wrote to the database: {GET_WRITES}"


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 64,
            "SERVER_NAME": None,
        }
    )
    app.instance_path = str(instance)
    app.test_client_class = RequestIsolatingClient
    migrate.upgrade(app)
    event.listen(db.get_engine(app), "before_cursor_execute", _record_get_writes)
    yield app
    db.get_engine(app).dispose()


@pytest.fixture()
def app(_app):
    """The app, with an empty database and fresh rate limits for each test."""
    saved = dict(_app.config)
    with _app.app_context():
        login_limit.reset()
        yield _app
        db.session.rollback()
        for table in reversed(metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
    _app.config.clear()
    _app.config.update(saved)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


@pytest.fixture()
def queries(app):
    """Count the SQL statements run inside ``with queries() as counter:``."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def _record(conn, cursor, statement, *args):
            statements.append(statement)

        engine = db.get_engine(app)
        event.listen(engine, "before_cursor_execute", _record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", _record)

    return counting


@dataclass
class Org:
    """A small organisation built for tests.

    bureau JU
    ├── unit U1: branches B11, B12
    └── unit U2: branch B21
    """

    bureau: Branch
    u1: Branch
    u2: Branch
    b11: Branch
    b12: Branch
    b21: Branch
    admin: Member
    org1: Member  # organiser of U1
    org2: Member  # organiser of U2
    m1: Member  # member in B11


def _branch(parent, kind, code, name, order=0):
    branch = Branch(parent=parent, kind=kind.value, code=code, name=name, sort_order=order, path="")
    db.session.add(branch)
    db.session.flush()
    branch.path = f"{parent.path if parent else '/'}{branch.id}/"
    return branch


@pytest.fixture()
def make_member(app):
    """Create a member directly (bypassing the services' rules), with PASSWORD."""
    hashed = hash_password(PASSWORD)

    def make(
        login_id,
        branch,
        *,
        name=None,
        role=Role.MEMBER,
        scope=None,
        status=PoliticalStatus.FULL,
        must_change=False,
        active=True,
        phone=None,
        since=date(2025, 1, 1),
    ):
        member = Member(
            police_no=login_id,
            phone=phone,
            name=name or f"成员{login_id}",
            branch=branch,
            political_status=status.value,
            role=role.value,
            scope_branch=scope,
            password_hash=hashed,
            must_change_password=must_change,
            is_active=active,
        )
        if branch.kind == BranchKind.BRANCH:
            member.memberships.append(Membership(branch=branch, started_on=since))
        db.session.add(member)
        db.session.flush()
        return member

    return make


@pytest.fixture()
def org(app, make_member) -> Org:
    bureau = _branch(None, BranchKind.BUREAU, "JU", "测试市公安局")
    u1 = _branch(bureau, BranchKind.UNIT, "U1", "第一分局", 1)
    u2 = _branch(bureau, BranchKind.UNIT, "U2", "第二分局", 2)
    b11 = _branch(u1, BranchKind.BRANCH, "B11", "一所党支部", 1)
    b12 = _branch(u1, BranchKind.BRANCH, "B12", "二所党支部", 2)
    b21 = _branch(u2, BranchKind.BRANCH, "B21", "三所党支部", 1)
    admin = make_member("admin", bureau, name="管理员", role=Role.ADMIN)
    org1 = make_member("org1", b11, name="一分局管理员", role=Role.ORGANISER, scope=u1)
    org2 = make_member("org2", b21, name="二分局管理员", role=Role.ORGANISER, scope=u2)
    m1 = make_member("m1", b11, name="普通党员")
    db.session.commit()
    return Org(bureau, u1, u2, b11, b12, b21, admin, org1, org2, m1)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, login_id, password=PASSWORD, follow=False):
        return self._client.post(
            "/login",
            data={"login_id": login_id, "password": password},
            follow_redirects=follow,
        )

    def logout(self):
        return self._client.post("/logout")

    def switch_to(self, login_id, **options):
        """Log out, then in as ``login_id`` (``options`` as ``login``'s)."""
        self.logout()
        return self.login(login_id, **options)


@pytest.fixture()
def material(org):
    """A published bureau-wide article to credit study minutes on (committed)."""
    from tests.factories import make_material

    material = make_material(org)
    db.session.commit()
    return material


@pytest.fixture()
def bank_size() -> int:
    """How many questions of each type ``bank`` makes; a module may override it."""
    return 3


@pytest.fixture()
def bank(org, bank_size):
    """The bureau's bank: ``bank_size`` sample questions of each type (keys s0, m0, t0, f0...
    in 测试/纪律), committed; {type: [questions]}."""
    from tests.factories import make_questions

    made = make_questions(org.admin, n_each=bank_size)
    db.session.commit()
    return made


@pytest.fixture()
def uploads(app):
    """The instance's upload folder, emptied after the test."""
    folder = Path(app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture()
def auth(client):
    return AuthActions(client)

"""The application shell: config, health check, database setup, migrations, error pages."""

from __future__ import annotations

from sqlalchemy import event, text

from quizapp import create_app, db, migrate
from quizapp.config import load_secret_key, normalise_database_url


def test_healthz_answers_without_touching_the_database(app, client):
    statements = []
    engine = db.get_engine(app)
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert statements == []


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(str(tmp_path))
    assert len(first) == 64
    assert (tmp_path / "secret_key").read_text() == first
    assert load_secret_key(str(tmp_path)) == first
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert load_secret_key(str(tmp_path)) == "from-env"


def test_database_url_uses_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_INSTANCE", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'quizapp.sqlite3'}"
    with db.get_engine(app).connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.get_engine(app).dispose()


def test_migrations_match_the_models(app):
    assert migrate.pending_changes(app) == []


def test_create_app_starts_no_scheduler_thread(tmp_path, monkeypatch):
    import threading

    monkeypatch.setenv("QUIZAPP_INSTANCE", str(tmp_path))
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    app.test_client().get("/healthz")
    assert not [t for t in threading.enumerate() if "APScheduler" in t.name]
    db.get_engine(app).dispose()


def test_404_page_is_friendly_chinese(client, org):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_json_errors_are_json(client, org):
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.get_json()["message"].startswith("您要找的内容不存在")
    assert response.get_json()["error"] == "not_found"


def test_500_page_is_friendly_and_rolls_back(app, org):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("boom")

    original = app.view_functions["home.me"]
    app.view_functions["home.me"] = boom
    try:
        client = app.test_client()
        client.post("/login", data={"login_id": "m1", "password": "Passw0rd!"})
        response = client.get("/me")
    finally:
        app.view_functions["home.me"] = original
    assert response.status_code == 500
    assert "系统出错了" in response.get_data(as_text=True)


def test_pages_carry_security_headers_and_no_external_assets(client, org):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "http://" not in html and "https://" not in html
    assert '<meta name="csrf-token"' in html
    assert 'name="viewport"' in html


def test_database_outage_gives_a_chinese_503(app, client, org, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from quizapp.members import queries as member_queries

    auth_response = client.post("/login", data={"login_id": "org1", "password": "Passw0rd!"})
    assert auth_response.status_code == 302

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("could not connect"))

    monkeypatch.setattr(member_queries, "list_members", down)
    response = client.get("/manage/members/")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.get_data(as_text=True)


def test_only_the_material_forms_take_large_uploads(app, client, org):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    big = {"login_id": "x" * 4000, "password": "y"}
    assert client.post("/login", data=big).status_code == 413
    client.post("/login", data={"login_id": "org1", "password": "Passw0rd!"})
    response = client.post("/manage/materials/new", data={"title": "x" * 4000})
    assert response.status_code != 413

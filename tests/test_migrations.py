"""The stock `alembic` command migrates a fresh database up, down to base and up again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from quizapp import create_app, migrate
from tests.conftest import own_database

ROOT = Path(__file__).resolve().parent.parent
ALEMBIC = Path(sys.executable).with_name("alembic")


@pytest.fixture()
def fresh_database_url(tmp_path):
    """A database of this test's own, on the server the suite runs on."""
    with own_database(tmp_path / "migrations.sqlite3") as url:
        yield url


def _alembic(url: str, tmp_path: Path, *args: str) -> str:
    env = os.environ | {"DATABASE_URL": url, "QUIZAPP_INSTANCE": str(tmp_path), "SECRET_KEY": "t"}
    done = subprocess.run(
        [str(ALEMBIC), *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def _tables(url: str) -> set[str]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_up_down_to_base_and_up_again(fresh_database_url, tmp_path):
    url = fresh_database_url
    heads = _alembic(url, tmp_path, "heads")
    head = heads.split()[0]

    upgraded = _alembic(url, tmp_path, "upgrade", "head")
    assert "Running upgrade" in upgraded
    assert head in _alembic(url, tmp_path, "current")
    tables = _tables(url)
    assert {"members", "branches", "questions", "quizzes", "attempts"} <= tables

    downgraded = _alembic(url, tmp_path, "downgrade", "base")
    assert "Running downgrade" in downgraded
    assert _tables(url) <= {"alembic_version"}

    _alembic(url, tmp_path, "upgrade", "head")
    assert _tables(url) == tables
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "t", "TESTING": True})
    app.instance_path = str(tmp_path)
    assert migrate.pending_changes(app) == []  # the models and the migrated schema agree
    from quizapp.db import get_engine

    get_engine(app).dispose()

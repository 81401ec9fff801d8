"""Run Alembic migrations against the application's engine."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from flask import Flask

from quizapp import PROJECT_ROOT
from quizapp.db import get_engine


def _config(connection) -> Config:
    config = Config(toml_file=str(PROJECT_ROOT / "pyproject.toml"))
    config.attributes["connection"] = connection
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    with get_engine(app).begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(app: Flask, revision: str) -> None:
    """Take the database schema back to ``revision``."""
    with get_engine(app).begin() as connection:
        command.downgrade(_config(connection), revision)


def revision(app: Flask, message: str) -> None:
    """Write a new migration by comparing the models with the database."""
    with get_engine(app).begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)


def pending_changes(app: Flask) -> list:
    """Return the differences between the models and the migrated database."""
    from quizapp.models import metadata

    with get_engine(app).connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), metadata)

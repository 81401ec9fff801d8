"""Alembic environment: runs against the engine of a quizapp application.

`flask --app wsgi db upgrade` (quizapp.migrate) passes the connection of the running app; the
stock `alembic upgrade head` (run from the project folder) builds the app from the same
environment variables (DATABASE_URL …) and migrates its database.
"""

import logging

from alembic import context

from quizapp.models import metadata


def run(connection) -> None:
    """Run the migrations on ``connection`` inside one transaction."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs table copies for ALTER
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")

connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    logging.basicConfig(format="%(levelname)-5.5s [%(name)s] %(message)s")
    logging.getLogger("alembic").setLevel(logging.INFO)
    from quizapp import create_app
    from quizapp.db import get_engine

    with get_engine(create_app()).begin() as connection:
        run(connection)

"""Alembic environment: runs against the engine of the current quizapp application."""

from alembic import context

from quizapp.models import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `flask --app wsgi db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs table copies for ALTER
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

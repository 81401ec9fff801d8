"""What the migrations in versions/ do alike: tables with their named constraints, CHECK changes.

Frozen: migrations that have run on live databases call these functions, and running them again
(a new database, a downgrade and upgrade) must leave the same schema, byte for byte. So their
behaviour never changes; a new need gets a new function, or a new keyword whose default keeps
the old behaviour. What belongs to one revision (its columns, the values a CHECK lists) stays
in that revision's file.

The names are those of the models' naming convention (``quizapp.db.NAMING_CONVENTION``), spelled
out here rather than read from it, so that a later change of the convention renames nothing an
old migration creates.
"""

from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa
from alembic import op


def on_sqlite() -> bool:
    """Tell whether the migration runs on SQLite (which alters tables least)."""
    return op.get_bind().dialect.name == "sqlite"


def create_table(
    table: str,
    *columns: sa.Column,
    checks: Mapping[str, str] | None = None,
    references: Mapping[str, str | tuple[str, str]] | None = None,
    primary_key: Sequence[str] = ("id",),
    unique: Mapping[str, Sequence[str]] | None = None,
    indexes: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Create ``table`` with ``columns``, its constraints and its indexes.

    ``checks``: name -> condition, each ``ck_<table>_<name>``. ``references``: column -> the
    table whose ``id`` it holds, or (that table, its ON DELETE action), each
    ``fk_<table>_<column>_<table referred to>``. ``primary_key``: its columns, ``pk_<table>``.
    ``unique``: name -> columns, each ``uq_<table>_<name>``. ``indexes``: name -> columns, each
    ``ix_<table>_<name>``. SQLite keeps the constraints in its CREATE TABLE in the order they
    are made: the checks, the references and the unique constraints, each in the order given.
    """
    constraints: list[sa.Constraint] = [
        sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))
        for name, condition in (checks or {}).items()
    ]
    for column, target in (references or {}).items():
        referred, ondelete = (target, None) if isinstance(target, str) else target
        constraints.append(
            sa.ForeignKeyConstraint(
                [column],
                [f"{referred}.id"],
                name=op.f(f"fk_{table}_{column}_{referred}"),
                ondelete=ondelete,
            )
        )
    constraints.append(sa.PrimaryKeyConstraint(*primary_key, name=op.f(f"pk_{table}")))
    constraints += [
        sa.UniqueConstraint(*unique_columns, name=op.f(f"uq_{table}_{name}"))
        for name, unique_columns in (unique or {}).items()
    ]
    op.create_table(table, *columns, *constraints)
    for name, indexed in (indexes or {}).items():
        op.create_index(op.f(f"ix_{table}_{name}"), table, list(indexed), unique=False)


def create_unique_index_where(table: str, name: str, columns: Iterable[str], where: str) -> None:
    """Create ``uq_<table>_<name>``: ``columns`` unique among the rows where ``where`` holds."""
    op.create_index(
        op.f(f"uq_{table}_{name}"),
        table,
        list(columns),
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def drop_tables(*tables: str) -> None:
    """Drop ``tables`` (with their indexes) in the order given."""
    for table in tables:
        op.drop_table(table)


def is_one_of(column: str, values: Iterable[str]) -> str:
    """Return the condition ``column IN ('a', 'b')`` (``values`` hold no quotes)."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def replace_check(table: str, name: str, condition: str) -> None:
    """Replace the CHECK ``ck_<table>_<name>`` with one on ``condition``.

    Batch mode: SQLite changes a CHECK only by copying the table, which is safe only for a table
    no other table references (dropping the old one would cascade or fail); elsewhere it alters.
    """
    check = op.f(f"ck_{table}_{name}")
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(check, type_="check")
        batch_op.create_check_constraint(check, condition)

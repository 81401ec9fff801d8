"""question types in the registry: the database no longer lists the question types

The types live in quizapp.bank.types (the registry); Question validates its type against it,
so adding a type needs no migration. Only ``questions`` had a CHECK on its type (draw rules
never had one).
"""

import sqlalchemy as sa
from alembic import op

from migrations.helpers import on_sqlite

revision = "0009"
down_revision = "0008"

#: The CHECK as 0002 made it; a downgrade fails while questions of other types exist.
TYPE_CHECK = "ck_questions_type"
TYPES_OF_0008 = "type IN ('single', 'multiple', 'truefalse', 'fill')"


def upgrade() -> None:
    if on_sqlite():
        _rebuild_questions_on_sqlite(type_check=False)
    else:
        op.drop_constraint(op.f(TYPE_CHECK), "questions", type_="check")


def downgrade() -> None:
    if on_sqlite():
        _rebuild_questions_on_sqlite(type_check=True)
    else:
        op.create_check_constraint(op.f(TYPE_CHECK), "questions", TYPES_OF_0008)


def _rebuild_questions_on_sqlite(*, type_check: bool) -> None:
    """Copy ``questions`` into a table without (or with) the type CHECK, keeping the rest.

    SQLite changes a CHECK only by copying the table. Batch mode copies into a new table and
    renames it, but with foreign keys on (the app's connections) dropping a table that other
    rows reference fails. Here the foreign keys are checked at the commit instead, and the
    rows go back into a table named ``questions``, which satisfies every reference again.
    """
    bind = op.get_bind()
    metadata = sa.MetaData()
    old = sa.Table("questions", metadata, autoload_with=bind)
    metadata.remove(old)
    new = old.to_metadata(metadata)
    for check in [c for c in new.constraints if c.name == TYPE_CHECK]:
        new.constraints.remove(check)
    if type_check:
        new.append_constraint(sa.CheckConstraint(TYPES_OF_0008, name=TYPE_CHECK))
    columns = ", ".join(f'"{column.name}"' for column in old.columns)
    op.execute(f"CREATE TABLE questions_0009 AS SELECT {columns} FROM questions WHERE 0")
    # A write opens the transaction (Python's sqlite3 begins one before DML only), so that
    # the pragma holds until its commit: outside a transaction it ends with its statement.
    op.execute(f"INSERT INTO questions_0009 SELECT {columns} FROM questions")
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute("DROP TABLE questions")
    new.create(bind)
    op.execute(f"INSERT INTO questions ({columns}) SELECT {columns} FROM questions_0009")
    op.execute("DROP TABLE questions_0009")

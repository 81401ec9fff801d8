"""essay marking: attempts waiting for marking (待阅卷), who marked an answer, quiz markers

简答 answers are marked by a person. An attempt holding unmarked ones is ``marking`` until the
last is marked (the CHECK on ``attempts.status`` gains the value); each answer records who
marked it, when, the comment, and a version for the optimistic check, and an attempt when its
marking ended; a quiz may hide the
member's name from markers (``blind_marking``) and names its markers in ``quiz_markers``.

``attempts`` can't be copied on SQLite to change its CHECK: dropping the old table would
cascade-delete every ``attempt_answers`` row. The CHECK only widens (every stored row still
obeys it), which SQLite documents as safe to do by editing the schema text in place
(https://www.sqlite.org/lang_altertable.html, "making other kinds of table schema changes").
"""

import sqlalchemy as sa
from alembic import op

from migrations.helpers import create_table, drop_tables
from quizapp.db import UTCDateTime

revision = "0017"
down_revision = "0016"

CHECK = "ck_attempts_status"
STATUSES_OF_0014 = "status IN ('in_progress', 'submitted')"
STATUSES = "status IN ('in_progress', 'submitted', 'marking')"


def _replace_status_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(CHECK), "attempts", type_="check")
        op.create_check_constraint(op.f(CHECK), "attempts", new)
        return
    # A write first opens the transaction (Python's sqlite3 begins one before DML only), so
    # the schema edit commits or rolls back with the rest of the migration.
    op.execute("UPDATE attempts SET status = status WHERE 0")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    changed = bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
        "WHERE type = 'table' AND name = 'attempts' AND instr(sql, ?) > 0",
        (old, new, old),
    ).rowcount
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    if changed != 1:
        raise RuntimeError(f"attempts: CHECK {old!r} not found")


def upgrade() -> None:
    _replace_status_check(STATUSES_OF_0014, STATUSES)
    # Columns added one by one (no table copy); the foreign key is part of the column.
    op.execute(
        "ALTER TABLE attempt_answers ADD COLUMN marked_by_id INTEGER "
        "CONSTRAINT fk_attempt_answers_marked_by_id_members REFERENCES members (id)"
    )
    op.add_column("attempts", sa.Column("marked_at", UTCDateTime(), nullable=True))
    op.add_column("attempt_answers", sa.Column("marked_at", UTCDateTime(), nullable=True))
    op.add_column(
        "attempt_answers", sa.Column("mark_comment", sa.String(length=500), nullable=True)
    )
    op.add_column(
        "attempt_answers",
        sa.Column("mark_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "quizzes",
        sa.Column("blind_marking", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    create_table(
        "quiz_markers",
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("named_by_id", sa.Integer(), nullable=True),
        sa.Column("named_at", UTCDateTime(), nullable=False),
        references={
            "member_id": "members",
            "named_by_id": "members",
            "quiz_id": ("quizzes", "CASCADE"),
        },
        primary_key=("quiz_id", "member_id"),
    )


def downgrade() -> None:
    # Fails while attempts wait for marking: mark them (or delete them) first to go back.
    drop_tables("quiz_markers")
    op.drop_column("quizzes", "blind_marking")
    op.drop_column("attempts", "marked_at")
    # SQLite drops a column named in a foreign key only by copying the table (nothing
    # references attempt_answers, so its copy is safe); elsewhere batch mode just alters.
    with op.batch_alter_table("attempt_answers") as batch_op:
        for column in ("mark_version", "mark_comment", "marked_at", "marked_by_id"):
            batch_op.drop_column(column)
    _replace_status_check(STATUSES, STATUSES_OF_0014)

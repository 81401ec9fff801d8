"""quiz exceptions: 缓考 requests, 补考 and extra time per member

A table of each member's exceptions to a quiz (the audit trail: who asked, who decided,
when, why), a flag on quizzes telling a start whether to look them up, and the notice kind
that tells the member of a decision.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 16:00:00
"""

import sqlalchemy as sa
from alembic import op

import quizapp.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

CHECK = "ck_notices_kind"
KINDS_OF_0011 = (
    "kind IN ('campaign_reminder', 'anniversary', 'weekly_summary', 'reminder', "
    "'reflection_reviewed', 'results_published')"
)
KINDS = (
    "kind IN ('campaign_reminder', 'anniversary', 'weekly_summary', 'reminder', "
    "'reflection_reviewed', 'results_published', 'exam_exception')"
)


def _replace_check(kinds: str) -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), kinds)


def upgrade() -> None:
    op.create_table(
        "quiz_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("reason_text", sa.String(length=200), nullable=False),
        sa.Column("requested_at", quizapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", quizapp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=200), nullable=False),
        sa.Column("window_opens_at", quizapp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_closes_at", quizapp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("extra_attempts", sa.Integer(), nullable=True),
        sa.Column("extra_minutes", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('deferral', 'makeup', 'extra_time')", name=op.f("ck_quiz_exceptions_kind")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused', 'withdrawn')",
            name=op.f("ck_quiz_exceptions_status"),
        ),
        sa.CheckConstraint(
            "reason IS NULL OR reason IN ('duty', 'call_out', 'other')",
            name=op.f("ck_quiz_exceptions_reason"),
        ),
        sa.CheckConstraint(
            "window_closes_at IS NULL OR window_opens_at IS NULL "
            "OR window_closes_at > window_opens_at",
            name=op.f("ck_quiz_exceptions_window"),
        ),
        sa.CheckConstraint(
            "extra_attempts IS NULL OR extra_attempts >= 1",
            name=op.f("ck_quiz_exceptions_extra_attempts"),
        ),
        sa.CheckConstraint(
            "extra_minutes IS NULL OR extra_minutes >= 1",
            name=op.f("ck_quiz_exceptions_extra_minutes"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["members.id"],
            name=op.f("fk_quiz_exceptions_decided_by_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_quiz_exceptions_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["quizzes.id"],
            name=op.f("fk_quiz_exceptions_quiz_id_quizzes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_exceptions")),
    )
    op.create_index("ix_quiz_exceptions_member_id", "quiz_exceptions", ["member_id"], unique=False)
    op.create_index(
        "ix_quiz_exceptions_quiz_id_member_id",
        "quiz_exceptions",
        ["quiz_id", "member_id"],
        unique=False,
    )
    op.create_index(
        "uq_quiz_exceptions_one_pending",
        "quiz_exceptions",
        ["quiz_id", "member_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.add_column(
        "quizzes",
        sa.Column("has_member_exceptions", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    _replace_check(KINDS)


def downgrade() -> None:
    # Fails while notices of the new kind exist; delete them first to go back.
    _replace_check(KINDS_OF_0011)
    # Not in batch mode: copying quizzes on SQLite would cascade to the rows referencing it.
    op.drop_column("quizzes", "has_member_exceptions")
    op.drop_index("uq_quiz_exceptions_one_pending", table_name="quiz_exceptions")
    op.drop_index("ix_quiz_exceptions_quiz_id_member_id", table_name="quiz_exceptions")
    op.drop_index("ix_quiz_exceptions_member_id", table_name="quiz_exceptions")
    op.drop_table("quiz_exceptions")

"""question reports, versions and regrades (issue 16, part 4)

Members report errors in questions (``question_reports``, at most one open per member and
question); enough open reports suspend a question from draws (``questions.suspended_at``,
added without copying the table, as 0013 does). Each change of a question's content keeps a
version (``question_versions``). A regrade and the attempts it changed, before and after, are
``regrades`` and ``regrade_changes``. The notices' CHECK on ``kind`` lists the two new kinds
(题目纠错, 成绩更正).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 15:42:10
"""

import sqlalchemy as sa
from alembic import op

import quizapp.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CHECK = "ck_notices_kind"
KINDS_OF_0015 = (
    "kind IN ('campaign_reminder', 'anniversary', 'weekly_summary', 'reminder', "
    "'reflection_reviewed', 'results_published', 'exam_exception')"
)
KINDS = (
    "kind IN ('campaign_reminder', 'anniversary', 'weekly_summary', 'reminder', "
    "'reflection_reviewed', 'results_published', 'exam_exception', 'question_report', "
    "'score_changed')"
)


def _replace_check(kinds: str) -> None:
    # Batch mode copies the table on SQLite (nothing references notices); elsewhere it alters.
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), kinds)


def upgrade() -> None:
    op.create_table(
        "question_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", quizapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", quizapp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "origin IN ('review', 'practice', 'daily', 'wrongbook')",
            name=op.f("ck_question_reports_origin"),
        ),
        sa.CheckConstraint(
            "reason IN ('answer', 'stem', 'options', 'other')",
            name=op.f("ck_question_reports_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'resolved', 'dismissed')", name=op.f("ck_question_reports_status")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["members.id"], name=op.f("fk_question_reports_closed_by_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_question_reports_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_reports_question_id_questions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_reports")),
    )
    with op.batch_alter_table("question_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_question_reports_member_id_created_at", ["member_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_question_reports_question_id_status", ["question_id", "status"], unique=False
        )
        batch_op.create_index(
            "uq_question_reports_one_open",
            ["question_id", "member_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "question_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("stem", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", quizapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["members.id"],
            name=op.f("fk_question_versions_changed_by_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_versions_question_id_questions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_versions")),
        sa.UniqueConstraint(
            "question_id", "number", name="uq_question_versions_question_id_number"
        ),
    )
    op.create_table(
        "regrades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("quiz_ids", sa.JSON(), nullable=False),
        sa.Column("may_lower", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", quizapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("raised", sa.Integer(), nullable=False),
        sa.Column("lowered", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["members.id"], name=op.f("fk_regrades_created_by_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_regrades_question_id_questions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regrades")),
    )
    with op.batch_alter_table("regrades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_regrades_question_id"), ["question_id"], unique=False)

    op.create_table(
        "regrade_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regrade_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("old_mark", sa.Float(), nullable=False),
        sa.Column("new_mark", sa.Float(), nullable=False),
        sa.Column("old_score", sa.Float(), nullable=False),
        sa.Column("new_score", sa.Float(), nullable=False),
        sa.Column("old_passed", sa.Boolean(), nullable=False),
        sa.Column("new_passed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_regrade_changes_attempt_id_attempts")
        ),
        sa.ForeignKeyConstraint(
            ["regrade_id"],
            ["regrades.id"],
            name=op.f("fk_regrade_changes_regrade_id_regrades"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regrade_changes")),
        sa.UniqueConstraint(
            "regrade_id", "attempt_id", name="uq_regrade_changes_regrade_id_attempt_id"
        ),
    )
    with op.batch_alter_table("regrade_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regrade_changes_attempt_id"), ["attempt_id"], unique=False
        )

    op.add_column(
        "questions",
        sa.Column("suspended_at", quizapp.db.UTCDateTime(timezone=True), nullable=True),
    )
    _replace_check(KINDS)


def downgrade() -> None:
    # Fails while notices of the new kinds exist; delete them first to go back.
    _replace_check(KINDS_OF_0015)
    op.drop_column("questions", "suspended_at")

    with op.batch_alter_table("regrade_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regrade_changes_attempt_id"))

    op.drop_table("regrade_changes")
    with op.batch_alter_table("regrades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regrades_question_id"))

    op.drop_table("regrades")
    op.drop_table("question_versions")
    with op.batch_alter_table("question_reports", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_question_reports_one_open",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index("ix_question_reports_question_id_status")
        batch_op.drop_index("ix_question_reports_member_id_created_at")

    op.drop_table("question_reports")

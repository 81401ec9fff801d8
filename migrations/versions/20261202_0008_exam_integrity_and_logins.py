"""exam integrity and logins: exam-only questions, wrong answers booked when the review opens, login
delays, one-time login codes of imported members

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 20:40:00
"""

import sqlalchemy as sa
from alembic import op

import quizapp.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("exam_only", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("practice_released_at", quizapp.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "reserved_questions",
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_reserved_questions_question_id_questions"),
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["quizzes.id"],
            name=op.f("fk_reserved_questions_quiz_id_quizzes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("quiz_id", "question_id", name=op.f("pk_reserved_questions")),
    )
    with op.batch_alter_table("reserved_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reserved_questions_question_id"), ["question_id"], unique=False
        )
    # Exams and competitions already closed: their questions stay open to practice, as
    # they were; those still to come reserve their papers from now on.
    op.execute(
        "UPDATE quizzes SET practice_released_at = closes_at "
        "WHERE kind IN ('exam', 'competition') AND closes_at < CURRENT_TIMESTAMP"
    )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "wrong_answers_booked", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("login_blocked_until", quizapp.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("activation_nonce", sa.String(length=32), nullable=True))
    # Until now every submit booked its wrong answers at once.
    op.execute("UPDATE attempts SET wrong_answers_booked = true WHERE status = 'submitted'")


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("activation_nonce")
        batch_op.drop_column("login_blocked_until")
        batch_op.drop_column("failed_logins")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_column("wrong_answers_booked")
    with op.batch_alter_table("reserved_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reserved_questions_question_id"))
    op.drop_table("reserved_questions")
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.drop_column("practice_released_at")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_column("exam_only")

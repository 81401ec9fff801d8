"""exam integrity and logins: exam-only questions, wrong answers booked when the review opens, login
delays, one-time login codes of imported members
"""

import sqlalchemy as sa
from alembic import op

from migrations.helpers import create_table, drop_tables
from quizapp.db import UTCDateTime

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("exam_only", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("practice_released_at", UTCDateTime(timezone=True), nullable=True)
        )
    create_table(
        "reserved_questions",
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        references={"question_id": "questions", "quiz_id": ("quizzes", "CASCADE")},
        primary_key=("quiz_id", "question_id"),
        indexes={"question_id": ["question_id"]},
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
            sa.Column("login_blocked_until", UTCDateTime(timezone=True), nullable=True)
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
    drop_tables("reserved_questions")
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.drop_column("practice_released_at")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_column("exam_only")

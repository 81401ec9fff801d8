"""attempt end reason and leave policy: why an attempt ended (本人交卷, 时间已到, 切屏达到上限,
测试结束), and whether a quiz only records leaving the page (只记录不交卷)

``attempts.auto_submitted`` becomes ``attempts.end_reason``. Existing rows are told apart by
what the code that wrote them did: an automatic submission before the deadline can only have
been the 切屏 limit (deadline submissions are stamped at the deadline); one at a deadline that
is the quiz's close is the close; the others ran out of time.

Both new columns carry a CHECK of their values only, written in the column's own definition:
SQLite adds such a column without copying the table (copying ``attempts`` would
cascade-delete its answers), and Alembic's ``add_column`` leaves column constraints out.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"

END_REASONS = "end_reason IN ('member', 'time_up', 'leave_limit', 'closed')"
LEAVE_POLICIES = "leave_policy IN ('off', 'record', 'submit')"


def upgrade() -> None:
    op.execute(
        "ALTER TABLE attempts ADD COLUMN end_reason VARCHAR(16) "
        f"CONSTRAINT ck_attempts_end_reason CHECK ({END_REASONS})"
    )
    op.execute(
        "UPDATE attempts SET end_reason = CASE "
        "WHEN NOT auto_submitted THEN 'member' "
        "WHEN submitted_at < deadline_at THEN 'leave_limit' "
        "WHEN deadline_at >= (SELECT closes_at FROM quizzes WHERE quizzes.id = attempts.quiz_id) "
        "THEN 'closed' "
        "ELSE 'time_up' END "
        "WHERE status = 'submitted'"
    )
    op.drop_column("attempts", "auto_submitted")
    op.execute(
        "ALTER TABLE quizzes ADD COLUMN leave_policy VARCHAR(16) DEFAULT 'off' NOT NULL "
        f"CONSTRAINT ck_quizzes_leave_policy CHECK ({LEAVE_POLICIES})"
    )
    op.execute("UPDATE quizzes SET leave_policy = 'submit' WHERE leave_limit IS NOT NULL")


def downgrade() -> None:
    op.drop_column("quizzes", "leave_policy")
    op.add_column(
        "attempts",
        sa.Column("auto_submitted", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute("UPDATE attempts SET auto_submitted = true WHERE end_reason <> 'member'")
    op.drop_column("attempts", "end_reason")

"""question reports, versions and regrades (issue 16, part 4)

Members report errors in questions (``question_reports``, at most one open per member and
question); enough open reports suspend a question from draws (``questions.suspended_at``,
added without copying the table, as 0013 does). Each change of a question's content keeps a
version (``question_versions``). A regrade and the attempts it changed, before and after, are
``regrades`` and ``regrade_changes``. The notices' CHECK on ``kind`` lists the two new kinds
(题目纠错, 成绩更正).
"""

import sqlalchemy as sa
from alembic import op

from migrations.helpers import (
    create_table,
    create_unique_index_where,
    drop_tables,
    is_one_of,
    replace_check,
)
from quizapp.db import UTCDateTime

revision = "0016"
down_revision = "0015"

KINDS_OF_0015 = (
    "campaign_reminder",
    "anniversary",
    "weekly_summary",
    "reminder",
    "reflection_reviewed",
    "results_published",
    "exam_exception",
)
KINDS = (*KINDS_OF_0015, "question_report", "score_changed")


def upgrade() -> None:
    create_table(
        "question_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        checks={
            "origin": "origin IN ('review', 'practice', 'daily', 'wrongbook')",
            "reason": "reason IN ('answer', 'stem', 'options', 'other')",
            "status": "status IN ('open', 'resolved', 'dismissed')",
        },
        references={"closed_by_id": "members", "member_id": "members", "question_id": "questions"},
        indexes={
            "member_id_created_at": ["member_id", "created_at"],
            "question_id_status": ["question_id", "status"],
        },
    )
    create_unique_index_where(
        "question_reports", "one_open", ["question_id", "member_id"], "status = 'open'"
    )
    create_table(
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
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        references={"changed_by_id": "members", "question_id": "questions"},
        unique={"question_id_number": ["question_id", "number"]},
    )
    create_table(
        "regrades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("quiz_ids", sa.JSON(), nullable=False),
        sa.Column("may_lower", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("raised", sa.Integer(), nullable=False),
        sa.Column("lowered", sa.Integer(), nullable=False),
        references={"created_by_id": "members", "question_id": "questions"},
        indexes={"question_id": ["question_id"]},
    )
    create_table(
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
        references={"attempt_id": "attempts", "regrade_id": ("regrades", "CASCADE")},
        unique={"regrade_id_attempt_id": ["regrade_id", "attempt_id"]},
        indexes={"attempt_id": ["attempt_id"]},
    )
    op.add_column(
        "questions",
        sa.Column("suspended_at", UTCDateTime(timezone=True), nullable=True),
    )
    replace_check("notices", "kind", is_one_of("kind", KINDS))


def downgrade() -> None:
    # Fails while notices of the new kinds exist; delete them first to go back.
    replace_check("notices", "kind", is_one_of("kind", KINDS_OF_0015))
    op.drop_column("questions", "suspended_at")
    drop_tables("regrade_changes", "regrades", "question_versions", "question_reports")

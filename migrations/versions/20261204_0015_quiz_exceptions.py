"""quiz exceptions: 缓考 requests, 补考 and extra time per member

A table of each member's exceptions to a quiz (the audit trail: who asked, who decided,
when, why), a flag on quizzes telling a start whether to look them up, and the notice kind
that tells the member of a decision.
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

revision = "0015"
down_revision = "0014"

KINDS_OF_0011 = (
    "campaign_reminder",
    "anniversary",
    "weekly_summary",
    "reminder",
    "reflection_reviewed",
    "results_published",
)
KINDS = (*KINDS_OF_0011, "exam_exception")


def upgrade() -> None:
    create_table(
        "quiz_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("reason_text", sa.String(length=200), nullable=False),
        sa.Column("requested_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=200), nullable=False),
        sa.Column("window_opens_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_closes_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("extra_attempts", sa.Integer(), nullable=True),
        sa.Column("extra_minutes", sa.Integer(), nullable=True),
        checks={
            "kind": "kind IN ('deferral', 'makeup', 'extra_time')",
            "status": "status IN ('pending', 'approved', 'refused', 'withdrawn')",
            "reason": "reason IS NULL OR reason IN ('duty', 'call_out', 'other')",
            "window": "window_closes_at IS NULL OR window_opens_at IS NULL "
            "OR window_closes_at > window_opens_at",
            "extra_attempts": "extra_attempts IS NULL OR extra_attempts >= 1",
            "extra_minutes": "extra_minutes IS NULL OR extra_minutes >= 1",
        },
        references={
            "decided_by_id": "members",
            "member_id": "members",
            "quiz_id": ("quizzes", "CASCADE"),
        },
        indexes={"member_id": ["member_id"], "quiz_id_member_id": ["quiz_id", "member_id"]},
    )
    create_unique_index_where(
        "quiz_exceptions", "one_pending", ["quiz_id", "member_id"], "status = 'pending'"
    )
    op.add_column(
        "quizzes",
        sa.Column("has_member_exceptions", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    replace_check("notices", "kind", is_one_of("kind", KINDS))


def downgrade() -> None:
    # Fails while notices of the new kind exist; delete them first to go back.
    replace_check("notices", "kind", is_one_of("kind", KINDS_OF_0011))
    # Not in batch mode: copying quizzes on SQLite would cascade to the rows referencing it.
    op.drop_column("quizzes", "has_member_exceptions")
    drop_tables("quiz_exceptions")

"""prepared papers"""

import sqlalchemy as sa

from migrations.helpers import create_table, drop_tables
from quizapp.db import UTCDateTime

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    create_table(
        "prepared_papers",
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("drawn_at", UTCDateTime(timezone=True), nullable=False),
        references={"member_id": ("members", "CASCADE"), "quiz_id": ("quizzes", "CASCADE")},
        primary_key=("quiz_id", "member_id"),
    )


def downgrade() -> None:
    drop_tables("prepared_papers")

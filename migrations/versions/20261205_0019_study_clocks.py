"""study clocks: one row per member holding the time of its last accepted heartbeat

The heartbeat compares and sets this row instead of locking the member's row and reading the
latest ``study_minutes.last_beat_at``, so on PostgreSQL it runs without a transaction held
between its read and its write. Filled from the latest heartbeat each member has.
"""

import sqlalchemy as sa
from alembic import op

from migrations.helpers import create_table, drop_tables
from quizapp.db import UTCDateTime

revision = "0019"
down_revision = "0018"


def upgrade() -> None:
    create_table(
        "study_clocks",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("last_beat_at", UTCDateTime(), nullable=False),
        references={"member_id": ("members", "CASCADE")},
        primary_key=("member_id",),
    )
    # Joined with members: a row left by a member deleted with foreign keys off (the sqlite3
    # shell) must not fail the upgrade.
    op.execute(
        "INSERT INTO study_clocks (member_id, last_beat_at) "
        "SELECT s.member_id, max(s.last_beat_at) FROM study_minutes s "
        "JOIN members m ON m.id = s.member_id GROUP BY s.member_id"
    )


def downgrade() -> None:
    drop_tables("study_clocks")

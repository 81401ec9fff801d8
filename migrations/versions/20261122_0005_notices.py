"""notices"""

import sqlalchemy as sa

from migrations.helpers import create_table, drop_tables
from quizapp.db import UTCDateTime

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=255), nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", UTCDateTime(timezone=True), nullable=True),
        checks={
            "kind": "kind IN ('campaign_reminder', 'anniversary', 'weekly_summary', 'reminder')",
            "internal_link": "link IS NULL OR (link LIKE '/%' AND link NOT LIKE '//%')",
        },
        references={"member_id": "members"},
        unique={"dedupe_key": ["dedupe_key"]},
        indexes={"member_id_created_at": ["member_id", "created_at"]},
    )


def downgrade() -> None:
    drop_tables("notices")

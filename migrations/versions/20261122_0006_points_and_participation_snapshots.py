"""points and participation snapshots"""

import sqlalchemy as sa

from migrations.helpers import create_table, drop_tables
from quizapp.db import UTCDateTime

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    create_table(
        "point_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("source_key", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        checks={
            "reason": "reason <> ''",
            "correction_author": "rule <> 'correction' OR created_by_id IS NOT NULL",
        },
        references={"created_by_id": "members", "member_id": "members"},
        unique={"source_key": ["source_key"]},
        indexes={"day": ["day"], "member_id_day": ["member_id", "day"]},
    )
    create_table(
        "point_rules",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("unit", sa.Integer(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        checks={"daily_cap": "daily_cap >= 0", "points": "points >= 0", "unit": "unit >= 1"},
        references={"updated_by_id": "members"},
        primary_key=("key",),
    )
    create_table(
        "point_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("red_min", sa.Float(), nullable=False),
        sa.Column("yellow_min", sa.Float(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        checks={"single_row": "id = 1", "tiers": "red_min > yellow_min AND yellow_min >= 0"},
        references={"updated_by_id": "members"},
    )
    create_table(
        "participation_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("study_seconds", sa.Integer(), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=True),
        sa.Column("taken_at", UTCDateTime(timezone=True), nullable=False),
        references={"branch_id": "branches", "campaign_id": "campaigns"},
        unique={"key": ["day", "subject", "branch_id"]},
        indexes={"subject_day": ["subject", "day"]},
    )


def downgrade() -> None:
    drop_tables("participation_snapshots", "point_settings", "point_rules", "point_entries")

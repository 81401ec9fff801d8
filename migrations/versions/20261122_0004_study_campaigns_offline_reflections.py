"""study materials, minutes, campaigns, offline sessions, reflections"""

import sqlalchemy as sa

from migrations.helpers import create_table, drop_tables
from quizapp.db import UTCDateTime

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("owner_branch_id", sa.Integer(), nullable=False),
        sa.Column("minute_target", sa.Integer(), nullable=False),
        sa.Column("offline_counts_as_minutes", sa.Boolean(), nullable=False),
        sa.Column("offline_sessions_required", sa.Integer(), nullable=False),
        sa.Column("reflections_required", sa.Integer(), nullable=False),
        sa.Column("is_published", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        checks={
            "kind": "kind IN ('campaign', 'training_class')",
            "period": "ends_on >= starts_on",
            "minute_target": "minute_target >= 0",
            "offline_required": "offline_sessions_required >= 0",
            "reflections_required": "reflections_required >= 0",
        },
        references={
            "audience_id": "audiences",
            "created_by_id": "members",
            "owner_branch_id": "branches",
        },
        indexes={"owner_branch_id": ["owner_branch_id"]},
    )
    create_table(
        "materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=50), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("pdf_path", sa.String(length=255), nullable=True),
        sa.Column("pdf_name", sa.String(length=255), nullable=True),
        sa.Column("video_path", sa.String(length=255), nullable=True),
        sa.Column("video_url", sa.String(length=500), nullable=True),
        sa.Column("estimated_minutes", sa.Integer(), nullable=False),
        sa.Column("opens_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_branch_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        checks={
            "status": "status IN ('draft', 'published', 'retired')",
            "window": "closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at",
            "estimated_minutes": "estimated_minutes >= 1",
        },
        references={
            "audience_id": "audiences",
            "created_by_id": "members",
            "owner_branch_id": "branches",
        },
        indexes={"owner_branch_id": ["owner_branch_id"], "topic": ["topic"]},
    )
    create_table(
        "offline_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        checks={
            "kind": "kind IN ('lecture', 'seminar', 'party_day')",
            "duration": "duration_minutes BETWEEN 1 AND 1440",
        },
        references={"branch_id": "branches", "recorded_by_id": "members"},
        indexes={"branch_id": ["branch_id"], "held_on": ["held_on"]},
    )
    create_table(
        "campaign_materials",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        references={"campaign_id": ("campaigns", "CASCADE"), "material_id": "materials"},
        primary_key=("campaign_id", "material_id"),
    )
    create_table(
        "campaign_quizzes",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("must_pass", sa.Boolean(), nullable=False),
        references={"campaign_id": ("campaigns", "CASCADE"), "quiz_id": "quizzes"},
        primary_key=("campaign_id", "quiz_id"),
    )
    create_table(
        "offline_attendance",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        references={"member_id": "members", "session_id": ("offline_sessions", "CASCADE")},
        primary_key=("session_id", "member_id"),
        indexes={"member_id": ["member_id"]},
    )
    create_table(
        "reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", UTCDateTime(timezone=True), nullable=True),
        checks={
            "status": "status IN ('submitted', 'accepted', 'returned')",
            "subject": "material_id IS NOT NULL OR campaign_id IS NOT NULL",
        },
        references={
            "campaign_id": "campaigns",
            "material_id": "materials",
            "member_id": "members",
            "reviewer_id": "members",
        },
        indexes={"campaign_id": ["campaign_id"], "member_id_status": ["member_id", "status"]},
    )
    create_table(
        "study_minutes",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("first_beat_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_beat_at", UTCDateTime(timezone=True), nullable=False),
        checks={"seconds": "seconds >= 0"},
        references={"material_id": "materials", "member_id": "members"},
        primary_key=("member_id", "material_id", "day"),
        indexes={"material_id_day": ["material_id", "day"], "member_id_day": ["member_id", "day"]},
    )


def downgrade() -> None:
    drop_tables(
        "study_minutes",
        "reflections",
        "offline_attendance",
        "campaign_quizzes",
        "campaign_materials",
        "offline_sessions",
        "materials",
        "campaigns",
    )

"""organisation and members"""

import sqlalchemy as sa

from migrations.helpers import create_table, drop_tables
from quizapp.db import UTCDateTime

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_table(
        "branches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        checks={
            "root_is_bureau": "(kind = 'bureau') = (parent_id IS NULL)",
            "kind": "kind IN ('bureau', 'unit', 'branch')",
        },
        references={"parent_id": "branches"},
        unique={"code": ["code"], "parent_id_name": ["parent_id", "name"]},
        indexes={"parent_id": ["parent_id"], "path": ["path"]},
    )
    create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("police_no", sa.String(length=32), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("political_status", sa.String(length=16), nullable=False),
        sa.Column("joined_party_on", sa.Date(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("scope_branch_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("last_login_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        checks={
            "political_status": "political_status IN ('full', 'probationary', 'candidate', 'activist', 'masses')",
            "organiser_has_scope": "role <> 'organiser' OR scope_branch_id IS NOT NULL",
            "role": "role IN ('member', 'organiser', 'admin')",
            "has_login_id": "police_no IS NOT NULL OR phone IS NOT NULL",
        },
        references={"branch_id": "branches", "scope_branch_id": "branches"},
        unique={"phone": ["phone"], "police_no": ["police_no"]},
        indexes={"branch_id": ["branch_id"]},
    )
    create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        checks={"period": "ended_on IS NULL OR ended_on >= started_on"},
        references={"branch_id": "branches", "member_id": "members"},
        indexes={"branch_id_started_on": ["branch_id", "started_on"], "member_id": ["member_id"]},
    )


def downgrade() -> None:
    drop_tables("memberships", "members", "branches")

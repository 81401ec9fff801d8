"""certificates: a campaign's certificate settings and the certificates issued"""

import sqlalchemy as sa

from migrations.helpers import create_table, drop_tables
from quizapp.db import UTCDateTime

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    create_table(
        "certificate_plans",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=30), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("issuer_name", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("auto_issue", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        references={"campaign_id": ("campaigns", "CASCADE"), "updated_by_id": "members"},
        primary_key=("campaign_id",),
    )
    create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("member_name", sa.String(length=50), nullable=False),
        sa.Column("campaign_title", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=30), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("issuer_name", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=True),
        checks={
            "revoked_with_reason": "(revoked_at IS NULL) = (revoke_reason IS NULL)",
            "serial": "serial > 0",
        },
        references={
            "campaign_id": "campaigns",
            "issued_by_id": "members",
            "member_id": "members",
            "revoked_by_id": "members",
        },
        unique={
            "campaign_member": ["campaign_id", "member_id"],
            "token": ["token"],
            "year_serial": ["year", "serial"],
        },
        indexes={"member_id": ["member_id"]},
    )


def downgrade() -> None:
    drop_tables("certificates", "certificate_plans")

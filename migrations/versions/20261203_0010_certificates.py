"""certificates: a campaign's certificate settings and the certificates issued

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 16:02:21
"""

import sqlalchemy as sa
from alembic import op

import quizapp.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate_plans",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=30), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("issuer_name", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("auto_issue", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", quizapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_certificate_plans_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["members.id"],
            name=op.f("fk_certificate_plans_updated_by_id_members"),
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_certificate_plans")),
    )
    op.create_table(
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
        sa.Column("issued_at", quizapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", quizapp.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "(revoked_at IS NULL) = (revoke_reason IS NULL)",
            name=op.f("ck_certificates_revoked_with_reason"),
        ),
        sa.CheckConstraint("serial > 0", name=op.f("ck_certificates_serial")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_certificates_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["members.id"], name=op.f("fk_certificates_issued_by_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_certificates_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["members.id"], name=op.f("fk_certificates_revoked_by_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("campaign_id", "member_id", name="uq_certificates_campaign_member"),
        sa.UniqueConstraint("token", name=op.f("uq_certificates_token")),
        sa.UniqueConstraint("year", "serial", name="uq_certificates_year_serial"),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_member_id"))

    op.drop_table("certificates")
    op.drop_table("certificate_plans")

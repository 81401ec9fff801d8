"""one open stay per member, shared login counters"""

import sqlalchemy as sa
from alembic import op

from migrations.helpers import create_table, create_unique_index_where, drop_tables

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        primary_key=("key",),
        indexes={"expires_at": ["expires_at"]},
    )
    create_unique_index_where("memberships", "one_open", ["member_id"], "ended_on IS NULL")


def downgrade() -> None:
    op.drop_index("uq_memberships_one_open", table_name="memberships")
    drop_tables("rate_limit_counters")

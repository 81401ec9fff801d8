"""attempt leave seq: the page's number of the last leaving (切屏) counted, so that a leaving
kept on the phone while offline, and sent again when its reply was lost, counts once

A plain added column with a default: SQLite adds it without copying ``attempts`` (a copy
would cascade-delete its answers).
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"


def upgrade() -> None:
    op.add_column(
        "attempts",
        sa.Column("leave_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("attempts", "leave_seq")

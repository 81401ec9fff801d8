"""participation snapshots: completed (完成人数) beside participants (参与人数) for campaigns

A campaign's ``participants`` used to hold the members who completed it; it now holds those who
took part, and ``completed`` those who completed. Existing campaign rows keep their count as
``completed``; their ``participants`` can't be recomputed for a past day, so those days show
completion as participation (a lower bound) until they fall out of the charts.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"


def upgrade() -> None:
    op.add_column("participation_snapshots", sa.Column("completed", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE participation_snapshots SET completed = participants WHERE campaign_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("participation_snapshots", "completed")

"""ranks: when members see a quiz's ranking and whether with their own rank; whether members
see their own rank in the points lists
"""

import sqlalchemy as sa
from alembic import op

from migrations.helpers import on_sqlite

revision = "0012"
down_revision = "0011"

CHECK = "ck_quizzes_ranking_when"
WHEN = "ranking_when IN ('never', 'after_close', 'live')"


def upgrade() -> None:
    if on_sqlite():
        # A column with its own CHECK: SQLite adds (and drops) it without copying the table,
        # which other tables' rows reference (batch mode's copy fails with foreign keys on).
        op.execute(
            "ALTER TABLE quizzes ADD COLUMN ranking_when VARCHAR(16) DEFAULT 'never' NOT NULL "
            f"CONSTRAINT {CHECK} CHECK ({WHEN})"
        )
    else:
        op.add_column(
            "quizzes",
            sa.Column("ranking_when", sa.String(length=16), server_default="never", nullable=False),
        )
        op.create_check_constraint(op.f(CHECK), "quizzes", WHEN)
    op.add_column(
        "quizzes",
        sa.Column("ranking_personal", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    # Competitions are "按得分和用时排名": their members see the ranking once they close.
    op.execute("UPDATE quizzes SET ranking_when = 'after_close' WHERE kind = 'competition'")
    op.add_column(
        "point_settings",
        sa.Column("members_see_rank", sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("point_settings", "members_see_rank")
    op.drop_column("quizzes", "ranking_personal")
    if not on_sqlite():
        op.drop_constraint(op.f(CHECK), "quizzes", type_="check")
    op.drop_column("quizzes", "ranking_when")

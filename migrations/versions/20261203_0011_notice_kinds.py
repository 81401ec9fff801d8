"""notice kinds: reflection reviewed and quiz results published

A member is told when an organiser accepts or returns their reflection, and when a quiz that
publishes results after it closes has closed; the notices table's CHECK on ``kind`` lists the
two new kinds.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:00:00
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CHECK = "ck_notices_kind"
KINDS_OF_0005 = "kind IN ('campaign_reminder', 'anniversary', 'weekly_summary', 'reminder')"
KINDS = (
    "kind IN ('campaign_reminder', 'anniversary', 'weekly_summary', 'reminder', "
    "'reflection_reviewed', 'results_published')"
)


def _replace_check(kinds: str) -> None:
    # Batch mode copies the table on SQLite (nothing references notices); elsewhere it alters.
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), kinds)


def upgrade() -> None:
    _replace_check(KINDS)


def downgrade() -> None:
    # Fails while notices of the new kinds exist; delete them first to go back.
    _replace_check(KINDS_OF_0005)

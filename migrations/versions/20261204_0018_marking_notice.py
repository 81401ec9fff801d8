"""marking notice: named markers are told when a quiz they mark has papers waiting

The notices' CHECK on ``kind`` lists the new kind (阅卷提醒, ``marking_waiting``).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 17:00:00
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

CHECK = "ck_notices_kind"
KINDS_OF_0016 = (
    "kind IN ('campaign_reminder', 'anniversary', 'weekly_summary', 'reminder', "
    "'reflection_reviewed', 'results_published', 'exam_exception', 'question_report', "
    "'score_changed')"
)
KINDS = (
    "kind IN ('campaign_reminder', 'anniversary', 'weekly_summary', 'reminder', "
    "'reflection_reviewed', 'results_published', 'exam_exception', 'question_report', "
    "'score_changed', 'marking_waiting')"
)


def _replace_check(kinds: str) -> None:
    # Batch mode copies the table on SQLite (nothing references notices); elsewhere it alters.
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), kinds)


def upgrade() -> None:
    _replace_check(KINDS)


def downgrade() -> None:
    # Fails while notices of the new kind exist; delete them first to go back.
    _replace_check(KINDS_OF_0016)

"""marking notice: named markers are told when a quiz they mark has papers waiting

The notices' CHECK on ``kind`` lists the new kind (阅卷提醒, ``marking_waiting``).
"""

from migrations.helpers import is_one_of, replace_check

revision = "0018"
down_revision = "0017"

KINDS_OF_0016 = (
    "campaign_reminder",
    "anniversary",
    "weekly_summary",
    "reminder",
    "reflection_reviewed",
    "results_published",
    "exam_exception",
    "question_report",
    "score_changed",
)
KINDS = (*KINDS_OF_0016, "marking_waiting")


def upgrade() -> None:
    # Batch mode copies notices on SQLite: nothing references it.
    replace_check("notices", "kind", is_one_of("kind", KINDS))


def downgrade() -> None:
    # Fails while notices of the new kind exist; delete them first to go back.
    replace_check("notices", "kind", is_one_of("kind", KINDS_OF_0016))

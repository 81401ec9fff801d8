"""notice kinds: reflection reviewed and quiz results published

A member is told when an organiser accepts or returns their reflection, and when a quiz that
publishes results after it closes has closed; the notices table's CHECK on ``kind`` lists the
two new kinds.
"""

from migrations.helpers import is_one_of, replace_check

revision = "0011"
down_revision = "0010"

KINDS_OF_0005 = ("campaign_reminder", "anniversary", "weekly_summary", "reminder")
KINDS = (*KINDS_OF_0005, "reflection_reviewed", "results_published")


def upgrade() -> None:
    # Batch mode copies notices on SQLite: nothing references it.
    replace_check("notices", "kind", is_one_of("kind", KINDS))


def downgrade() -> None:
    # Fails while notices of the new kinds exist; delete them first to go back.
    replace_check("notices", "kind", is_one_of("kind", KINDS_OF_0005))

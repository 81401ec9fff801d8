"""one waiting reflection per member and subject

A second submission of a reflection (a double tap, a resubmit after a lost response) found
no rule against it and saved a copy. Partial unique indexes now hold one waiting
(``submitted``) reflection per member and material, and per member and campaign.

Existing rows are made to fit first: a copy of a waiting reflection (same member, subject,
title and text) is deleted, keeping the first one saved; a different waiting text on the same
subject, which the rule now refuses, is returned to its author with a note, so that no text is
lost and the author hands it in again once the first is reviewed. The downgrade drops the
indexes and leaves the rows as they are.
"""

from alembic import op

from migrations.helpers import create_unique_index_where

revision = "0021"
down_revision = "0020"

WAITING = "status = 'submitted'"
NOTE = "同一学习内容只能有一篇待审阅的心得，这篇暂作退回，请在前一篇审阅后修改并重新提交。"
SUBJECTS = ("material_id", "campaign_id")


def upgrade() -> None:
    for subject in SUBJECTS:
        op.execute(
            f"DELETE FROM reflections WHERE {WAITING} AND {subject} IS NOT NULL AND EXISTS ("
            f"SELECT 1 FROM reflections f WHERE f.{WAITING} AND f.member_id = reflections.member_id"
            f" AND f.{subject} = reflections.{subject} AND f.title = reflections.title"
            " AND f.body = reflections.body AND f.id < reflections.id)"
        )
    for subject in SUBJECTS:
        op.execute(
            f"UPDATE reflections SET status = 'returned', review_comment = '{NOTE}' "
            f"WHERE {WAITING} AND {subject} IS NOT NULL AND EXISTS ("
            f"SELECT 1 FROM reflections f WHERE f.{WAITING} AND f.member_id = reflections.member_id"
            f" AND f.{subject} = reflections.{subject} AND f.id < reflections.id)"
        )
    for subject in SUBJECTS:
        create_unique_index_where(
            "reflections",
            f"one_pending_{subject.removesuffix('_id')}",
            ["member_id", subject],
            WAITING,
        )


def downgrade() -> None:
    for subject in reversed(SUBJECTS):
        name = f"uq_reflections_one_pending_{subject.removesuffix('_id')}"
        op.drop_index(op.f(name), table_name="reflections")

"""question bank, quizzes, attempts, practice"""

import sqlalchemy as sa

from migrations.helpers import create_table, create_unique_index_where, drop_tables
from quizapp.db import UTCDateTime

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_table(
        "audiences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statuses", sa.String(length=100), nullable=False),
    )
    create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        references={"parent_id": "categories"},
        unique={"parent_id_name": ["parent_id", "name"]},
        indexes={"parent_id": ["parent_id"], "path": ["path"]},
    )
    create_table(
        "audience_branches",
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        references={"audience_id": ("audiences", "CASCADE"), "branch_id": "branches"},
        primary_key=("audience_id", "branch_id"),
    )
    create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("stem", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("difficulty", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("tags", sa.String(length=200), nullable=False),
        sa.Column("owner_branch_id", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        checks={
            "type": "type IN ('single', 'multiple', 'truefalse', 'fill')",
            "difficulty": "difficulty BETWEEN 1 AND 5",
        },
        references={"category_id": "categories", "owner_branch_id": "branches"},
        unique={"key": ["key"]},
        indexes={
            "draw": ["is_active", "type", "category_id", "difficulty"],
            "fingerprint": ["fingerprint"],
        },
    )
    create_table(
        "audience_members",
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        references={"audience_id": ("audiences", "CASCADE"), "member_id": "members"},
        primary_key=("audience_id", "member_id"),
        indexes={"member_id": ["member_id"]},
    )
    create_table(
        "daily_questions",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("is_correct", sa.Boolean(), nullable=True),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        references={"member_id": "members", "question_id": "questions"},
        primary_key=("member_id", "day", "position"),
        indexes={"member_id_question_id": ["member_id", "question_id"]},
    )
    create_table(
        "quizzes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("owner_branch_id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("opens_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("attempts_allowed", sa.Integer(), nullable=False),
        sa.Column("counting", sa.String(length=16), nullable=False),
        sa.Column("pass_percent", sa.Integer(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("partial_credit", sa.Boolean(), nullable=False),
        sa.Column("shuffle_questions", sa.Boolean(), nullable=False),
        sa.Column("shuffle_options", sa.Boolean(), nullable=False),
        sa.Column("review_when", sa.String(length=16), nullable=False),
        sa.Column("review_show_answers", sa.Boolean(), nullable=False),
        sa.Column("review_show_explanations", sa.Boolean(), nullable=False),
        sa.Column("leave_limit", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        checks={
            "counting": "counting IN ('highest', 'latest', 'first')",
            "kind": "kind IN ('test', 'exam', 'competition')",
            "review_when": "review_when IN ('immediately', 'after_close', 'never')",
            "status": "status IN ('draft', 'published')",
            "attempts_allowed": "attempts_allowed >= 1",
            "window": "closes_at > opens_at",
            "pass_percent": "pass_percent BETWEEN 0 AND 100",
            "time_limit": "time_limit_minutes IS NULL OR time_limit_minutes >= 1",
        },
        references={
            "audience_id": "audiences",
            "created_by_id": "members",
            "owner_branch_id": "branches",
        },
        indexes={"owner_branch_id": ["owner_branch_id"]},
    )
    create_table(
        "wrong_answers",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("wrong_count", sa.Integer(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("last_wrong_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        references={"member_id": "members", "question_id": "questions"},
        primary_key=("member_id", "question_id"),
        indexes={"member_open": ["member_id", "resolved_at"]},
    )
    create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("auto_submitted", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("leave_count", sa.Integer(), nullable=False),
        checks={"status": "status IN ('in_progress', 'submitted')"},
        references={"member_id": "members", "quiz_id": "quizzes"},
        unique={"quiz_id_member_id_number": ["quiz_id", "member_id", "number"]},
        indexes={
            "member_id_quiz_id": ["member_id", "quiz_id"],
            "status_deadline_at": ["status", "deadline_at"],
        },
    )
    create_unique_index_where(
        "attempts", "one_in_progress", ["quiz_id", "member_id"], "status = 'in_progress'"
    )
    create_table(
        "draw_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("difficulty_min", sa.Integer(), nullable=False),
        sa.Column("difficulty_max", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        checks={
            "count": "count >= 1",
            "difficulty": "difficulty_min BETWEEN 1 AND 5 AND difficulty_max BETWEEN 1 AND 5 AND difficulty_min <= difficulty_max",
        },
        references={"category_id": "categories", "quiz_id": ("quizzes", "CASCADE")},
        indexes={"quiz_id": ["quiz_id"]},
    )
    create_table(
        "quiz_questions",
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        references={"question_id": "questions", "quiz_id": ("quizzes", "CASCADE")},
        primary_key=("quiz_id", "question_id"),
    )
    create_table(
        "attempt_answers",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("option_order", sa.JSON(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("mark", sa.Float(), nullable=True),
        references={"attempt_id": ("attempts", "CASCADE"), "question_id": "questions"},
        primary_key=("attempt_id", "question_id"),
        indexes={"question_id": ["question_id"]},
    )


def downgrade() -> None:
    drop_tables(
        "attempt_answers",
        "quiz_questions",
        "draw_rules",
        "attempts",
        "wrong_answers",
        "quizzes",
        "daily_questions",
        "audience_members",
        "questions",
        "audience_branches",
        "categories",
        "audiences",
    )

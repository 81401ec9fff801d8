"""Who studied a material and for how long: an organiser page and its .xlsx export, on the
blueprint of ``manage.py`` (members in the organiser's subtree only)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from quizapp import access, clock, numbers
from quizapp.downloads import attachment
from quizapp.org.labels import BranchNames
from quizapp.pagination import page_number, page_of
from quizapp.spreadsheets import DATETIME, UNSAFE_IN_NAMES, Book, Column
from quizapp.study import queries
from quizapp.study.manage import bp
from quizapp.study.models import Material

PER_PAGE = 50


def _columns(names: BranchNames) -> list[Column[tuple[Material, queries.Learner]]]:
    """The export's columns; its rows are (material, learner)."""
    return [
        Column("姓名", lambda pair: pair[1].name, width=12),
        Column("警号/手机号", lambda pair: pair[1].login_id, width=14),
        Column("党支部", lambda pair: names(pair[1].branch_id), width=26),
        Column("学习时长（分钟）", lambda pair: pair[1].minutes, width=12, number_format="0.0"),
        Column(
            "是否学完",
            lambda pair: pair[1].seconds >= pair[0].estimated_minutes * 60,
            width=9,
        ),
        Column(
            "最近学习（北京时间）",
            lambda pair: pair[1].last_studied_at,
            width=20,
            number_format=DATETIME,
        ),
    ]


@bp.get("/<int:material_id>/learners")
@access.organiser_required
def learners(material_id: int):
    """List the members of the organiser's subtree who studied a material, longest first (also
    of a material a level above shares with them, read-only)."""
    material = queries.get_viewable_material(current_user, material_id)
    rows = queries.list_material_learners(current_user, material)
    return render_template(
        "study/manage/learners.html",
        material=material,
        page=page_of(rows, page_number(), PER_PAGE),
        count=len(rows),
        total_minutes=numbers.minutes(sum(r.seconds for r in rows)),
        finished=sum(r.seconds >= material.estimated_minutes * 60 for r in rows),
    )


@bp.get("/<int:material_id>/learners.xlsx")
@access.organiser_required
def learners_export(material_id: int):
    """Download who studied a material and for how long as an .xlsx file."""
    material = queries.get_viewable_material(current_user, material_id)
    rows = queries.list_material_learners(current_user, material)
    book = Book()
    book.add_sheet(
        "学习情况", _columns(BranchNames.load()), [(material, row) for row in rows], autofilter=True
    )
    title = UNSAFE_IN_NAMES.sub("_", material.title).strip(" ._") or "学习资料"
    today = clock.china_today().isoformat()
    return attachment(
        book.to_bytes(),
        f"{title[:80]}-学习情况-{today}.xlsx",
        english=f"material-{material.id}-learners-{today}",
    )

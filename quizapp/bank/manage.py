"""Question bank pages for organisers: list, create, edit, preview, retire, import, export."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import access
from quizapp.actions import FAILED, perform, run
from quizapp.bank import exports, import_preview, imports, queries, services
from quizapp.bank import versions as bank_versions
from quizapp.bank.formats import reader_for, word_template, xlsx
from quizapp.bank.forms import (
    DIFFICULTY_LABELS,
    OPTION_LETTERS,
    SHOWN_OPTIONS,
    ImportForm,
    QuestionForm,
)
from quizapp.bank.models import Question
from quizapp.bank.types import find_type, get_type
from quizapp.clock import china_today
from quizapp.downloads import DOCX, attachment
from quizapp.errors import DomainError
from quizapp.forms import ActionForm
from quizapp.pagination import page_number

bp = Blueprint("bank", __name__)

PER_PAGE = 30


def _filters(categories: list[queries.CategoryItem]) -> queries.QuestionFilters:
    """Read the list filters from the query string; unknown values mean "all"."""
    args = request.args
    category_id = args.get("category", type=int)
    category = next((c.category for c in categories if c.id == category_id), None)
    difficulty = args.get("difficulty", type=int)
    return queries.QuestionFilters(
        search=args.get("q", ""),
        type=args.get("type") if find_type(args.get("type")) else None,
        category=category,
        difficulty=difficulty if difficulty in DIFFICULTY_LABELS else None,
        active={"active": True, "inactive": False}.get(args.get("state", "active")),
    )


@bp.get("/")
@access.organiser_required
def index():
    """List the bank, searchable and filtered; every organiser sees every question."""
    categories = queries.list_categories()
    filters = _filters(categories)
    page = queries.list_questions(filters, page=page_number(), per_page=PER_PAGE)
    return render_template(
        "bank/index.html",
        page=page,
        filters=filters,
        categories=categories,
        category_paths={c.id: c.path for c in categories},
        difficulties=DIFFICULTY_LABELS,
        editable=queries.list_editable_ids(current_user, page.items),
        reservations=queries.count_reservations([q.id for q in page.items]),
    )


def _render_form(form: QuestionForm, question: Question | None):
    return render_template(
        "bank/form.html",
        form=form,
        question=question,
        letters=OPTION_LETTERS,
        shown_options=SHOWN_OPTIONS,
        category_paths=[c.path for c in queries.list_categories()],
    )


@bp.route("/new", methods=["GET", "POST"])
@access.organiser_required
def create():
    """Add one question; its owner is the top of the organiser's subtree."""
    form = QuestionForm()
    if request.method == "GET" and find_type(request.args.get("type")):
        form.type.data = request.args["type"]
    return _save_or_render(form, None)


@bp.get("/<int:question_id>")
@access.organiser_required
def show(question_id: int):
    """Preview a question as members see it, with its answer and the actions on it."""
    question = queries.get_question(question_id)
    qtype = get_type(question.type)
    return render_template(
        "bank/show.html",
        question=question,
        qtype=qtype,
        answer_lines=qtype.answer_lines(question.answer, question.options),
        category_path=services.category_path(question.category),
        owner=queries.owner_label(current_user, question),
        difficulty=DIFFICULTY_LABELS.get(question.difficulty, question.difficulty),
        reservations=queries.count_reservations([question.id]).get(question.id, 0),
        can_edit=services.can_edit_question(current_user, question),
        action_form=ActionForm(),
    )


def _save_or_render(form: QuestionForm, question: Question | None):
    """Save a valid form (a new question when ``question`` is None) and show the question;
    otherwise show the form again."""
    if form.validate_on_submit():
        data = form.question_data()
        if data is not None:
            saved = perform(
                lambda: services.save_question(current_user, data, question),
                "已保存。" if question else "已添加题目。",
            )
            if saved is not FAILED:
                return redirect(url_for("bank.show", question_id=saved.id))
    return _render_form(form, question)


def _editable_question(question_id: int) -> Question:
    question = queries.get_question(question_id)
    if not services.can_edit_question(current_user, question):
        abort(403)
    return question


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@access.organiser_required
def edit(question_id: int):
    """Edit a question the organiser's subtree maintains."""
    question = _editable_question(question_id)
    form = QuestionForm(data=QuestionForm.values_of(question) if request.method == "GET" else None)
    return _save_or_render(form, question)


@bp.get("/<int:question_id>/versions")
@access.organiser_required
def versions(question_id: int):
    """Show a question's versions (修改记录): who changed what, when."""
    question = queries.get_question(question_id)
    return render_template(
        "bank/versions.html",
        question=question,
        versions=bank_versions.list_versions(question.id),
    )


@bp.post("/<int:question_id>/active")
@access.organiser_required
def set_active(question_id: int):
    """Retire a question (停用: never drawn again) or bring it back (启用)."""
    question = _editable_question(question_id)
    active = request.form.get("active") == "1"
    perform(
        lambda: services.set_question_active(current_user, question, active),
        "已启用该题目。" if active else "已停用该题目，今后组卷、练习和每日答题都不会再抽到它。",
    )
    return redirect(url_for("bank.show", question_id=question.id))


@bp.route("/import", methods=["GET", "POST"])
@access.organiser_required
def import_questions():
    """Import a question file, checking every question first.

    One bad question stops the whole import unless the organiser asked for the valid ones only.
    """
    form = ImportForm()
    result = preview = None
    rejected: imports.BankImportRejected | None = None
    if form.validate_on_submit():
        upload = form.file.data
        owner = access.managed_root(current_user)

        def import_file() -> imports.BankImportResult | import_preview.ImportPreview:
            name, content = upload.filename or "", upload.read()
            drafts, skipped = reader_for(name, content)(name, content)
            if form.preview.data:
                return import_preview.preview_drafts(owner.id, drafts, skipped)
            return imports.import_drafts(
                owner.id,
                drafts,
                skipped=skipped,
                only_valid=form.only_valid.data,
                changed_by_id=current_user.id,
            )

        try:
            if form.preview.data:
                preview = run(import_file, dry_run=True)
            else:
                result = run(import_file)
        except imports.BankImportRejected as exc:
            rejected = exc
        except DomainError as exc:
            flash(exc.message, "error")
    return render_template(
        "bank/import.html", form=form, result=result, rejected=rejected, preview=preview
    )


@bp.get("/template.xlsx")
@access.organiser_required
def download_template():
    """Download the Excel template for importing questions."""
    return attachment(xlsx.template_xlsx(), "题库导入模板.xlsx", english="question-import-template")


@bp.get("/template.docx")
@access.organiser_required
def download_word_template():
    """Download the Word template: the layout the .docx import reads, with an example of
    every type."""
    return attachment(
        word_template.template_docx(), "题库导入模板.docx", DOCX, english="question-import-template"
    )


@bp.get("/export.xlsx")
@access.organiser_required
def export():
    """Export the questions the list shows (same filters) in the import template's layout."""
    questions = queries.list_matching_questions(_filters(queries.list_categories()))
    today = china_today().isoformat()
    return attachment(
        exports.export_xlsx(questions), f"题库导出-{today}.xlsx", english=f"questions-{today}"
    )

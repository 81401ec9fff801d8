"""Quiz management pages: list, create, edit, show, preview a sample paper, publish."""

from __future__ import annotations

import random

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from quizapp import access, clock, windows
from quizapp.actions import FAILED, perform
from quizapp.audiences.forms import branch_choices, check_roster, chosen_branches, offered_branches
from quizapp.audiences.services import describe
from quizapp.bank import queries as bank_queries
from quizapp.bank.services import category_path
from quizapp.bank.types import all_types, display_text, get_type
from quizapp.errors import DomainError
from quizapp.forms import ActionForm, entries_text, split_entries
from quizapp.pagination import filter_value, page_number
from quizapp.quizzes import draw, queries, reservations, services
from quizapp.quizzes.forms import QuizForm
from quizapp.quizzes.models import Counting, LeavePolicy, Quiz, QuizKind, ReviewWhen

bp = Blueprint("quizzes", __name__)

PER_PAGE = 20
#: Flashed when a quiz with approved 缓考/补考 opens later than before.
MOVED_LATER = (
    "本测试有已批准的缓考或补考：早于新开始时间的个人考试时间，现改为从新的开始时间起"
    "（已在此前结束的，改按新的测试时间参加）。请到“缓考与补考”页面核对。"
)


def _prepare(form: QuizForm, quiz: Quiz | None) -> None:
    """Offer the branches in scope (active ones, and any the audience already has)."""
    branches = offered_branches(current_user, quiz.audience if quiz else None)
    categories = [SelectChoice(c.id, c.label) for c in bank_queries.list_categories()]
    form.set_choices(branch_choices(branches), categories)


def _submitted_data(form: QuizForm) -> services.QuizData | None:
    """Validate a posted form and read it into QuizData; None (with field errors) if it can't.

    The 编号 and the roster are looked up even when other fields are wrong, so that the
    organiser sees every problem at once.
    """
    if not form.is_submitted():
        return None
    valid = form.validate()
    keys = queries.find_questions_by_key(split_entries(form.question_keys.data))
    if keys.unknown:
        form.question_keys.errors.append(f"题库中没有这些编号：{entries_text(keys.unknown)}。")
    if keys.retired:
        form.question_keys.errors.append(
            f"这些题目已停用，不能再组卷：{entries_text(keys.retired)}。"
        )
    roster = check_roster(current_user, form.roster)
    if not valid or form.question_keys.errors or form.roster.errors:
        return None
    categories = {c.id: c.category for c in bank_queries.list_categories()}
    opens_at, closes_at = form.window()
    return services.QuizData(
        title=form.title.data.strip(),
        description=(form.description.data or "").strip(),
        kind=QuizKind(form.kind.data),
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit_minutes=form.time_limit_minutes.data,
        attempts_allowed=form.attempts_allowed.data,
        counting=Counting(form.counting.data),
        pass_percent=form.pass_percent.data,
        points={t.code: form.points.form[t.code].data for t in all_types()},
        partial_credit=form.partial_credit.data,
        shuffle_questions=form.shuffle_questions.data,
        shuffle_options=form.shuffle_options.data,
        review_when=ReviewWhen(form.review_when.data),
        review_show_answers=form.review_show_answers.data,
        review_show_explanations=form.review_show_explanations.data,
        leave_policy=LeavePolicy(form.leave_policy.data),
        leave_limit=form.leave_limit.data,
        **form.ranking_data(),
        fixed_questions=keys.questions,
        rules=[
            services.RuleData(
                type=r.type.data,
                count=r.count.data,
                category=categories.get(r.category_id.data),
                difficulty_min=r.difficulty_min.data,
                difficulty_max=r.difficulty_max.data,
            )
            for r in form.used_rules()
        ],
        branches=chosen_branches(current_user, form.branch_ids.data),
        statuses=list(form.statuses.data or []),
        roster=roster.members,
    )


def _render_form(form: QuizForm, quiz: Quiz | None):
    attempts = queries.count_attempts([quiz.id]).get(quiz.id, 0) if quiz else 0
    return render_template("quizzes/form.html", form=form, quiz=quiz, attempts=attempts)


@bp.get("/")
@access.organiser_required
def index():
    """List the quizzes the organiser may read (their subtree's, and those of the levels
    above that reach it, read-only), filtered by state."""
    state = filter_value("state", queries.STATES, "all")
    now = clock.utcnow()
    page = queries.list_quizzes(
        current_user,
        state=state,
        now=now,
        page=page_number(),
        per_page=PER_PAGE,
    )
    return render_template(
        "quizzes/index.html",
        page=page,
        state=state,
        states=queries.STATES,
        attempts=queries.count_attempts_seen(current_user, page.items),
        editable=lambda quiz: services.can_manage_quiz(current_user, quiz),
        phase=lambda quiz: services.status_of(quiz, now),
        phases=windows.PHASE_LABELS,
        describe=lambda audience: describe(audience, current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@access.organiser_required
def create():
    """Create a quiz (a draft) owned by the top of the organiser's subtree."""
    form = QuizForm(data=QuizForm.defaults(clock.utcnow()) if request.method == "GET" else None)
    _prepare(form, None)
    data = _submitted_data(form)
    if data is not None:
        quiz = perform(
            lambda: services.save_quiz(current_user, data),
            "已保存为草稿。请预览试卷，确认无误后发布。",
        )
        if quiz is not FAILED:
            return redirect(url_for("quizzes.show", quiz_id=quiz.id))
    return _render_form(form, None)


@bp.route("/<int:quiz_id>/edit", methods=["GET", "POST"])
@access.organiser_required
def edit(quiz_id: int):
    """Change a quiz's settings, audience or questions."""
    quiz = queries.get_quiz(current_user, quiz_id)
    form = QuizForm(data=QuizForm.values_of(quiz) if request.method == "GET" else None)
    _prepare(form, quiz)
    data = _submitted_data(form)
    if data is not None:
        opening = quiz.opens_at
        saved = perform(lambda: services.save_quiz(current_user, data, quiz), "已保存。")
        if saved is not FAILED:
            if quiz.has_member_exceptions and quiz.opens_at > opening:
                # Approved personal windows are clipped where applied (deferrals.terms); the
                # 缓考与补考 page (above this package) shows whose.
                flash(MOVED_LATER, "warning")
            return redirect(url_for("quizzes.show", quiz_id=quiz.id))
    return _render_form(form, quiz)


def _paper_size(quiz: Quiz) -> tuple[int, float]:
    """Return how many questions each paper has and its total points."""
    counts = [(fq.question.type, 1) for fq in quiz.fixed_questions if fq.question.is_active]
    counts += [(rule.type, rule.count) for rule in quiz.draw_rules]
    return (sum(n for _, n in counts), sum(quiz.points.get(qtype, 0) * n for qtype, n in counts))


@bp.get("/<int:quiz_id>")
@access.organiser_required
def show(quiz_id: int):
    """Show every setting of a quiz, its audience, its paper's make-up and the actions (none
    on a quiz of a level above, which the organiser reads only)."""
    quiz = queries.get_viewable_quiz(current_user, quiz_id, paper=True)
    fixed_ids = {fq.question_id for fq in quiz.fixed_questions}
    question_count, total = _paper_size(quiz)
    return render_template(
        "quizzes/show.html",
        quiz=quiz,
        phase=services.status_of(quiz, clock.utcnow()),
        phases=windows.PHASE_LABELS,
        audience=describe(quiz.audience, current_user),
        rules=[
            (
                rule,
                category_path(rule.category),
                queries.count_available(rule, fixed_ids, quiz.kind),
            )
            for rule in quiz.draw_rules
        ],
        question_count=question_count,
        total=total,
        pass_points=total * quiz.pass_percent / 100,
        attempts=queries.count_attempts_seen(current_user, [quiz]).get(quiz.id, 0),
        editable=services.can_manage_quiz(current_user, quiz),
        reserved=reservations.count_reserved(quiz),
        action_form=ActionForm(),
    )


@bp.get("/<int:quiz_id>/preview")
@access.organiser_required
def preview(quiz_id: int):
    """Draw one sample paper as a member would get it, with the answers; nothing is saved."""
    quiz = queries.get_quiz(current_user, quiz_id)
    rng = random.SystemRandom()
    paper, error = [], None
    try:
        questions = draw.draw_paper(quiz, rng)
    except DomainError as exc:
        error = exc.message
    else:
        for question in questions:
            order = list(range(len(question.options)))
            if quiz.shuffle_options and get_type(question.type).has_options:
                rng.shuffle(order)
            answer = display_text(question.type, question.answer, question.options, order)
            paper.append((question, order or None, answer))
    return render_template(
        "quizzes/preview.html",
        quiz=quiz,
        paper=paper,
        error=error,
        total=sum(quiz.points.get(q.type, 0) for q, _, _ in paper),
    )


@bp.post("/<int:quiz_id>/publish")
@access.organiser_required
def publish(quiz_id: int):
    """Publish a quiz (its audience sees it) or take it back to draft (有答卷后不能撤回)."""
    quiz = queries.get_quiz(current_user, quiz_id)
    published = request.form.get("published") == "1"
    label = quiz.kind_enum.label
    perform(
        lambda: services.set_published(current_user, quiz, published),
        f"已发布，参加范围内的人员可以看到该{label}。"
        if published
        else f"已撤回为草稿，党员将看不到该{label}。",
    )
    return redirect(url_for("quizzes.show", quiz_id=quiz.id))


@bp.post("/<int:quiz_id>/release-practice")
@access.organiser_required
def release_practice(quiz_id: int):
    """Open the questions of a closed exam or competition to practice (开放练习)."""
    quiz = queries.get_quiz(current_user, quiz_id)
    perform(
        lambda: reservations.release_to_practice(current_user, quiz, clock.utcnow()),
        lambda count: (
            f"已开放 {count} 道题用于练习，党员可以在练习、每日答题和错题本中看到它们"
            "（其他考试仍在使用的题除外）。"
        ),
    )
    return redirect(url_for("quizzes.show", quiz_id=quiz.id))

"""Drawing a quiz's papers: the questions each draw rule may pick, and papers drawn from them
(one for the organiser's preview, or many at once ahead of an exam)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from sqlalchemy import Select, select

from quizapp import db
from quizapp.bank.models import Category, Question
from quizapp.bank.queries import not_reserved
from quizapp.errors import DomainError
from quizapp.quizzes.models import RESERVING_KINDS, DrawRule, Quiz, QuizQuestion

if TYPE_CHECKING:
    from quizapp.quizzes.services import RuleData


def candidates_query(rule: DrawRule | RuleData, exclude: set[int], kind: str) -> Select:
    """Select the ids of the questions ``rule`` may draw for a quiz of ``kind``, but ``exclude``."""
    query = select(Question.id).where(
        Question.is_active.is_(True),
        Question.suspended_at.is_(None),  # 暂停抽题: error reports (quizapp.reports)
        Question.type == rule.type,
        Question.difficulty.between(rule.difficulty_min, rule.difficulty_max),
    )
    if kind not in RESERVING_KINDS:
        # A test shows its answers in the review: never draw what exams keep secret.
        query = query.where(not_reserved())
    if rule.category is not None:
        query = query.join(Category, Category.id == Question.category_id).where(
            Category.path.startswith(rule.category.path)
        )
    if exclude:
        query = query.where(Question.id.not_in(exclude))
    return query


def draw_question_ids(
    quiz: Quiz, rng: random.Random | None = None, count: int = 1
) -> list[list[int]]:
    """Draw ``count`` papers as lists of question ids: the fixed questions, then each
    rule's random picks (no question twice on a paper), shuffled when the quiz says so.

    One query for the fixed questions and one per draw rule (ids only), whatever ``count``
    and the size of the bank: drawing every member's paper ahead of an exam costs no more
    queries than drawing one.
    """
    rng = rng or random.SystemRandom()
    fixed = list(
        db.session.scalars(
            select(QuizQuestion.question_id)
            .join(Question, Question.id == QuizQuestion.question_id)
            .where(
                QuizQuestion.quiz_id == quiz.id,
                Question.is_active.is_(True),
                Question.suspended_at.is_(None),
            )
            .order_by(QuizQuestion.position)
        )
    )
    pools = []
    for rule in quiz.draw_rules:
        pool = list(db.session.scalars(candidates_query(rule, set(fixed), quiz.kind)))
        if len(pool) < rule.count:
            raise DomainError("题库中的题目不够抽取，请联系管理员调整抽题规则。")
        pools.append((pool, set(pool), rule.count))
    papers = []
    for _ in range(count):
        paper = list(fixed)
        taken = set(fixed)
        for pool, members, picks in pools:
            # Rules may overlap (a category and its parent): leave out what this paper has.
            if not members.isdisjoint(taken):
                pool = [i for i in pool if i not in taken]
                if len(pool) < picks:
                    raise DomainError("题库中的题目不够抽取，请联系管理员调整抽题规则。")
            chosen = rng.sample(pool, picks)
            paper += chosen
            taken.update(chosen)
        if quiz.shuffle_questions:
            rng.shuffle(paper)
        papers.append(paper)
    return papers


def draw_paper(quiz: Quiz, rng: random.Random | None = None) -> list[Question]:
    """Draw one paper as the questions themselves (the organiser's preview)."""
    ids = draw_question_ids(quiz, rng)[0]
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
    return [questions[i] for i in ids]

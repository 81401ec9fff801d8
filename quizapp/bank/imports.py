"""Importing questions: every format reads into drafts, and one pipeline checks and saves them.

A draft that can't be read or checked names where it came from (file, row or line) and why.
Unless the organiser asks to import only the valid questions, one bad question stops the
whole import and nothing is saved. Questions are matched by key, so importing a file again
updates what it created; the same stem and answer under another key is a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from quizapp import db
from quizapp.bank import versions
from quizapp.bank.models import Category, Question
from quizapp.bank.services import (
    QuestionData,
    _generated_key,
    apply_question,
    check_question,
    ensure_category,
    fingerprint,
)
from quizapp.clock import utcnow
from quizapp.errors import DomainError
from quizapp.org.models import Branch

MAX_QUESTIONS = 5000
LOOKUP_CHUNK = 500


@dataclass
class QuestionDraft:
    """A question read from a file, before checking; ``problems`` are reading errors."""

    location: str
    data: QuestionData | None
    problems: list[str] = field(default_factory=list)


@dataclass
class Skipped:
    """A question the format can hold but this bank can't (e.g. a GIFT essay)."""

    location: str
    reason: str


@dataclass
class ImportProblem:
    """Why one question can't be imported."""

    location: str
    message: str


class BankImportRejected(DomainError):
    """Some questions are bad; nothing was imported."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(
            f"有 {len(problems)} 道题存在问题，本次未导入任何题目。请修改后重新导入，"
            "或选择“只导入无误的题目”。"
        )
        self.problems = problems


@dataclass
class BankImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[ImportProblem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def import_drafts(
    owner_branch_id: int,
    drafts: list[QuestionDraft],
    *,
    skipped: list[Skipped] | None = None,
    only_valid: bool = False,
    changed_by_id: int | None = None,
) -> BankImportResult:
    """Check every draft, then create or update the questions (flush only).

    Raise BankImportRejected when a draft is bad and ``only_valid`` is False.
    """
    if not drafts and not skipped:
        raise DomainError("文件中没有找到题目，请检查文件内容和格式。")
    if len(drafts) > MAX_QUESTIONS:
        raise DomainError(f"一次最多导入 {MAX_QUESTIONS} 道题，请拆分文件。")
    problems: dict[int, list[str]] = {}
    keyed: list[tuple[QuestionDraft, str, str]] = []  # draft, key, fingerprint
    for index, draft in enumerate(drafts):
        found = list(draft.problems)
        if draft.data is not None:  # every problem of the question, not only the first found
            found += check_question(draft.data, type_checks=not found)
        if found:
            problems[index] = found
            continue
        key = draft.data.key or _generated_key(draft.data)
        keyed.append((draft, key, fingerprint(draft.data)))

    by_key, by_print = _load_existing([k for _, k, _ in keyed], [p for _, _, p in keyed])
    foreign = _foreign_keys(owner_branch_id, by_key)
    seen_keys: dict[str, str] = {}
    seen_prints: dict[str, str] = {}
    index_of = {id(d): i for i, d in enumerate(drafts)}
    for draft, key, print_ in keyed:
        found = []
        if key in seen_keys:
            found.append(f"编号「{key}」与{seen_keys[key]}重复")
        if print_ in seen_prints:
            found.append(f"与{seen_prints[print_]}重复（题干和答案相同）")
        other = by_print.get(print_)
        if other is not None and other.key != key:
            found.append(f"题库中已有相同的题目（编号 {other.key}）")
        if key in foreign:
            found.append(f"编号「{key}」的题目由其他单位维护，不能通过导入修改")
        seen_keys.setdefault(key, draft.location)
        seen_prints.setdefault(print_, draft.location)
        if found:
            problems.setdefault(index_of[id(draft)], []).extend(found)

    rejected = [
        ImportProblem(drafts[i].location, "；".join(p)) for i, p in sorted(problems.items())
    ]
    if rejected and not only_valid:
        raise BankImportRejected(rejected)

    result = BankImportResult(rejected=rejected, skipped=list(skipped or []))
    categories: dict[str, Category] = {}
    for draft, key, _ in keyed:
        if index_of[id(draft)] in problems:
            continue
        question = by_key.get(key)
        category = ensure_category(draft.data.category_path, categories)
        if question is None:
            result.created += 1
            question = Question(key=key, owner_branch_id=owner_branch_id, is_active=True)
            apply_question(question, draft.data, category)
            db.session.add(question)
        else:
            before = versions.content_of(question)
            if not apply_question(question, draft.data, category):
                result.unchanged += 1
                continue
            result.updated += 1
            db.session.flush()
            versions.record_change(question, before, changed_by_id, utcnow())
    db.session.flush()
    return result


def _foreign_keys(owner_branch_id: int, by_key: dict[str, Question]) -> set[str]:
    """Return the keys of existing questions the importer's subtree does not own."""
    owner_ids = {q.owner_branch_id for q in by_key.values()} | {owner_branch_id}
    paths = dict(
        db.session.execute(select(Branch.id, Branch.path).where(Branch.id.in_(owner_ids))).all()
    )
    mine = paths[owner_branch_id]
    return {key for key, q in by_key.items() if not paths[q.owner_branch_id].startswith(mine)}


def _load_existing(
    keys: list[str], prints: list[str]
) -> tuple[dict[str, Question], dict[str, Question]]:
    by_key: dict[str, Question] = {}
    by_print: dict[str, Question] = {}
    for start in range(0, max(len(keys), len(prints)), LOOKUP_CHUNK):
        chunk_keys = keys[start : start + LOOKUP_CHUNK]
        chunk_prints = prints[start : start + LOOKUP_CHUNK]
        for question in db.session.scalars(
            select(Question).where(
                Question.key.in_(chunk_keys) | Question.fingerprint.in_(chunk_prints)
            )
        ):
            by_key[question.key] = question
            by_print.setdefault(question.fingerprint, question)
    return by_key, by_print
